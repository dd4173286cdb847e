//! The long `--help` texts: each command's output files, their columns, units and sign
//! conventions (kept in step with `docs/formats/`; `tests/help_cli.rs` checks the columns).

/// Mass units accepted wherever a table's unit is given.
macro_rules! mass_units {
    () => {
        "Accepted mass units (--unit, --emissions-unit, scenario `unit` keys): kg, t, 10^4 t, \
kt (= Gg), Mt (= Tg), Gt, optionally followed by CO2 or CO2e (\"Mt CO2\")."
    };
}

/// How pixel areas are measured.
macro_rules! pixel_area {
    () => {
        "Pixel areas: ellipsoidal (WGS84, exact) for lon/lat grids; planar |dx * dy| in the \
grid's CRS units for projected grids (exact for equal-area projections such as Albers or LAEA, \
approximate for others: UTM's scale error is below 0.1 %). Polygon areas are always \
ellipsoidal."
    };
}

/// How the raster CRS is read.
macro_rules! raster_crs {
    () => {
        "Raster CRS: the EPSG code in the GeoTIFF's GeoKeys. Geographic codes read as WGS84 \
lon/lat: 4326, 4490 (CGCS2000), 4258, 4269, 4283, 7844, 4674, 4612, 6668, 4167, 4619, 4737; \
another geographic code, or keys that give no code (user-defined 32767 or missing, as in \
MODIS products), is an error unless --raster-crs EPSG:<code> names the CRS to use."
    };
}

/// `supply.tif`.
macro_rules! supply_tif {
    () => {
        "  supply.tif          Eq 11 per pixel: carbon stock of the pixel, pools (t C/ha) x \
pixel area, in t C (as the paper), or t CO2 with --supply-unit co2 (x 44/12); nodata -9999 \
(GDAL_NODATA) where the land use is nodata or its class has no pools. Grid: the land-use \
raster's window over the regions.\n"
    };
}

/// `supply-regions.csv`.
macro_rules! supply_regions {
    () => {
        "  supply-regions.csv  region,supply: the region's supply (coverage-weighted pixel sum), \
t C (or t CO2 with --supply-unit co2).\n"
    };
}

/// `demand.tif` and `demand-regions.csv`.
macro_rules! demand_files {
    () => {
        "  demand.tif          Eq 12 per pixel, t CO2 (population x theta of the pixel's zone, \
calibrated so that each region sums to its emissions); nodata -9999 outside the regions.\n  \
demand-regions.csv  region,demand: t CO2, equal to the region's emissions in t.\n"
    };
}

/// `cssf-regions.csv`, `cssf-flows.csv`, `cssf-flows.geojson`.
macro_rules! flow_files {
    () => {
        "  cssf-regions.csv    region,supply,demand,cssdr,role,core_lon,core_lat: supply and \
demand in t; cssdr = (S - D)/(S + D) (Eq 13, empty when S + D = 0); role output (cssdr > 0, \
provides service), input (cssdr < 0, draws service) or balanced; core in degrees (WGS84).\n  \
cssf-flows.csv      from,to,distance_km,range_km,area_km2,intensity,transfer: one row per \
output -> input pair; `from` provides the service, `to` receives it; distance and breakpoint \
range in km (geodesic), overlap area in km2, intensity in t/km2, transfer in t (>= 0; the \
receiving region `to` is the one that pays in the ledger).\n  \
cssf-flows.geojson  the pairs with transfer > 0 as lines from -> to, same properties.\n"
    };
}

/// `fzc run`.
pub const RUN: &str = concat!(
    "Outputs, in --out (default out/<scenario name>/; docs/formats/scenario.md):\n",
    "  zoning.csv\n",
    "    region,class,nf,v_net,benchmark,benchmark_zone,tc_eq17,ledger_paid,ledger_received,ledger_net,zone,flag\n",
    "                nf (NF), v_net (V_net) and benchmark (L = NF + V_net) in t CO2; tc_eq17 and\n",
    "                ledger_* in yuan; ledger_net > 0: the region pays, < 0: it receives.\n",
    "                zone: the final zone, the sign of ledger_net (payer/recipient/none);\n",
    "                benchmark_zone: the sign of L; flag = true where the two differ.\n",
    "  ledger.csv    payer,payee,layer,tonnes,standard,amount: layer ect, cssf or combined;\n",
    "                tonnes t CO2 owed by payer to payee; standard yuan/t (empty for combined);\n",
    "                amount yuan, always > 0, paid by payer to payee.\n",
    "  summary.json  units, pricing options, standards (yuan/t), zones by tonnes and by ledger,\n",
    "                flagged regions, per-layer totals (pairs, yuan, t CO2), total paid (yuan).\n",
    "  report.html, figures/*.svg|png, results.gpkg, results-<layer>.geojson: the report\n",
    "                (docs/formats/report-html.md, results-gpkg.md).\n",
    "  With [ect] years (a year series, mrio = \"tables/{year}\") also zoning-series.csv:\n",
    "                year, then the columns of zoning.csv, one block of rows per year (each\n",
    "                year's ECT with the rest unchanged; docs/formats/zoning-series.md). The\n",
    "                other outputs, the table and the report are those of the last year.\n",
    "  With a [cssf.rasters] scenario also supply-regions.csv (t C, or t CO2), demand-regions.csv\n",
    "                (t CO2), supply.tif, demand.tif and cssdr.tif (nodata -9999), as `fzc cssf run`.\n",
    "The printed table shows amounts in billion yuan and tonnes in Mt CO2 (> 0 pays, < 0\n",
    "receives); --json prints summary.json instead.\n",
    mass_units!(),
    "\n",
    pixel_area!(),
);

