"""Reference and data generator for benches/zonal.rs: zonal sums with exactextract.

Usage:
  python zonal_exactextract.py generate DIR SIZE   # writes supply.tif, pop.tif, regions.txt
  python zonal_exactextract.py run DIR             # exactextract sums, timed

`generate` writes a deterministic (numpy seed 2025) float32 raster pair of SIZE x SIZE cells,
DEFLATE-compressed, tiled 256 x 256, EPSG:4326 over 110-120 E, 30-40 N, written by windows of
256 rows so memory stays small; and 300 star-shaped 24-vertex polygons on a jittered 20 x 15
grid over the extent (`regions.txt`: `id lon lat lon lat ...`).

`run` computes, for each polygon and each raster, exactextract's `sum` (cell value times the
exact covered fraction of the cell), times it (not counting reading the polygon file), writes
DIR/sums_exactextract.f64 (supply sums then population sums, little-endian f64, region order)
and prints `RESULT time_s=... peak_kib=...` (ru_maxrss).
"""

import math
import resource
import sys
import time

import numpy as np

LON0, LAT0, SPAN = 110.0, 30.0, 10.0
TILE = 256


def generate(directory, size):
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    rng = np.random.default_rng(2025)
    transform = from_origin(LON0, LAT0 + SPAN, SPAN / size, SPAN / size)
    profile = dict(
        driver="GTiff", width=size, height=size, count=1, dtype="float32", crs="EPSG:4326",
        transform=transform, tiled=True, blockxsize=TILE, blockysize=TILE, compress="deflate",
    )
    cols = np.arange(size, dtype=np.float64)
    with rasterio.open(f"{directory}/supply.tif", "w", **profile) as sup, \
            rasterio.open(f"{directory}/pop.tif", "w", **profile) as pop:
        for row0 in range(0, size, TILE):
            rows = min(TILE, size - row0)
            r = np.arange(row0, row0 + rows, dtype=np.float64)[:, None]
            smooth = 2.0 + np.sin(cols[None, :] * 12.0 / size) * np.cos(r * 9.0 / size)
            noise = rng.random((rows, size))
            sup.write((smooth * (0.5 + noise)).astype(np.float32), 1,
                      window=Window(0, row0, size, rows))
            people = np.where(noise > 0.7, 50.0 * noise * smooth, 0.0)
            pop.write(people.astype(np.float32), 1, window=Window(0, row0, size, rows))
    cols_g, rows_g = 20, 15
    cw, ch = SPAN / cols_g, SPAN / rows_g
    with open(f"{directory}/regions.txt", "w", encoding="utf-8") as f:
        for i in range(cols_g * rows_g):
            c, r = i % cols_g, i // cols_g
            cx = LON0 + (c + 0.5 + 0.2 * (rng.random() - 0.5)) * cw
            cy = LAT0 + (r + 0.5 + 0.2 * (rng.random() - 0.5)) * ch
            pts = []
            for k in range(24):
                a = 2 * math.pi * k / 24
                fr = 0.45 + 0.2 * rng.random()
                pts.append(f"{cx + fr * cw * math.cos(a)!r} {cy + fr * ch * math.sin(a)!r}")
            f.write(f"Z{i:03d} " + " ".join(pts) + "\n")


def read_regions(path):
    features = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            coords = [float(v) for v in fields[1:]]
            ring = list(zip(coords[0::2], coords[1::2]))
            ring.append(ring[0])
            features.append({
                "type": "Feature", "properties": {"id": fields[0]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
    return features


def run(directory):
    import rasterio
    from exactextract import exact_extract

    features = read_regions(f"{directory}/regions.txt")
    t0 = time.perf_counter()
    values = []
    for name in ("supply", "pop"):
        with rasterio.open(f"{directory}/{name}.tif") as rast:
            out = exact_extract(rast, features, "sum", output="geojson")
        values += [float(f["properties"]["sum"]) for f in out]
    elapsed = time.perf_counter() - t0
    np.asarray(values, dtype="<f8").tofile(f"{directory}/sums_exactextract.f64")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"RESULT time_s={elapsed:.6f} peak_kib={peak}")


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        run(sys.argv[2])
