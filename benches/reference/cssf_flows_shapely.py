"""Reference for benches/cssf_flows.rs: the CSSF breakpoint flow model (METHOD.md, Eq 13-16)
written with shapely + pyproj, the way a GIS analyst would.

Usage: python cssf_flows_shapely.py DIR REPS [MASS]

Reads DIR/regions.txt (one region a line: `id supply demand lon lat lon lat ...`, an open
exterior ring in degrees), runs the same rule as fzc's default `BreakpointModel`:

- core: planar centroid of the polygon in lon/lat (shapely `centroid`, as geo's `Centroid`);
- role: CSSDR = (S - D) / (S + D); outputs > 0, inputs < 0;
- for each (output s, input r), s and r ascending: geodesic distance D between cores (WGS84),
  range R = D / (1 + sqrt(N_r / N_s)) with MASS (`demand`, the default, or `supply`) as N, geodesic circle of radius R
  around s's core through `vertices` points at bearings 360 - 360 i / vertices, intersection
  with r's polygon, its ellipsoidal area S (km2), intensity I = (S_s - D_s) / R^2 and
  transfer V = 0.6 * S * I.

Times the whole run (polygons, cores, pairs; not the file reading), the fastest of REPS.
Writes DIR/v_shapely.f64 (transfers, little-endian f64, pair order) and prints
`RESULT time_s=... peak_kib=...` (ru_maxrss).
"""

import math
import resource
import sys
import time

import numpy as np
from pyproj import Geod
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

K = 0.6
VERTICES = 720
GEOD = Geod(ellps="WGS84")


def read_regions(path):
    regions = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            coords = [float(v) for v in fields[3:]]
            ring = list(zip(coords[0::2], coords[1::2]))
            regions.append((fields[0], float(fields[1]), float(fields[2]), ring))
    return regions


def run(regions, mass):
    polys = [orient(Polygon(ring), 1.0) for _, _, _, ring in regions]
    cores = [(p.centroid.x, p.centroid.y) for p in polys]
    roles = []
    for _, s, d, _ in regions:
        total = s + d
        roles.append(0 if total == 0 else (1 if s > d else (-1 if s < d else 0)))
    outputs = [i for i, r in enumerate(roles) if r > 0]
    inputs = [i for i, r in enumerate(roles) if r < 0]
    bearings = 360.0 - 360.0 * np.arange(VERTICES) / VERTICES
    transfers = []
    for s in outputs:
        lon_s, lat_s = cores[s]
        _, supply_s, demand_s, _ = regions[s]
        surplus = supply_s - demand_s
        n_s = demand_s if mass == "demand" else supply_s
        for r in inputs:
            lon_r, lat_r = cores[r]
            n_r = regions[r][2] if mass == "demand" else regions[r][1]
            _, _, dist_m = GEOD.inv(lon_s, lat_s, lon_r, lat_r)
            dist_km = dist_m / 1000.0
            if dist_km > 0 and n_s > 0:
                range_km = dist_km / (1.0 + math.sqrt(n_r / n_s))
            else:
                range_km = 0.0
            area_km2 = 0.0
            if range_km > 0:
                lons, lats, _ = GEOD.fwd(
                    np.full(VERTICES, lon_s),
                    np.full(VERTICES, lat_s),
                    bearings,
                    np.full(VERTICES, range_km * 1000.0),
                )
                circle = Polygon(zip(lons, lats))
                if circle.intersects(polys[r]):
                    inter = circle.intersection(polys[r])
                    if not inter.is_empty:
                        area, _ = GEOD.geometry_area_perimeter(inter)
                        area_km2 = max(abs(area) / 1e6, 0.0)
            intensity = surplus / (range_km * range_km) if range_km > 0 else 0.0
            intensity = max(intensity, 0.0)
            transfers.append(K * area_km2 * intensity if area_km2 > 0 and intensity > 0 else 0.0)
    return transfers


def main():
    directory, reps = sys.argv[1], int(sys.argv[2])
    mass = sys.argv[3] if len(sys.argv) > 3 else "demand"
    if mass not in ("demand", "supply"):
        sys.exit(f"MASS must be demand or supply, not {mass!r}")
    regions = read_regions(f"{directory}/regions.txt")
    best = math.inf
    transfers = None
    for _ in range(reps):
        t0 = time.perf_counter()
        transfers = run(regions, mass)
        best = min(best, time.perf_counter() - t0)
    np.asarray(transfers, dtype="<f8").tofile(f"{directory}/v_shapely.f64")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"RESULT time_s={best:.6f} peak_kib={peak} pairs={len(transfers)}")


if __name__ == "__main__":
    main()
