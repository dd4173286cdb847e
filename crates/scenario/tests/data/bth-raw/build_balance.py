"""Builds balance.csv, the CSS supply/demand table of the bth-raw test scenario.

Run from the workspace root:  python3 crates/scenario/tests/data/bth-raw/build_balance.py
(standard library only). Inputs: examples/bth-2020/published.csv (the paper's values, with
sections), examples/bth-2020/city-stats-2020.csv (population) and
examples/bth-2020/boundaries/*.geojson (areas).

Every value carries a provenance:
- published: sections 4.2.1 (supply) and 4.2.2 (demand) print it, in Mt;
- derived: the supply of Tianjin, Tangshan and Handan follows from their published demand and
  CSSDR (section 4.2.3, two decimals): CSSDR = (S - D)/(S + D)  =>  S = D (1 + c)/(1 - c);
- estimated: for the six regions where the paper prints neither, the published study-area
  totals minus every published or derived value are split among them, supply in proportion to
  polygon area (a spherical-excess area on R = 6371.0088 km; only the proportions matter) and
  demand in proportion to 2020 population. This is an assumption made so that the scenario
  runs end to end, not a reproduction of the paper's rasters.
"""

import csv
import json
import math
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[5]
EXAMPLE = ROOT / "examples" / "bth-2020"
OUT = pathlib.Path(__file__).resolve().parent / "balance.csv"
R_KM = 6371.0088


def ring_area_km2(ring):
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(ring, ring[1:] + ring[:1]):
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2))
        )
    return abs(total) * R_KM * R_KM / 2


def region_area_km2(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    area = 0.0
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            area += ring_area_km2(polygon[0])
            area -= sum(ring_area_km2(hole) for hole in polygon[1:])
    return area


def main():
    published = {}
    with open(EXAMPLE / "published.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            published[(row["quantity"], row["region"])] = float(row["value"]) if row[
                "quantity"
            ] in ("css_supply", "css_demand", "css_supply_total", "css_demand_total", "cssdr") else None
    population = {}
    with open(EXAMPLE / "city-stats-2020.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            population[row["region"]] = float(row["population_2020"])
    regions = sorted(population)
    area = {r: region_area_km2(EXAMPLE / "boundaries" / f"{r}.geojson") for r in regions}

    supply, demand = {}, {}
    for r in regions:
        if ("css_supply", r) in published:
            supply[r] = (published[("css_supply", r)], "published", "4.2.1")
        if ("css_demand", r) in published:
            demand[r] = (published[("css_demand", r)], "published", "4.2.2")
    for r in regions:
        if r not in supply and r in demand and ("cssdr", r) in published:
            c = published[("cssdr", r)]
            d = demand[r][0]
            supply[r] = (d * (1 + c) / (1 - c), "derived", f"S = D(1+c)/(1-c), c = {c} (4.2.3)")
    rest_s = published[("css_supply_total", "all")] - sum(v[0] for v in supply.values())
    rest_d = published[("css_demand_total", "all")] - sum(v[0] for v in demand.values())
    open_s = [r for r in regions if r not in supply]
    open_d = [r for r in regions if r not in demand]
    area_sum = sum(area[r] for r in open_s)
    pop_sum = sum(population[r] for r in open_d)
    for r in open_s:
        supply[r] = (rest_s * area[r] / area_sum, "estimated",
                     f"{rest_s:.4f} Mt unassigned supply split by area")
    for r in open_d:
        demand[r] = (rest_d * population[r] / pop_sum, "estimated",
                     f"{rest_d:.4f} Mt unassigned demand split by population")

    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["region", "supply", "demand", "supply_provenance", "demand_provenance", "note"])
        for r in regions:
            s, d = supply[r], demand[r]
            w.writerow([r, f"{s[0]:.4f}", f"{d[0]:.4f}", s[1], d[1], f"supply: {s[2]}; demand: {d[2]}"])


if __name__ == "__main__":
    main()
