#!/usr/bin/env python3
"""fzc.ect on an in-memory pymrio IOSystem against pymrio's own ``calc_all``, in one run.

    python crates/python/bench/bench_ect.py [--regions 40 --sectors 40 --repeat 3]
    python crates/python/bench/bench_ect.py --stressors 100   # both sides, every stressor

The IOSystem is generated deterministically (seeded numpy; not committed): ``regions`` x
``sectors`` (40 x 40: n = 1,600, issue 11's size), one final-demand category per region and
one extension ``emissions`` with a CO2 row in t (F and F_Y). Each side starts from the same
object with Z, Y, F and F_Y only:

- ``calc_all``: a deep copy of the system, then ``io.calc_all()`` (A, L = (I - A)^-1, the
  footprints and the regional accounts of the extension);
- ``fzc.ect``: ``fzc.ect(io, stressor="CO2")``, which reads the DataFrames, factors I - A once
  (never forming the inverse) and returns the two account tables.

With ``--stressors K`` (K > 1) the extension has K stressor rows (CO2, then ``gas001``…, all
in t). ``calc_all`` computes the accounts of all of them, as it always does, and fzc is asked
for the same: ``fzc.ect_tables(io, stressor="all")``, one factorisation for every stressor,
with the tables written to a temporary folder and read back. This is the comparison for a
table with a real satellite account (EXIOBASE's has over a thousand rows), where pymrio
multiplies every stressor by L and fzc adds an O(n·m) assembly per stressor.

The best of ``repeat`` runs of each is reported with the ratio and the largest relative
difference of fzc's ``inflow``/``outflow`` against pymrio's ``D_exp_reg``/``D_imp_reg``
(docs/formats/ect-regions.md). The load average is printed: this is a shared machine.
"""

import argparse
import copy
import os
import time

import numpy as np
import pandas as pd
import pymrio

import fzc


def system(m: int, s: int, k: int = 1, seed: int = 7) -> pymrio.IOSystem:
    rng = np.random.default_rng(seed)
    n = m * s
    regions = [f"R{r:03d}" for r in range(m)]
    sectors = [f"s{k:03d}" for k in range(s)]
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    cols_y = pd.MultiIndex.from_product([regions, ["household"]], names=["region", "category"])
    # Intermediate use a fraction of output: column sums of A well below 1 (productive).
    x = rng.uniform(50.0, 150.0, n)
    a = rng.uniform(0.0, 1.0, (n, n))
    a *= 0.6 / a.sum(axis=0)
    z = a * x[None, :]
    y_total = x - z.sum(axis=1)
    share = rng.dirichlet(np.ones(m), size=n)
    y = share * y_total[:, None]
    names = ["CO2"] + [f"gas{i:03d}" for i in range(1, k)]
    f = pd.DataFrame(rng.uniform(0.1, 5.0, (k, n)), index=names, columns=idx)
    f_y = pd.DataFrame(rng.uniform(0.0, 1.0, (k, m)), index=names, columns=cols_y)
    io = pymrio.IOSystem(
        Z=pd.DataFrame(z, index=idx, columns=idx),
        Y=pd.DataFrame(y, index=idx, columns=cols_y),
        unit=pd.DataFrame({"unit": ["M.EUR"] * n}, index=idx),
    )
    io.emissions = pymrio.Extension(
        name="emissions", F=f, F_Y=f_y, unit=pd.DataFrame({"unit": ["t"] * k}, index=names)
    )
    return io


def best(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--regions", type=int, default=40)
    p.add_argument("--sectors", type=int, default=40)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--stressors", type=int, default=1)
    args = p.parse_args()
    k = args.stressors
    io = system(args.regions, args.sectors, k)
    n = args.regions * args.sectors

    def pymrio_side():
        c = copy.deepcopy(io)
        c.calc_all()
        return c

    if k == 1:
        t_fzc, res = best(lambda: fzc.ect(io, stressor="CO2"), args.repeat)
        tables = res.regions.assign(stressor="CO2")
    else:
        t_fzc, res = best(lambda: fzc.ect_tables(io, stressor="all", quiet=True), args.repeat)
        tables = res.regions
    t_py, done = best(pymrio_side, args.repeat)
    ext = done.emissions
    rel = 0.0
    stressors = list(dict.fromkeys(tables["stressor"]))
    assert len(stressors) == k, (len(stressors), k)
    for name in stressors:
        got = tables[tables["stressor"] == name].set_index("region")
        for col, table in (("inflow", ext.D_exp_reg), ("outflow", ext.D_imp_reg)):
            want = table.loc[name, got.index].to_numpy(float)
            have = got[col].to_numpy(float)
            rel = max(rel, float(np.max(np.abs(have - want) / np.maximum(1.0, np.abs(want)))))
    print(f"bench_ect: n = {n} ({args.regions} regions x {args.sectors} sectors), {k} "
          f"stressor(s), best of "
          f"{args.repeat}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"  pymrio calc_all : {t_py:8.3f} s")
    print(f"  fzc             : {t_fzc:8.3f} s "
          f"({'fzc.ect' if k == 1 else 'fzc.ect_tables, every stressor'})")
    print(f"  ratio {t_py / t_fzc:.1f}x (target >= 10x); largest relative difference "
          f"of inflow/outflow against D_exp_reg/D_imp_reg: {rel:.1e}")
    if rel > 1e-9:
        raise SystemExit(f"fzc and pymrio disagree: {rel:.1e} > 1e-9")


if __name__ == "__main__":
    main()
