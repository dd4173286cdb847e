#!/usr/bin/env python3
"""Builds the tables of the bth-2020 scenario from the paper's published numbers.

Inputs (both in this directory, copied unchanged from ../shared/data/bth-2020/):
  published.csv        every number Chen et al. (2025) publish for the case
  city-stats-2020.csv  population (2020 census) and GDP 2020 per city

Outputs (committed; `fzc run` reads them, this script is only needed to rebuild them):
  standards.csv, economy.csv, ect-net.csv, ect-bilateral.csv, cssf-transfers.csv
  derivations.csv      for every input value, the published.csv rows it came from (row ids
                       count data rows from 1, as docs/REPRODUCTION.md's `#` column), with
                       the rule; rows with input `published.csv` name published numbers that
                       are sums or copies of rows used (crates/scenario/tests/bth.rs reads it)

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
    rows, ids = {}, {}
    with open(os.path.join(HERE, "published.csv"), newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=1):
            key = (row["quantity"], row["region"], row["counterpart"])
            rows[key] = row["value"]
            ids[key] = n
    return rows, ids


PUB, PUB_ID = read_published()
USED = set()  # published row ids read since the last record()
DERIVATIONS = []  # (input file, key, published row ids, rule)


def pub_text(quantity, region, counterpart=""):
    USED.add(PUB_ID[(quantity, region, counterpart)])
    return PUB[(quantity, region, counterpart)]


def pub(quantity, region, counterpart=""):
    return float(pub_text(quantity, region, counterpart))


def record(name, key, rule):
    """Records that input `key` of file `name` came from the rows read since the last call."""
    DERIVATIONS.append((name, key, sorted(USED), rule))
    USED.clear()


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
STD_ROWS = {}  # region -> published rows its standard came from
standards["beijing"] = (pub("standard", "beijing"), "published", "section 5.2, highest tier")
STD_ROWS["beijing"] = set(USED)
record("standards.csv", "beijing", "copy")
for region, paid, tonnes, label in [
    ("tianjin", ("cssf_paid", "tianjin"), ("cssf_received_total", "tianjin"), "CSSF paid 2.836 billion / Table 3 total 63.9665 Mt"),
    ("tangshan", ("cssf_paid", "tangshan"), ("cssf_received_total", "tangshan"), "CSSF paid 2.725 billion / Table 3 total 59.5909 Mt"),
    ("handan", ("cssf_paid", "handan"), ("cssf_received_total", "handan"), "CSSF paid 0.023 billion / Table 3 total 1.7837 Mt (low precision)"),
    ("shijiazhuang", ("ect_paid", "shijiazhuang"), ("net_ect", "shijiazhuang"), "ECT paid 2.864 billion / NF 98.0608 Mt"),
    ("langfang", ("ect_paid", "langfang"), ("net_ect", "langfang"), "ECT paid 0.651 billion / NF 22.2755 Mt"),
    ("baoding", ("ect_paid", "baoding"), ("net_ect", "baoding"), "ECT paid 0.861 billion / NF 50.4899 Mt"),
    ("cangzhou", ("ect_paid", "cangzhou"), ("net_ect", "cangzhou"), "ECT paid 0.816 billion / NF 42.0635 Mt"),
]:
    paid, tonnes = pub(*paid), pub(*tonnes)
    standards[region] = (paid * BILLION / (tonnes * MT), "derived", label)
    # published.csv's own `standard` row for the city (kind `derived`) is this quotient rounded.
    printed = pub_text("standard", region)
    decimals = len(printed.split(".")[1])
    assert abs(standards[region][0] - float(printed)) <= 0.5 * 10 ** -decimals + 1e-9, region
    STD_ROWS[region] = set(USED)
    record("standards.csv", region, "amount / tonnes: " + label)
for region, midpoint in [("qinhuangdao", 25.0), ("xingtai", 16.30), ("zhangjiakou", 16.30),
                         ("chengde", 16.30), ("hengshui", 16.30)]:
    tier = pub_text("standard_tier", region)
    low, high = (float(v) for v in tier.split("-"))
    assert abs((low + high) / 2 - midpoint) < 1e-9, region
    standards[region] = (midpoint, "estimated", f"midpoint of its published tier {tier} yuan/t (section 5.2)")
    STD_ROWS[region] = set(USED)
    record("standards.csv", region, "midpoint of the published tier")
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
for r in REGIONS:
    record("economy.csv", r, "copy of city-stats-2020.csv (no published row)")


# ---------------------------------------------------------------- ECT bilateral pairs (fixed first)
def std(region):
    USED.update(STD_ROWS[region])
    return standards[region][0]


pairs = []  # (from, to, Mt, provenance, note)
PAIR_ROWS = set()  # every row the given pairs came from


def add_pair(pair, rule):
    pairs.append(pair)
    PAIR_ROWS.update(USED)
    record("ect-bilateral.csv", f"{pair[0]}->{pair[1]}", rule)


add_pair(("shijiazhuang", "tangshan", pub("ect_pair", "shijiazhuang", "tangshan") * BILLION / std("shijiazhuang") / MT,
          "derived", "ECT pair 1.988 billion yuan / Shijiazhuang's standard"), "amount / payer's standard")
add_pair(("beijing", "tangshan", pub("ect_pair", "beijing", "tangshan") * BILLION / std("beijing") / MT,
          "derived", "ECT pair 0.847 billion yuan / Beijing's standard 102.65"), "amount / payer's standard")
add_pair(("cangzhou", "tangshan", pub("combined_pair", "cangzhou", "tangshan") * BILLION / std("cangzhou") / MT,
          "derived", "combined pair 0.652 billion yuan (Cangzhou and Tangshan exchange no CSSF, so it is all ECT) / Cangzhou's standard"),
         "combined amount (no CSSF in the pair) / payer's standard")
# Tianjin: its total ECT receipt (0.106 billion) is attributed to Beijing, its only published ECT
# counterpart. The printed Beijing->Tianjin pair (0.273 billion) exceeds that total and is not used.
tianjin_nf = -pub("ect_received", "tianjin") * BILLION / std("beijing") / MT
TIANJIN_ROWS = set(USED)
add_pair(("beijing", "tianjin", -tianjin_nf, "estimated",
          "Tianjin's whole ECT receipt 0.106 billion yuan attributed to Beijing (its only published ECT counterpart) / 102.65; the printed pair 0.273 exceeds Tianjin's printed total"),
         "Tianjin's ECT receipt / Beijing's standard")

# ---------------------------------------------------------------- ECT region nets (Mt)
net = {}
NET_ROWS = {}  # region -> published rows its NF came from


def sign_checked(region, value):
    """Asserts the published sign of an estimated NF (section 4.3.1), recording its row."""
    assert value * pub("net_ect_sign", region) > 0, region
    return value


for r in REGIONS:
    key = ("net_ect", r, "")
    if key in PUB:
        net[r] = (pub(*key), "published", "section 4.1.2")
        NET_ROWS[r] = set(USED)
        record("ect-net.csv", r, "copy")
hengshui = sign_checked("hengshui", pub("ect_paid", "hengshui") * BILLION / std("hengshui") / MT)
net["hengshui"] = (hengshui, "estimated", "ECT paid 0.071 billion yuan / Hengshui's tier-midpoint standard 16.30")
NET_ROWS["hengshui"] = set(USED)
record("ect-net.csv", "hengshui", "ECT paid / tier-midpoint standard; sign as published")
USED.update(TIANJIN_ROWS)
net["tianjin"] = (sign_checked("tianjin", tianjin_nf), "estimated", "ECT received 0.106 billion yuan / Beijing's standard (see ect-bilateral.csv)")
NET_ROWS["tianjin"] = set(USED)
record("ect-net.csv", "tianjin", "ECT received / Beijing's standard; sign as published")

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
for rows_of in NET_ROWS.values():
    USED.update(rows_of)
USED.update(PAIR_ROWS)
nf_cd = -10.0
for _ in range(100):
    trial = {r: v[0] for r, v in net.items()}
    trial["chengde"] = nf_cd
    trial["xingtai"] = -(published_sum + nf_cd)
    x = allocate(trial, given_pairs)
    received = sum(x[p, "chengde"] * MT * std(p) for p in REGIONS if (p, "chengde") in x)
    mean_std = received / (-nf_cd * MT)
    nf_cd = -chengde_ect_yuan / mean_std / MT
net["chengde"] = (sign_checked("chengde", nf_cd), "estimated",
                  "combined received 2.860 minus CSSF received 2.458 billion yuan; NF chosen so that the proportional rule pays Chengde exactly that (build.py)")
chengde_rows = set(USED)
record("ect-net.csv", "chengde",
       "NF for which the proportional rule pays Chengde its combined minus CSSF receipt; sign as published")
USED.update(chengde_rows)
net["xingtai"] = (sign_checked("xingtai", -(published_sum + nf_cd)), "estimated", "closes the balance: sum of NF over the 13 cities = 0 (Eq 10)")
record("ect-net.csv", "xingtai", "closes the balance (sum of NF = 0, Eq 10); sign as published")
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
        rows.append([output, input_, pub_text(quantity, output, input_), "Mt", "published", "Table 3 (printed in 10^4 t)"])
        record("cssf-transfers.csv", f"{output}->{input_}", "copy")
write("cssf-transfers.csv", ["output_region", "input_region", "transfer", "unit", "provenance", "note"], rows)

# ---------------------------------------------------------------- scenario.toml's price
with open(os.path.join(HERE, "scenario.toml"), encoding="utf-8") as f:
    toml_price = [line.split("=")[1].split("#")[0].strip() for line in f
                  if line.startswith("price_yuan_per_tonne")]
assert toml_price == [pub_text("carbon_price", "all")], toml_price
record("scenario.toml", "price_yuan_per_tonne", "copy")


# ---------------------------------------------------------------- published sums and copies
# Published numbers that are, by the paper's own arithmetic, a sum or a copy of rows used
# above: matching them checks nothing beyond those rows. Each relation is asserted.
def implied(quantity, region, counterpart, terms, rule):
    value = pub(quantity, region, counterpart)
    row = PUB_ID[(quantity, region, counterpart)]
    USED.discard(row)
    total = sum(sign * pub(*key) for sign, key in terms)
    assert abs(total - value) < 1e-9, (quantity, region, total, value)
    record("published.csv", str(row), rule)


implied("combined_paid", "tianjin", "",
        [(1, ("cssf_paid", "tianjin", "")), (-1, ("ect_received", "tianjin", ""))],
        "CSSF paid minus ECT received")
implied("combined_paid", "hengshui", "", [(1, ("ect_paid", "hengshui", ""))],
        "copy of ECT paid (Hengshui has no CSSF)")
implied("combined_pair", "shijiazhuang", "tangshan", [(1, ("ect_pair", "shijiazhuang", "tangshan"))],
        "copy of the ECT pair (no CSSF between them)")

write("derivations.csv", ["input", "key", "published_rows", "rule"],
      [[name, key, ";".join(str(r) for r in rows_), rule] for name, key, rows_, rule in DERIVATIONS])

for r in REGIONS:
    print(f"{r:14s} NF {net[r][0]:12.6f} Mt ({net[r][1]}), standard {std(r):10.6f} ({standards[r][1]})")