/// `fzc compare`.
pub const COMPARE: &str = concat!(
    "Outputs, in --out (default out/<scenario name>/; docs/formats/scenario.md):\n",
    "  compare.csv   region, then per scheme <name>_amount (the region's net over the combined\n",
    "                ledger, yuan, > 0 pays, < 0 receives; for eq17 the Eq 17 amount L * P * gamma)\n",
    "                and <name>_zone (payer/recipient/none, the sign of that amount), and for\n",
    "                every scheme after the first <name>_diff (its amount minus the first's, yuan).\n",
    "  the report (report.html, figures/ with scheme-comparison.*, results.gpkg,\n",
    "                results-<layer>.geojson) of the first scheme.\n",
    "The printed table shows the same in billion yuan; --json prints it as JSON.\n",
    mass_units!(),
);

/// `fzc ect`.
pub const ECT: &str = concat!(
    "Outputs, in --out (values in the stressor's unit, e.g. t CO2; docs/formats/ect-*.md):\n",
    "  ect-regions.csv    region,production,consumption,inflow,outflow,net\n",
    "                     production = sum over s of T[r,s] (released in r); consumption = sum\n",
    "                     over r of T[r,s] (caused by s's final demand); inflow IF = released in r\n",
    "                     for other regions; outflow OF = released elsewhere for r; net NF = OF -\n",
    "                     IF: > 0 a net beneficiary (payer), < 0 a net bearer (recipient).\n",
    "  ect-bilateral.csv  from,to,total,intermediate,final: one row per ordered pair (m x m);\n",
    "                     emissions released in `from` caused by `to`'s final demand;\n",
    "                     total = intermediate + final. Net transfer NT[r,s] = T[s,r] - T[r,s].\n",
    "With --method eebt the columns hold emissions embodied in bilateral trade instead.\n",
    "Several stressors (--stressor repeated, or --stressor all for every mass stressor):\n",
    "  one factorisation of I - A and one solve serve them all; both files are then in long\n",
    "  form, with extension,stressor,unit before the columns above, one block per stressor.\n",
    "  `all` skips, with a warning, mass stressors holding negative or non-finite values.\n",
    "Year series (--mrio 'IOT_{year}_pxp.zip' --years 2015..2022, or 2015,2017): every year\n",
    "  is read and factored on its own; both files are in long form with a leading year\n",
    "  column. Every year's table must exist: the missing ones are named before any is read.\n",
    "--format-out parquet also writes ect-regions.parquet and ect-bilateral.parquet: the\n",
    "  long-form columns (extension,stressor,unit first, even for one stressor), text and\n",
    "  doubles, one row group per stressor; for EXIOBASE-size runs where CSV is slow.\n",
    "--energy applies Eq 1 (E = sum over carriers of tce x K x 44/12; K from the shipped IPCC\n",
    "  2006 table or --coefficients) and adds the stressor eq1/CO2 in t (docs/formats/energy.md).\n",
    "--region-map sums the accounts of table regions into study regions (from_region,\n",
    "  to_region; docs/formats/concordance.md): T is aggregated, not recomputed, so flows\n",
    "  between members of one study region become internal to it.\n",
    "--emissions is for a CEADs .mat or OECD ICIO table, --city-names for CEADs; --extension for pymrio\n",
    "and EXIOBASE (satellite, impacts).\n",
    "The printed summary names the unit; --json prints it as JSON.\n",
    mass_units!(),
);

/// `fzc cssf supply`.
pub const CSSF_SUPPLY: &str = concat!(
    "Outputs, in --out:\n",
    supply_regions!(),
    supply_tif!(),
    pixel_area!(),
    "\n",
    raster_crs!(),
    "\nNo JSON summary: --json is refused.",
);

/// `fzc cssf demand`.
pub const CSSF_DEMAND: &str = concat!(
    "Outputs, in --out:\n",
    demand_files!(),
    mass_units!(),
    "\n",
    pixel_area!(),
    "\n",
    raster_crs!(),
    "\nNo JSON summary: --json is refused.",
);

/// `fzc cssf flows`.
pub const CSSF_FLOWS: &str = concat!(
    "Outputs, in --out (supply and demand converted from --unit to t):\n",
    flow_files!(),
    "The printed summary lists each region's CSSDR and role; --json prints it as JSON.\n",
    mass_units!(),
);

/// `fzc cssf run`.
pub const CSSF_RUN: &str = concat!(
    "Outputs, in --out:\n",
    supply_regions!(),
    supply_tif!(),
    demand_files!(),
    "  cssdr.tif           Eq 13 per pixel, (S - D)/(S + D) in [-1, 1]; nodata -9999 where\n",
    "                      supply or demand has no data or S + D = 0.\n",
    flow_files!(),
    mass_units!(),
    "\n",
    pixel_area!(),
    "\n",
    raster_crs!(),
    "\nNo JSON summary: --json is refused.",
);

/// `fzc plugins …`.
pub const PLUGINS: &str = "Writes no files: prints to stdout. No JSON summary: --json is \
refused. Plugins are documented in docs/PLUGINS.md.";
