"""pymrio-style numpy reference for the ECT benchmark (benches/ect_scaling.rs).

Usage: ect_numpy.py DIR REPS

Reads DIR/meta.txt ("n m n_sec"), DIR/z.f64 (n x n), DIR/y.f64 (n x m), both raw
little-endian float64 in column-major order, and DIR/e.f64 (n). Computes what pymrio's
calc_system + calc_extensions do for one stressor, the way pymrio does it:
x = Z.1 + Y.1, A = Z / x, L = inv(I - A), S = F / x, then the bilateral accounts
T[r, s] = sum_{i in r} S_i (L Y)[i, s] and the regional accounts. Only the computation is
timed (not the file loading). Prints one line
"RESULT time_s=<min over reps> peak_kib=<ru_maxrss> blas=<kernel>", and writes T (m x m,
row-major float64) to DIR/t_numpy.f64 for the agreement check.
"""

import resource
import sys
import time

try:
    import numpy as np
except ImportError:
    print("NUMPY_MISSING")
    sys.exit(3)


def blas_kernel():
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            i = info[0]
            return f"{i.get('internal_api')}-{i.get('version')}-{i.get('architecture')}-{i.get('num_threads')}threads"
    except ImportError:
        pass
    return "unknown"


def accounts(Z, Y, F, m, n_sec):
    n = Z.shape[0]
    x = Z.sum(axis=1) + Y.sum(axis=1)
    with np.errstate(divide="ignore"):
        recix = 1.0 / x
    recix[~np.isfinite(recix)] = 0.0
    A = Z * recix[np.newaxis, :]
    L = np.linalg.inv(np.eye(n) - A)
    S = F * recix
    X = L @ Y
    T = (S[:, None] * X).reshape(m, n_sec, m).sum(axis=1)
    T_final = (S[:, None] * Y).reshape(m, n_sec, m).sum(axis=1)
    T_inter = T - T_final
    production = T.sum(axis=1)
    consumption = T.sum(axis=0)
    inflow = production - np.diag(T)
    outflow = consumption - np.diag(T)
    net = outflow - inflow
    net_bilateral = T.T - T
    return T, T_inter, net, net_bilateral


def main():
    d, reps = sys.argv[1], int(sys.argv[2])
    n, m, n_sec = (int(v) for v in open(f"{d}/meta.txt").read().split())
    Z = np.fromfile(f"{d}/z.f64", dtype="<f8").reshape((n, n), order="F")
    Y = np.fromfile(f"{d}/y.f64", dtype="<f8").reshape((n, m), order="F")
    F = np.fromfile(f"{d}/e.f64", dtype="<f8")
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        T, _, _, _ = accounts(Z, Y, F, m, n_sec)
        best = min(best, time.perf_counter() - t0)
    np.ascontiguousarray(T).astype("<f8").tofile(f"{d}/t_numpy.f64")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"RESULT time_s={best:.6f} peak_kib={peak} blas={blas_kernel()}")


if __name__ == "__main__":
    main()
