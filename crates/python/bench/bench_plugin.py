#!/usr/bin/env python3
"""The cost of a pricing scheme written in Python, on the embedded BTH-2020 run.

    python crates/python/bench/bench_plugin.py [--repeat 200]

Times ``fzc.run(quiet=True)`` (the built-in ``paper`` scheme, all in Rust) against
``fzc.run(pricing=PayerPays(), quiet=True)``, the same scheme written in Python with numpy
(docs/PYTHON.md's tutorial class): the run holds the GIL only while the Python ``price``
runs. Reports the median of ``repeat`` runs of each, interleaved, and the overhead; the
target of issue 11 is at most 20 %. Also checks that both ledgers agree.
"""

import argparse
import os
import statistics
import time

import numpy as np

import fzc


class PayerPays(fzc.PricingScheme):
    name = "payer-pays"

    def price(self, inp):
        payer = inp.flows["payer"].to_numpy()
        payee = inp.flows["payee"].to_numpy()
        standards = inp.standards[payer]
        amounts = standards * inp.flows["tonnes"].to_numpy()
        region = np.zeros(len(inp.regions))
        np.add.at(region, payer, amounts)
        np.subtract.at(region, payee, amounts)
        return fzc.PricingOutput(region_amounts=region, flow_standards=standards)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=200)
    args = p.parse_args()
    scheme = PayerPays()
    builtin, python = [], []
    for _ in range(5):  # warm up (imports, page cache)
        fzc.run(quiet=True)
        fzc.run(pricing=scheme, quiet=True)
    for _ in range(args.repeat):
        t = time.perf_counter()
        a = fzc.run(quiet=True)
        builtin.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = fzc.run(pricing=scheme, quiet=True)
        python.append(time.perf_counter() - t)
    assert np.allclose(a.ledger["amount"], b.ledger["amount"])
    mb, mp = statistics.median(builtin), statistics.median(python)
    print(f"bench_plugin: embedded BTH-2020 run, median of {args.repeat}; load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"  built-in paper scheme : {mb * 1000:8.2f} ms")
    print(f"  Python PayerPays      : {mp * 1000:8.2f} ms")
    print(f"  overhead {100 * (mp / mb - 1):.1f} % (target <= 20 %); ledgers agree")


if __name__ == "__main__":
    main()
