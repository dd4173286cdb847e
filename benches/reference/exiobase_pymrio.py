"""pymrio reference for the EXIOBASE archive benchmark (benches/exiobase_archive.rs).

Usage: exiobase_pymrio.py ARCHIVE OUT_CSV

What a pymrio user does with an EXIOBASE 3 zip: `pymrio.parse_exiobase3(ARCHIVE)` then
`calc_all()`. Timed end to end (parse + calc_all + writing the regional accounts of every
mass stressor to OUT_CSV as extension,stressor,region,D_cba_reg,D_pba_reg,D_exp_reg,D_imp_reg).
Prints "RESULT time_s=<s> peak_kib=<ru_maxrss>".
"""

import resource
import sys
import time

try:
    import pymrio
except ImportError:
    print("PYMRIO_MISSING")
    sys.exit(3)

MASS = {"kg", "kg CO2 eq.", "t"}


def main() -> None:
    archive, out = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    io = pymrio.parse_exiobase3(archive)
    io.calc_all()
    rows = []
    for ext in sorted(io.get_extensions(data=True), key=lambda e: e.name):
        for stressor in ext.F.index:
            if ext.unit.loc[stressor, "unit"] not in MASS:
                continue
            for region in io.get_regions():
                rows.append(
                    f"{ext.name}\t{stressor}\t{region}\t"
                    f"{float(ext.D_cba_reg.loc[stressor, region])!r}\t"
                    f"{float(ext.D_pba_reg.loc[stressor, region])!r}\t"
                    f"{float(ext.D_exp_reg.loc[stressor, region])!r}\t"
                    f"{float(ext.D_imp_reg.loc[stressor, region])!r}"
                )
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"RESULT time_s={elapsed:.3f} peak_kib={peak}")


if __name__ == "__main__":
    main()
