#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the repo's fixtures.

Standard library only. Multi-file inputs are archives in the format of
tests/harness.rs: entries `@@@ <relative path>\n<contents>`, joined by a newline.
Run from anywhere: `python3 fuzz/make_seeds.py`. It overwrites the seed files it names and
leaves other files in the corpus directories alone.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def archive(entries):
    """entries: [(name, bytes)] -> one archive input."""
    return b"\n".join(b"@@@ " + name.encode() + b"\n" + data for name, data in entries)


def seed(target, name, data):
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)


def read(rel):
    return (ROOT / rel).read_bytes()


# GeoTIFF: every encoding fixture under 8 KB, and the small storage land-use grid.
for tif in sorted((ROOT / "tests/fixtures/raster/encodings").glob("*.tif")):
    if tif.stat().st_size <= 8192:
        seed("geotiff", tif.name, tif.read_bytes())
seed("geotiff", "storage_lulc.tif", read("tests/fixtures/raster/storage/lulc.tif"))
seed("geotiff", "bth_landcover.tif", read("examples/bth-2020-open/landcover-bth.tif"))

# MAT v5: the small CEADs fixture, and a bare header.
mat = read("tests/fixtures/mrio/small-ceads.mat")
seed("mat_v5", "small-ceads.mat", mat)
seed("mat_v5", "header-only.mat", mat[:128])

# CEADs: the .mat with its emissions CSV, with and without city names.
emissions = read("tests/fixtures/mrio/small-ceads-emissions.csv")
seed("ceads_mat", "small-ceads", archive([("mrio.mat", mat), ("emissions.csv", emissions)]))
n_cities = 2
names = b"region\n" + b"".join(b"city%d\n" % i for i in range(n_cities))
seed("ceads_mat", "small-ceads-names", archive(
    [("mrio.mat", mat), ("emissions.csv", emissions), ("city_names.csv", names)]))

# pymrio save_all folders: both fixtures, every file (extensions in sub-folders).
for label, rel in [("mrio-small", "examples/mrio-small"),
                   ("small-pymrio", "tests/fixtures/mrio/small-pymrio")]:
    base = ROOT / rel
    files = sorted(p for p in base.rglob("*")
                   if p.is_file() and p.suffix in (".txt", ".json"))
    seed("pymrio_folder", label,
         archive([(str(p.relative_to(base)), p.read_bytes()) for p in files]))

# MRIO CSV set: the crate-level doc example, and one with x.csv and a unit column.
seed("mrio_csv", "doc-example", archive([
    ("Z.csv", b"from_region,from_sector,to_region,to_sector,value\nnan,farming,nan,farming,20\n"),
    ("Y.csv", b"region,sector,demand_region,value\nnan,farming,nan,80\n"),
    ("emissions.csv", b"stressor,region,sector,value[Mt CO2]\nCO2,nan,farming,5\n"),
]))
seed("mrio_csv", "two-regions", archive([
    ("Z.csv", b"from_region,from_sector,to_region,to_sector,value\n"
              b"a,s1,a,s1,10\na,s1,b,s2,5\nb,s2,a,s1,3\nb,s2,b,s2,7\n"),
    ("Y.csv", b"region,sector,demand_region,value\na,s1,a,50\nb,s2,b,40\na,s1,b,2\n"),
    ("x.csv", b"region,sector,value\na,s1,67\nb,s2,52\n"),
    ("emissions.csv", b"stressor,region,sector,value[t CO2]\nCO2,a,s1,5\nCO2,b,s2,1.5e1\n"),
]))

# GeoJSON: the zonal and storage region files, one small BTH city, a bare Polygon.
seed("geojson_regions", "storage.geojson", read("tests/fixtures/raster/storage/regions.geojson"))
seed("geojson_regions", "zonal.geojson", read("tests/fixtures/raster/zonal/regions.geojson"))
seed("geojson_regions", "polygon.geojson",
     b'{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon",'
     b'"coordinates":[[[116,39],[117,39],[117,40],[116,40],[116,39]],'
     b'[[116.2,39.2],[116.4,39.2],[116.4,39.4],[116.2,39.2]]]}}')
seed("geojson_regions", "multi.geojson",
     b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":7},'
     b'"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],'
     b'[[[2,2],[3,2],[3,3],[2,2]]]]}}]}')

# Shapefiles: both fixture sets (GBK names, CGCS2000 Gauss-Kruger), ids from `name`.
for label, rel in [("gbk-cities", "crates/io/tests/fixtures/geo/gbk-cities"),
                   ("cgcs2000-gk", "crates/io/tests/fixtures/geo/cgcs2000-gk")]:
    base = ROOT / rel
    entries = [("regions" + ext, (base / ("cities" + ext)).read_bytes())
               for ext in (".shp", ".shx", ".dbf", ".cpg", ".prj")]
    seed("shapefile_regions", label, archive(entries + [("id_field", b"name")]))

# Scenario: the BTH case with its tables, and a minimal one.
bth = ROOT / "examples/bth-2020"
seed("scenario_toml", "bth-2020", archive(
    [("scenario.toml", (bth / "scenario.toml").read_bytes())]
    + [(n, (bth / n).read_bytes()) for n in
       ("standards.csv", "economy.csv", "ect-net.csv", "ect-bilateral.csv",
        "cssf-transfers.csv")]))
