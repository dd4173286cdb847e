#!/usr/bin/env python3
"""Builds the tables of the bth-2020 scenario from the paper's published numbers.

Inputs (both in this directory, copied unchanged from ../shared/data/bth-2020/):
  published.csv        every number Chen et al. (2025) publish for the case
  city-stats-2020.csv  population (2020 census) and GDP 2020 per city

Outputs (committed; `fzc run` reads them, this script is only needed to rebuild them):
  standards.csv, economy.csv, ect-net.csv, ect-bilateral.csv, cssf-transfers.csv

Every value carries a provenance class (published | derived | estimated) and a note saying
how it was obtained. Run with plain Python 3 (no packages): `python3 build.py`.
The arithmetic is explained in README.md; this file is the exact record of it.
"""

import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REGIONS = [
    "beijing", "tianjin", "shijiazhuang", "tangshan", "qinhuangdao", "handan", "xingtai",
    "baoding", "zhangjiakou", "chengde", "cangzhou", "langfang", "hengshui",
]


def read_published():
    rows = {}
    with open(os.path.join(HERE, "published.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[(row["quantity"], row["region"], row["counterpart"])] = row["value"]
    return rows


PUB = read_published()


def pub(quantity, region, counterpart=""):
    return float(PUB[(quantity, region, counterpart)])


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


BILLION = 1e9
MT = 1e6

# ---------------------------------------------------------------- standards (yuan/t)
# published: Beijing 102.65 (section 5.2).
# derived: a published amount divided by the published tonnes it prices, for the cities whose
#   whole account in one layer is published (the paper prices each flow at the payer's
#   standard, METHOD section 4).
# estimated: the midpoint of the city's published natural-breaks tier (section 5.2).
standards = {}
notes = {}
standards["beijing"] = (102.65, "published", "section 5.2, highest tier")
for region, paid, tonnes, label in [
    ("tianjin", pub("cssf_paid", "tianjin"), pub("cssf_received_total", "tianjin"), "CSSF paid 2.836 billion / Table 3 total 63.9665 Mt"),
    ("tangshan", pub("cssf_paid", "tangshan"), pub("cssf_received_total", "tangshan"), "CSSF paid 2.725 billion / Table 3 total 59.5909 Mt"),
    ("handan", pub("cssf_paid", "handan"), pub("cssf_received_total", "handan"), "CSSF paid 0.023 billion / Table 3 total 1.7837 Mt (low precision)"),
    ("shijiazhuang", pub("ect_paid", "shijiazhuang"), pub("net_ect", "shijiazhuang"), "ECT paid 2.864 billion / NF 98.0608 Mt"),
    ("langfang", pub("ect_paid", "langfang"), pub("net_ect", "langfang"), "ECT paid 0.651 billion / NF 22.2755 Mt"),
    ("baoding", pub("ect_paid", "baoding"), pub("net_ect", "baoding"), "ECT paid 0.861 billion / NF 50.4899 Mt"),
    ("cangzhou", pub("ect_paid", "cangzhou"), pub("net_ect", "cangzhou"), "ECT paid 0.816 billion / NF 42.0635 Mt"),
]:
    standards[region] = (paid * BILLION / (tonnes * MT), "derived", label)
for region in ["qinhuangdao"]:
    standards[region] = (25.0, "estimated", "midpoint of its published tier 20-30 yuan/t (section 5.2)")
for region in ["xingtai", "zhangjiakou", "chengde", "hengshui"]:
    standards[region] = (16.30, "estimated", "midpoint of its published tier 12.60-20 yuan/t (section 5.2)")
write(
    "standards.csv",
    ["region", "yuan_per_tonne", "provenance", "note"],
    [[r, f"{standards[r][0]:.6f}", standards[r][1], standards[r][2]] for r in REGIONS],
)

# ---------------------------------------------------------------- economy
with open(os.path.join(HERE, "city-stats-2020.csv"), newline="", encoding="utf-8") as f:
    stats = {row["region"]: row for row in csv.DictReader(f)}
write(
    "economy.csv",
    ["region", "population", "gdp_1e8_yuan", "engel", "provenance", "note"],
    [
        [r, stats[r]["population_2020"], stats[r]["gdp_2020_1e8_yuan"], "", "published",
         "2020 census population; GDP 2020 from the city's statistical communique; Engel coefficient not available"]
        for r in REGIONS
    ],
)


# ---------------------------------------------------------------- ECT bilateral pairs (fixed first)
def std(region):
    return standards[region][0]


pairs = []  # (from, to, Mt, provenance, note)
pairs.append(("shijiazhuang", "tangshan", pub("ect_pair", "shijiazhuang", "tangshan") * BILLION / std("shijiazhuang") / MT,
              "derived", "ECT pair 1.988 billion yuan / Shijiazhuang's standard"))
pairs.append(("beijing", "tangshan", pub("ect_pair", "beijing", "tangshan") * BILLION / std("beijing") / MT,
              "derived", "ECT pair 0.847 billion yuan / Beijing's standard 102.65"))
pairs.append(("cangzhou", "tangshan", pub("combined_pair", "cangzhou", "tangshan") * BILLION / std("cangzhou") / MT,
              "derived", "combined pair 0.652 billion yuan (Cangzhou and Tangshan exchange no CSSF, so it is all ECT) / Cangzhou's standard"))
# Tianjin: its total ECT receipt (0.106 billion) is attributed to Beijing, its only published ECT
# counterpart. The printed Beijing->Tianjin pair (0.273 billion) exceeds that total and is not used.
tianjin_nf = -pub("ect_received", "tianjin") * BILLION / std("beijing") / MT
pairs.append(("beijing", "tianjin", -tianjin_nf, "estimated",
              "Tianjin's whole ECT receipt 0.106 billion yuan attributed to Beijing (its only published ECT counterpart) / 102.65; the printed pair 0.273 exceeds Tianjin's printed total"))

# ---------------------------------------------------------------- ECT region nets (Mt)
net = {}
for r in REGIONS:
    key = ("net_ect", r, "")
    if key in PUB:
        net[r] = (float(PUB[key]), "published", "section 4.1.2")
hengshui = pub("ect_paid", "hengshui") * BILLION / std("hengshui") / MT
net["hengshui"] = (hengshui, "estimated", "ECT paid 0.071 billion yuan / Hengshui's tier-midpoint standard 16.30")
net["tianjin"] = (tianjin_nf, "estimated", "ECT received 0.106 billion yuan / Beijing's standard (see ect-bilateral.csv)")

# Chengde: its ECT receipt is the combined 2.860 billion minus its CSSF receipt 2.458 billion
# (section 4.3.3 minus 4.3.2). Chengde's NF is the value for which the scenario's own
# allocation rule (bilateral_rule = "proportional": given pairs final, the rest split by
# iterative proportional fitting, see docs/formats/scenario.md) pays Chengde exactly that,
# each payer at its own standard. Xingtai closes the balance (sum of NF = 0, Eq 10).
def allocate(nets, given):
    """The proportional rule of fzc-scenario (crates/scenario/src/bilateral.rs), restated."""
    residual = dict(nets)
    for a, b, mt in given:
        residual[a] -= mt
        residual[b] += mt
    payers = [r for r in REGIONS if residual[r] > 0]
    recips = [r for r in REGIONS if residual[r] < 0]
    closed = {frozenset((a, b)) for a, b, _ in given}
    x = {(p, q): (0.0 if frozenset((p, q)) in closed else 1.0) for p in payers for q in recips}
    for _ in range(10000):
        for p in payers:
            tot = sum(x[p, q] for q in recips)
            for q in recips:
                x[p, q] *= residual[p] / tot
        worst = 0.0
        for q in recips:
            tot = sum(x[p, q] for p in payers)
            worst = max(worst, abs(tot + residual[q]))
            for p in payers:
                x[p, q] *= -residual[q] / tot
        if worst < 1e-9:
            break
    return x


given_pairs = [(a, b, mt) for a, b, mt, _, _ in pairs]
chengde_ect_yuan = (pub("combined_received", "chengde") - pub("cssf_received", "chengde")) * BILLION
published_sum = sum(v[0] for v in net.values())
nf_cd = -10.0
for _ in range(100):
    trial = {r: v[0] for r, v in net.items()}
    trial["chengde"] = nf_cd
    trial["xingtai"] = -(published_sum + nf_cd)
    x = allocate(trial, given_pairs)
    received = sum(x[p, "chengde"] * MT * std(p) for p in REGIONS if (p, "chengde") in x)
    mean_std = received / (-nf_cd * MT)
    nf_cd = -chengde_ect_yuan / mean_std / MT
net["chengde"] = (nf_cd, "estimated",
                  "combined received 2.860 minus CSSF received 2.458 billion yuan; NF chosen so that the proportional rule pays Chengde exactly that (build.py)")
net["xingtai"] = (-(published_sum + nf_cd), "estimated", "closes the balance: sum of NF over the 13 cities = 0 (Eq 10)")
assert all(r in net for r in REGIONS)
assert net["xingtai"][0] < 0 and net["chengde"][0] < 0 and net["hengshui"][0] > 0 and net["tianjin"][0] < 0

write(
    "ect-net.csv",
    ["region", "nf", "unit", "provenance", "note"],
    [[r, f"{net[r][0]:.6f}", "Mt CO2", net[r][1], net[r][2]] for r in REGIONS],
)
write(
    "ect-bilateral.csv",
    ["from", "to", "nt", "unit", "provenance", "note"],
    [[a, b, f"{mt:.6f}", "Mt CO2", p, n] for a, b, mt, p, n in pairs],
)

# ---------------------------------------------------------------- CSSF transfers (Table 3)
rows = []
for (quantity, output, input_), value in PUB.items():
    if quantity == "cssf_transfer":
        rows.append([output, input_, value, "Mt", "published", "Table 3 (printed in 10^4 t)"])
write("cssf-transfers.csv", ["output_region", "input_region", "transfer", "unit", "provenance", "note"], rows)

for r in REGIONS:
    print(f"{r:14s} NF {net[r][0]:12.6f} Mt ({net[r][1]}), standard {std(r):10.6f} ({standards[r][1]})")
