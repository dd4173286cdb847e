#!/bin/sh
# Regenerates the committed inputs of this example from the project's shared open data.
#
#   sh make_inputs.sh [SHARED_DATA_DIR]      (default: ../../../shared/data)
#
# 1. landcover-bth.tif: MODIS MCD12C1 v006 land cover 2019 (IGBP "Type 1" legend, 0.05°,
#    nodata 255; NASA LP DAAC, no use restrictions), cropped to the BTH bounding box
#    (113.47–119.87 E, 36.05–42.62 N) plus a margin of about 0.5°: 113.0–120.5 E,
#    35.5–43.0 N, aligned to the 0.05° grid (150 x 150 pixels). Pixel values are unchanged.
# 2. census.csv: resident population 2020 (seventh national census) per city, copied from
#    bth-2020/city-stats-2020.csv.
# emissions.csv is written by hand from published.csv (see README.md); it is not regenerated.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/../../../shared/data}
gdal_translate -q -projwin 113.0 43.0 120.5 35.5 \
  -co COMPRESS=DEFLATE -co TILED=NO -co BLOCKYSIZE=16 \
  "$data/landcover/MCD12C1.A2019001.006.tif" "$here/landcover-bth.tif"
rm -f "$here/landcover-bth.tif.aux.xml"
awk -F, 'NR == 1 { print "region,population"; next } { print $1 "," $3 }' \
  "$data/bth-2020/city-stats-2020.csv" > "$here/census.csv"