seed("scenario_toml", "minimal", archive([
    ("scenario.toml", b'name = "t"\nregions = ["a", "b"]\n\n[pricing]\n'
                      b'price_yuan_per_tonne = 10\nscheme = "paper"\nstandards = "s.csv"\n\n'
                      b'[ect]\nnet = "n.csv"\n\n[cssf]\ntransfers = "c.csv"\n'),
    ("s.csv", b"region,yuan_per_tonne,provenance\na,1,published\nb,2,estimated\n"),
    ("n.csv", b"region,nf,unit,provenance\na,5,t CO2,published\nb,-5,t CO2,published\n"),
    ("c.csv", b"output_region,input_region,transfer,unit,provenance\na,b,1,t,published\n"),
]))
# The same set as Excel saves it: CRLF line breaks, and a blank line (line numbers count
# through fzc_io::UnixLines).
seed("mrio_csv", "two-regions-crlf", archive([
    ("Z.csv", b"from_region,from_sector,to_region,to_sector,value\r\n\r\n"
              b"a,s1,a,s1,10\r\na,s1,b,s2,5\r\nb,s2,a,s1,3\r\nb,s2,b,s2,7\r\n"),
    ("Y.csv", b"region,sector,demand_region,value\r\na,s1,a,50\r\nb,s2,b,40\r\n\r\na,s1,b,2\r\n"),
    ("emissions.csv", b"stressor,region,sector,value[t CO2]\r\nCO2,a,s1,5\r\nCO2,b,s2,1.5e1\r\n"),
]))

# CSV tables: the first byte picks the reader (tests/harness.rs, csv_tables).
data = ROOT / "crates/cssf-flow/data"
seed("csv_tables", "0-pools", b"\x00" + (data / "paper-pools.csv").read_bytes())
seed("csv_tables", "0-pools-storage", b"\x00" + read("tests/fixtures/raster/storage/pools.csv"))
seed("csv_tables", "1-class-map", b"\x01" + (data / "igbp-to-paper-classes.csv").read_bytes())
seed("csv_tables", "2-class-weights", b"\x02" + (data / "dasymetric-weights.csv").read_bytes())
seed("csv_tables", "3-region-balance",
     b"\x03region,supply,demand,core_lon,core_lat\na,1.5,2,116.4,39.9\nb,3,0,,\n")
seed("csv_tables", "4-region-emissions", b"\x04" + read("examples/bth-2020-open/emissions.csv"))
seed("csv_tables", "5-region-emissions-agri",
     b"\x05region,emissions,agricultural_emissions\na,10,2\nb,4,0.5\n")
seed("csv_tables", "6-census", b"\x06" + read("examples/bth-2020-open/census.csv"))
seed("csv_tables", "7-concordance",
     b"\x07from_sector,to_sector\ns01,agriculture\ns02,industry\ns03,industry\n")
seed("csv_tables", "3-region-balance-crlf",
     b"\x03region,supply,demand\r\n\r\na,1.5,2\r\nb,3,0\r")
seed("csv_tables", "7-concordance-crlf",
     b"\x07from_sector,to_sector\r\ns01,agriculture\r\n\r\ns02,industry\r\n")


# Publishers' archives (issue 13): the EXIOBASE and pymrio zips, an ICIO table with its
# emissions, the Eora26 zip, and the v7.3 CEADs file.
seed("mrio_zip", "iot-2022-pxp", read("tests/fixtures/exiobase3/IOT_2022_pxp.zip"))
seed("mrio_zip", "small-pymrio", read("tests/fixtures/exiobase3/small-pymrio.zip"))
seed("oecd_icio", "icio-2023", archive([
    ("ICIO2023_2019.csv", read("tests/fixtures/oecd-icio/ICIO2023_2019.csv")),
    ("emissions.csv", read("tests/fixtures/oecd-icio/emissions-ICIO2023.csv")),
]))
seed("oecd_icio", "icio-2021-as-2023", archive([
    ("ICIO2023_2019.csv", read("tests/fixtures/oecd-icio/ICIO2021_2018.csv")),
    ("emissions.csv", read("tests/fixtures/oecd-icio/emissions-ICIO2021.csv")),
]))
seed("eora26", "eora26-2015-bp", read("tests/fixtures/eora26/Eora26_2015_bp.zip"))
seed("mat_v73", "small-ceads-v73", read("tests/fixtures/mrio/small-ceads-v73.mat"))

# GLORIA (a release folder as an archive of its three downloads) and the CEADs provincial
# workbook.
seed("gloria", "gloria-059-2022", archive([
    (name, read(f"tests/fixtures/gloria/release/{name}"))
    for name in ["GLORIA_MRIOs_59_2022.zip", "GLORIA_SatelliteAccounts_059_2022.zip",
                 "GLORIA_ReadMe_059.xlsx"]
]))
seed("ceads_xlsx", "ceads-provincial-2018",
     read("tests/fixtures/ceads-provincial/CEADs China provincial MRIO 2018.xlsx"))
