"""fzc.cssf: the carbon sequestration service flow layer on its own, as ``fzc cssf flows``
and ``fzc cssf run`` compute it (METHOD section 2, Eq 11-16).

    import fzc
    res = fzc.cssf.flows("regions.geojson", balance="balance.csv", k=0.6)
    res.regions     # columns of cssf-regions.csv: region, supply, demand, cssdr, role, core
    res.flows       # columns of cssf-flows.csv: from, to, distance_km, ..., transfer
    res = fzc.cssf.run(lulc="lulc.tif", pools="pools.csv", regions="regions.geojson",
                       emissions="emissions.csv", population="pop.tif", out="out/cssf")
    res.balance     # region, supply, demand, cssdr per region (Eq 11-13)
    sup = fzc.cssf.supply(lulc_array, pools_df, gdf, transform=affine, crs="EPSG:4326")
    sup.regions     # columns of supply-regions.csv: region, supply
    sup.pixels      # numpy array, supply per pixel of the regions' window (NaN: nodata)

The tables are read from exactly the text the CLI writes (same columns, rows and rounding).
Both calls release the GIL while the library runs; a :class:`fzc.FlowModel` object passed as
``model`` replaces the breakpoint model's flows and cores, as ``--plugin`` does.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _fzc
from . import _csv, _path, _Progress, _table_path

__all__ = ["CssfFlows", "CssfLayer", "CssfRun", "demand", "flows", "read_raster", "run",
           "supply"]

#: Columns of ``cssf-regions.csv`` (docs/formats/regions.md).
REGIONS_COLUMNS = ["region", "supply", "demand", "cssdr", "role", "core_lon", "core_lat"]
#: Columns of ``cssf-flows.csv`` (docs/formats/regions.md).
FLOWS_COLUMNS = ["from", "to", "distance_km", "range_km", "area_km2", "intensity", "transfer"]

PathLike = Union["os.PathLike[str]", str]


@dataclass
class CssfFlows:
    """Result of :func:`flows`: ``regions`` and ``flows`` have the columns of
    ``cssf-regions.csv`` and ``cssf-flows.csv``; ``notes`` (overlapping regions, the flow
    model used) and ``written`` (the files, with ``out``)."""

    regions: pd.DataFrame
    flows: pd.DataFrame
    notes: List[str] = field(default_factory=list)
    written: List[str] = field(default_factory=list)


@dataclass
class CssfRun(CssfFlows):
    """Result of :func:`run`: as :class:`CssfFlows`, plus ``balance`` (region, supply,
    demand, cssdr: Eq 11, 12, 13 per region; supply in t C with ``supply_unit="as-paper"``,
    else t CO2; demand t CO2) and the demand ``estimator`` used."""

    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    estimator: str = ""


class _Regions:
    """A path, or a GeoDataFrame written to a temporary GeoJSON file in WGS84 lon/lat."""

    def __init__(self, regions: Any, id_field: Optional[str]) -> None:
        self.tmp: Optional[tempfile.TemporaryDirectory[str]] = None
        self.id_field = id_field
        if isinstance(regions, (str, os.PathLike)):
            self.path = os.fspath(regions)
            return
        if not (hasattr(regions, "geometry") and callable(getattr(regions, "to_json", None))):
            raise TypeError(
                f"regions: got {type(regions).__name__}, expected a path (GeoJSON file or "
                "folder, or .shp) or a geopandas GeoDataFrame"
            )
        if id_field is None:
            if "region" not in regions.columns:
                raise ValueError(
                    "regions: a GeoDataFrame needs id_field= naming its region-id column "
                    "(or a column named 'region')"
                )
            self.id_field = "region"
        crs = getattr(regions, "crs", None)
        if crs is None:
            raise ValueError("regions: the GeoDataFrame has no CRS; set it (e.g. "
                             "gdf.set_crs(4326)) so fzc can use lon/lat degrees")
        if crs.to_epsg() != 4326:
            regions = regions.to_crs(4326)
        self.tmp = tempfile.TemporaryDirectory(prefix="fzc-regions-")
        self.path = os.path.join(self.tmp.name, "regions.geojson")
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(regions.to_json())

    def __enter__(self) -> "_Regions":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()


@dataclass
class CssfLayer:
    """Result of :func:`supply` and :func:`demand`: ``regions`` has the columns of
    ``supply-regions.csv`` (``region, supply``) or ``demand-regions.csv`` (``region,
    demand``); ``pixels`` is the layer per pixel over the regions' window of the rasters
    (a ``height x width`` float64 array, NaN for nodata: ``supply.tif`` / ``demand.tif``),
    on the grid ``transform`` (affine order ``(dx, 0, x0, 0, dy, y0)``, as
    ``rasterio``/``affine``) in ``crs``; ``notes``, ``written`` (the files, with ``out``)
    and, for demand, the ``estimator`` used."""

    regions: pd.DataFrame
    pixels: np.ndarray
    transform: Tuple[float, float, float, float, float, float]
    crs: str
    notes: List[str] = field(default_factory=list)
    written: List[str] = field(default_factory=list)
    estimator: str = ""


def _affine(transform: Any) -> Tuple[float, float, float, float]:
    """``(x0, dx, y0, dy)`` of an affine transform: an ``affine.Affine`` (rasterio's
    ``dataset.transform``) or a 6-sequence ``(a, b, c, d, e, f)`` in the same order."""
    if all(hasattr(transform, k) for k in "abcdef"):
        a, b, c, d, e, f = (float(getattr(transform, k)) for k in "abcdef")
    else:
        try:
            a, b, c, d, e, f = (float(v) for v in transform)
        except (TypeError, ValueError):
            raise TypeError(
                "transform: expected an affine.Affine or six numbers (a, b, c, d, e, f) as "
                f"rasterio orders them (x = a*col + b*row + c, y = d*col + e*row + f); got "
                f"{transform!r}"
            ) from None
    if b != 0.0 or d != 0.0:
        raise ValueError(f"transform: rotated or sheared grids (b={b}, d={d}) are not "
                         "supported; b and d must be 0")
    return c, a, f, e


class _Inputs:
    """Turns in-memory inputs into the files the streaming readers take: numpy arrays into
    GeoTIFFs on the grid ``transform``/``crs``, DataFrames into CSVs; paths pass through."""

    def __init__(self, transform: Any, crs: Any, nodata: Optional[float]) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="fzc-inputs-")
        self.transform = transform
        self.crs = crs
        self.nodata = nodata

    def __enter__(self) -> "_Inputs":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.tmp.cleanup()

    def raster(self, value: Any, name: str) -> Optional[str]:
        if value is None:
            return None
        if isinstance(value, (str, os.PathLike)):
            return os.fspath(value)
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}: got {type(value).__name__}, expected a GeoTIFF path or a "
                            "2-D numpy array (with transform= and crs=)")
        if value.ndim != 2 or value.size == 0:
            raise ValueError(f"{name}: expected a non-empty 2-D array (rows, columns), got "
                             f"shape {value.shape}")
        if self.transform is None or self.crs is None:
            raise ValueError(f"{name} is an array: give transform= (its affine grid) and crs= "
                             "(e.g. \"EPSG:4326\" or 4326)")
        x0, dx, y0, dy = _affine(self.transform)
        data = np.ascontiguousarray(value, dtype="<f8").copy()
        if self.nodata is not None:
            data[data == self.nodata] = np.nan
        crs = f"EPSG:{self.crs}" if isinstance(self.crs, int) else str(self.crs)
        if hasattr(self.crs, "to_epsg"):
            crs = f"EPSG:{self.crs.to_epsg()}"
        path = os.path.join(self.tmp.name, f"{name}.tif")
        height, width = data.shape
        _fzc.write_geotiff(path, data.tobytes(), width, height, x0, dx, y0, dy, crs)
        return path

    def table(self, value: Any, name: str) -> Optional[str]:
        return _table_path(value, name, self.tmp.name)


def read_raster(path: Any, raster_crs: Optional[str] = None) -> Tuple[np.ndarray, Any, str]:
    """Band 1 of a GeoTIFF as fzc reads it: ``(array, transform, crs)`` with the array
    ``height x width`` float64 (NaN for nodata), ``transform`` in affine order ``(dx, 0, x0,
    0, dy, y0)`` and ``crs`` as ``"EPSG:<code>"``. ``raster_crs`` as in :func:`supply`."""
    data, width, height, (x0, dx, y0, dy), crs = _fzc.read_geotiff(os.fspath(path),
                                                                 raster_crs)
    pixels = np.frombuffer(data, dtype="<f8").reshape(height, width).copy()
    return pixels, (dx, 0.0, x0, 0.0, dy, y0), crs


def _layer(raw: Any, out: str, column: str, written: bool) -> CssfLayer:
    with open(os.path.join(out, f"{column}-regions.csv"), encoding="utf-8") as f:
        regions = _csv(f.read())
    pixels, transform, crs = read_raster(os.path.join(out, f"{column}.tif"))
    return CssfLayer(
        regions=regions,
        pixels=pixels,
        transform=transform,
        crs=crs,
        notes=list(raw["notes"]),
        written=[os.fspath(p) for p in raw["written"]] if written else [],
        estimator=str(raw.get("estimator", "")),
    )


def supply(
    lulc: Any,
    pools: Any,
    regions: Any,
    *,
    transform: Any = None,
    crs: Any = None,
    nodata: Optional[float] = None,
    lulc_map: Any = None,
    supply_unit: str = "as-paper",
    unmapped: str = "error",
    raster_crs: Optional[str] = None,
    coverage: str = "exact",
    max_outside_share: float = 1e-9,
    id_field: Optional[str] = None,
    out: Optional[PathLike] = None,
    quiet: bool = False,
) -> CssfLayer:
    """Supply (Eq 11) per region and per pixel, as ``fzc cssf supply``.

    ``lulc``: a land-use GeoTIFF path, or a 2-D numpy array of class codes with
    ``transform`` (an ``affine.Affine``, e.g. rasterio's ``dataset.transform``, or its six
    numbers) and ``crs`` (``"EPSG:4326"``, ``4326`` or a pyproj CRS); ``nodata`` marks the
    array's nodata value (NaN always is). ``pools``: an InVEST biophysical table
    (``lucode, c_above, c_below, c_soil, c_dead`` in t C/ha) as a CSV path or a DataFrame;
    ``lulc_map`` (``from_class, to_class``) likewise. ``regions``: a path or a GeoDataFrame.
    The other keywords are the CLI's flags. With ``out``, ``supply-regions.csv`` and
    ``supply.tif`` are written there, all or nothing; the result is read from exactly those
    files (a temporary folder without ``out``).
    """
    with _Inputs(transform, crs, nodata) as inp, _Regions(regions, id_field) as reg, \
            tempfile.TemporaryDirectory(prefix="fzc-supply-") as scratch:
        target = os.fspath(out) if out is not None else scratch
        raw = _fzc.cssf_supply(
            inp.raster(lulc, "lulc") or "", inp.table(pools, "pools") or "", reg.path, target,
            lulc_map=inp.table(lulc_map, "lulc_map"), supply_unit=supply_unit,
            unmapped=unmapped, raster_crs=raster_crs, coverage=coverage,
            max_outside_share=float(max_outside_share), id_field=reg.id_field,
            progress=_progress(quiet),
        )
        return _layer(raw, target, "supply", out is not None)


def demand(
    regions: Any,
    emissions: Any,
    *,
    population: Any = None,
    population_kind: str = "count",
    census: Any = None,
    class_weights: Any = None,
    lulc: Any = None,
    lulc_map: Any = None,
    agri_classes: Sequence[int] = (1,),
    urban_classes: Sequence[int] = (5,),
    urban_mask: Any = None,
    transform: Any = None,
    crs: Any = None,
    nodata: Optional[float] = None,
    emissions_unit: str = "t",
    raster_crs: Optional[str] = None,
    coverage: str = "exact",
    max_outside_share: float = 1e-9,
    id_field: Optional[str] = None,
    estimator: Any = None,
    out: Optional[PathLike] = None,
    quiet: bool = False,
) -> CssfLayer:
    """Demand (Eq 12) per region and per pixel, as ``fzc cssf demand``: θ is calibrated so
    that each region's demand equals its emissions. ``estimator``: a
    :class:`fzc.DemandEstimator` in place of the built-in one (as ``--plugin``); without a
    population raster or class weights it decides the populations alone.

    Population comes from ``population`` (a raster of counts, or of densities with
    ``population_kind="density-per-km2"``), or from ``census`` totals (``region,
    population``) spread over ``lulc`` classes by ``class_weights`` (``class, weight``).
    Rasters (``population``, ``lulc``, ``urban_mask``) are GeoTIFF paths or 2-D numpy arrays
    on one grid given by ``transform`` and ``crs`` (as in :func:`supply`); tables
    (``emissions``, ``census``, ``class_weights``, ``lulc_map``) are CSV paths or DataFrames.
    ``emissions`` is ``region, emissions[, agricultural_emissions][, urban_share]`` in
    ``emissions_unit``. With ``out``, ``demand-regions.csv`` and ``demand.tif`` are written
    there, all or nothing.
    """
    with _Inputs(transform, crs, nodata) as inp, _Regions(regions, id_field) as reg, \
            tempfile.TemporaryDirectory(prefix="fzc-demand-") as scratch:
        target = os.fspath(out) if out is not None else scratch
        raw = _fzc.cssf_demand(
            reg.path, inp.table(emissions, "emissions") or "", target,
            emissions_unit=emissions_unit, population=inp.raster(population, "population"),
            population_kind=population_kind, census=inp.table(census, "census"),
            class_weights=inp.table(class_weights, "class_weights"),
            lulc=inp.raster(lulc, "lulc"), lulc_map=inp.table(lulc_map, "lulc_map"),
            agri_classes=[int(c) for c in agri_classes],
            urban_classes=[int(c) for c in urban_classes],
            urban_mask=inp.raster(urban_mask, "urban_mask"), raster_crs=raster_crs,
            coverage=coverage, max_outside_share=float(max_outside_share),
            id_field=reg.id_field, progress=_progress(quiet), estimator=estimator,
        )
        return _layer(raw, target, "demand", out is not None)


def _balance_columns(balance: pd.DataFrame) -> Any:
    missing = [c for c in ("region", "supply", "demand") if c not in balance.columns]
    if missing:
        raise ValueError(f"balance lacks the columns {missing}; expected region, supply, "
                         "demand (and optionally core_lon, core_lat)")
    has_core = "core_lon" in balance.columns and "core_lat" in balance.columns
    return (
        [str(r) for r in balance["region"]],
        balance["supply"].astype("float64").tolist(),
        balance["demand"].astype("float64").tolist(),
        balance["core_lon"].astype("float64").tolist() if has_core else None,
        balance["core_lat"].astype("float64").tolist() if has_core else None,
    )


def _progress(quiet: bool) -> Optional[_Progress]:
    return None if quiet else _Progress()


def flows(
    regions: Any,
    balance: Union[PathLike, pd.DataFrame],
    *,
    unit: str = "t",
    id_field: Optional[str] = None,
    k: float = 0.6,
    intensity: str = "surplus-over-range",
    mass: str = "demand",
    core: str = "centroid",
    model: Any = None,
    out: Optional[PathLike] = None,
    quiet: bool = False,
) -> CssfFlows:
    """CSSDR, roles and breakpoint flows (Eq 13-16), as ``fzc cssf flows``.

    ``regions``: GeoJSON file or folder, Shapefile, or a GeoDataFrame (any CRS; reprojected
    to lon/lat). ``balance``: a CSV path (``region,supply,demand[,core_lon,core_lat]``,
    docs/formats/regions.md) or a DataFrame with those columns, in ``unit`` (t, kt, Mt, ...).
    ``k`` (Eq 16, in [0, 1]), ``intensity`` (``"surplus-over-range"`` or ``"as-printed"``),
    ``mass`` (``"demand"``, ``"supply"`` or ``"balance"``) and ``core`` (``"centroid"``,
    ``"interior-point"`` or ``"given"``) as the CLI flags. ``model``: a
    :class:`fzc.FlowModel` whose flows and cores replace the built-in ones. With ``out``, the
    three files of ``fzc cssf flows --out`` are written, all or nothing.

    Raises :class:`fzc.FzcError` naming the file, row or region, and
    :class:`fzc.PluginError` (with the traceback) when ``model`` fails.
    """
    path: Optional[str] = None
    columns: Any = None
    if isinstance(balance, pd.DataFrame):
        columns = _balance_columns(balance)
    else:
        path = os.fspath(balance)
    with _Regions(regions, id_field) as reg:
        raw = _fzc.cssf_flows(
            reg.path, path, columns, unit, reg.id_field, k, intensity, mass, core, model,
            _path(out), _progress(quiet),
        )
    return CssfFlows(
        regions=_csv(raw["regions"]),
        flows=_csv(raw["flows"]),
        notes=list(raw["notes"]),
        written=[os.fspath(p) for p in raw["written"]],
    )


def run(
    *,
    lulc: PathLike,
    pools: PathLike,
    regions: Any,
    emissions: PathLike,
    emissions_unit: str = "t",
    population: Optional[PathLike] = None,
    population_kind: str = "count",
    census: Optional[PathLike] = None,
    class_weights: Optional[PathLike] = None,
    lulc_map: Optional[PathLike] = None,
    agri_classes: Sequence[int] = (1,),
    urban_classes: Sequence[int] = (5,),
    urban_mask: Optional[PathLike] = None,
    supply_unit: str = "as-paper",
    unmapped: str = "error",
    raster_crs: Optional[str] = None,
    coverage: str = "exact",
    max_outside_share: float = 1e-9,
    id_field: Optional[str] = None,
    k: float = 0.6,
    intensity: str = "surplus-over-range",
    mass: str = "demand",
    core: str = "centroid",
    model: Any = None,
    demand_estimator: Any = None,
    out: Optional[PathLike] = None,
    quiet: bool = False,
) -> CssfRun:
    """Supply (Eq 11), demand (Eq 12) and the flows in one call, as ``fzc cssf run``.

    The arguments are the CLI's flags (``fzc cssf run --help``): the land-use raster
    ``lulc`` and the InVEST-style ``pools`` table give supply; ``emissions`` per region and
    either a ``population`` raster or ``census`` totals with ``class_weights`` give demand;
    ``regions`` is a path or a GeoDataFrame. ``model`` (a :class:`fzc.FlowModel`) and
    ``demand_estimator`` (a :class:`fzc.DemandEstimator`) replace the built-in flow model and
    demand estimator. With ``out``, every file of ``fzc cssf run --out`` is written (``supply.tif``, ``demand.tif``, ``cssdr.tif`` and the tables), all
    or nothing; the per-pixel layers are only available that way.
    """
    def p(value: Optional[PathLike]) -> Optional[str]:
        return None if value is None else os.fspath(value)

    with _Regions(regions, id_field) as reg:
        raw = _fzc.cssf_run(
            os.fspath(lulc), os.fspath(pools), reg.path, os.fspath(emissions),
            emissions_unit=emissions_unit, population=p(population),
            population_kind=population_kind, census=p(census),
            class_weights=p(class_weights), lulc_map=p(lulc_map),
            agri_classes=[int(c) for c in agri_classes],
            urban_classes=[int(c) for c in urban_classes], urban_mask=p(urban_mask),
            supply_unit=supply_unit, unmapped=unmapped, raster_crs=raster_crs,
            coverage=coverage, max_outside_share=float(max_outside_share),
            id_field=reg.id_field, k=k, intensity=intensity, mass=mass, core=core,
            model=model, out=p(out), progress=_progress(quiet),
            demand_estimator=demand_estimator,
        )
    ids, supply, demand, cssdr = raw["balance"]
    return CssfRun(
        regions=_csv(raw["regions"]),
        flows=_csv(raw["flows"]),
        notes=list(raw["notes"]),
        written=[os.fspath(x) for x in raw["written"]],
        balance=pd.DataFrame({"region": list(ids), "supply": list(supply),
                              "demand": list(demand),
                              "cssdr": [float("nan") if c is None else c for c in cssdr]}),
        estimator=str(raw["estimator"]),
    )
