"""fzc.cssf: the carbon sequestration service flow layer on its own, as ``fzc cssf flows``
and ``fzc cssf run`` compute it (METHOD section 2, Eq 11-16).

    import fzc
    res = fzc.cssf.flows("regions.geojson", balance="balance.csv", k=0.6)
    res.regions     # columns of cssf-regions.csv: region, supply, demand, cssdr, role, core
    res.flows       # columns of cssf-flows.csv: from, to, distance_km, ..., transfer
    res = fzc.cssf.run(lulc="lulc.tif", pools="pools.csv", regions="regions.geojson",
                       emissions="emissions.csv", population="pop.tif", out="out/cssf")
    res.balance     # region, supply, demand, cssdr per region (Eq 11-13)

The tables are read from exactly the text the CLI writes (same columns, rows and rounding).
Both calls release the GIL while the library runs; a :class:`fzc.FlowModel` object passed as
``model`` replaces the breakpoint model's flows and cores, as ``--plugin`` does.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Union

import pandas as pd

from . import _fzc
from . import _csv, _path, _Progress

__all__ = ["CssfFlows", "CssfRun", "flows", "run"]

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
    out: Optional[PathLike] = None,
    quiet: bool = False,
) -> CssfRun:
    """Supply (Eq 11), demand (Eq 12) and the flows in one call, as ``fzc cssf run``.

    The arguments are the CLI's flags (``fzc cssf run --help``): the land-use raster
    ``lulc`` and the InVEST-style ``pools`` table give supply; ``emissions`` per region and
    either a ``population`` raster or ``census`` totals with ``class_weights`` give demand;
    ``regions`` is a path or a GeoDataFrame. With ``out``, every file of ``fzc cssf run
    --out`` is written (``supply.tif``, ``demand.tif``, ``cssdr.tif`` and the tables), all
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
