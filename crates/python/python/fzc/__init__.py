"""fzc: Flow-Zoning-Compensation carbon compensation, computed in Rust.

    import fzc, pymrio
    out = fzc.run()                 # the embedded BTH-2020 case, as `fzc run`
    out.zoning, out.ledger          # DataFrames with the columns of zoning.csv, ledger.csv
    out.summary                     # the dict of summary.json
    fzc.compare(pricing=["paper", "uniform", MyScheme()])   # a fzc.PricingScheme subclass
    res = fzc.ect(pymrio.load_test(), stressor="emission_type1")
    res.regions, res.bilateral      # columns of ect-regions.csv, ect-bilateral.csv

Every error raised by the library is a subclass of :class:`FzcError` and carries the Rust
library's message unchanged.
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ._fzc import FzcError, InputError, MrioError, PluginError
from . import _fzc

__all__ = [
    "Comparison",
    "DemandEstimator",
    "DemandPixels",
    "Ect",
    "FlowModel",
    "FlowOutput",
    "FlowRegion",
    "FzcError",
    "InputError",
    "Mrio",
    "MrioError",
    "Outcome",
    "PluginError",
    "PricingInput",
    "PricingOutput",
    "PricingScheme",
    "McResult",
    "SensitivityResult",
    "ZONE_AGRICULTURAL",
    "ZONE_RURAL",
    "ZONE_URBAN",
    "compare",
    "cssf",
    "EctTables",
    "ect",
    "ect_tables",
    "mc",
    "run",
    "sensitivity",
]

#: Columns of ``ect-regions.csv`` (docs/formats/ect-regions.md).
ECT_REGIONS_COLUMNS = ["region", "production", "consumption", "inflow", "outflow", "net"]
#: Columns of ``ect-bilateral.csv`` (docs/formats/ect-bilateral.md).
ECT_BILATERAL_COLUMNS = ["from", "to", "total", "intermediate", "final"]


@dataclass
class Mrio:
    """An MRIO table and one stressor from numpy arrays (region-major order).

    ``Z`` is n x n, ``Y`` is n x m (final demand summed per region) or n x (m*k) with k
    final-demand categories per region (summed), ``F`` has n values, ``F_Y`` m values (or m*k,
    summed per region; zeros when None). ``regions`` has m names, ``sectors`` N names with
    n = m*N. ``unit`` is the stressor's mass unit (e.g. ``"t"``, ``"kt"``, ``"Mt"``).
    """

    Z: np.ndarray
    Y: np.ndarray
    F: np.ndarray
    regions: Sequence[str]
    sectors: Sequence[str]
    unit: str
    F_Y: Optional[np.ndarray] = None
    stressor: str = "stressor"
    monetary_unit: str = ""


@dataclass
class Ect:
    """Result of :func:`ect`: ``regions`` and ``bilateral`` DataFrames with exactly the
    columns of ``ect-regions.csv`` and ``ect-bilateral.csv``, in the CLI's row order."""

    regions: pd.DataFrame
    bilateral: pd.DataFrame
    unit: str
    warnings: List[str] = field(default_factory=list)


def _per_region(values: np.ndarray, m: int, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values.reshape(1, -1)
    cols = values.shape[1]
    if cols == m:
        return values
    if m == 0 or cols % m != 0:
        raise InputError(
            f"{what}: {cols} columns, expected one per region ({m}) or a multiple of it "
            "(final-demand categories per region)"
        )
    summed: np.ndarray = values.reshape(values.shape[0], m, cols // m).sum(axis=2)
    return summed


def _native_f8(a: np.ndarray) -> np.ndarray:
    """``a`` as a plain numpy array of little-endian float64: ``a`` itself (no copy) when it
    already is one, whatever its strides; otherwise a converted copy."""
    if type(a) is np.ndarray and a.dtype == np.dtype("<f8"):
        return a
    return np.asarray(a, dtype="<f8").view(np.ndarray)


def _ect_arrays(mrio: Mrio, method: str) -> Dict[str, Any]:
    regions = [str(r) for r in mrio.regions]
    sectors = [str(s) for s in mrio.sectors]
    m = len(regions)
    n = m * len(sectors)
    z = np.asarray(mrio.Z, dtype=np.float64)
    if z.shape != (n, n):
        raise InputError(f"Z: shape {z.shape}, expected ({n}, {n}) = regions x sectors squared")
    y = _per_region(mrio.Y, m, "Y")
    if y.shape[0] != n:
        raise InputError(f"Y: {y.shape[0]} rows, expected {n} (one per region and sector)")
    f = np.asarray(mrio.F, dtype=np.float64).reshape(-1)
    f_y = (
        np.zeros(m)
        if mrio.F_Y is None
        else _per_region(np.asarray(mrio.F_Y, dtype=np.float64).reshape(1, -1), m, "F_Y")[0]
    )
    # The arrays themselves: the native module reads Z and Y in place, in any layout, into
    # the one matrix it factors (no copy of Z on this side).
    return _fzc.ect_arrays(
        _native_f8(z), _native_f8(y), f.tolist(), f_y.tolist(), regions, sectors, mrio.unit,
        stressor=mrio.stressor, monetary_unit=mrio.monetary_unit, method=method,
    )


def _pymrio_table(io: Any) -> Tuple[Any, Any, List[Any], List[Any], Any]:
    """``(Z, Y per region, regions, sectors, full index)`` of a pymrio IOSystem's
    DataFrames (no files). Z's index must be (region, sector)."""
    if io.Y is None or (io.Z is None and io.A is None):
        raise InputError(
            "pymrio IOSystem: Y and Z (or A) must be present (io.calc_all() is not needed, "
            "but the table must be loaded)"
        )
    if io.Z is not None:
        z = io.Z
    elif io.x is not None:
        # EXIOBASE 3.8+ ships A and x but no Z: Z = A·diag(x), as fzc's reader forms it.
        z = io.A * io.x.iloc[:, 0].reindex(io.A.columns).to_numpy()[None, :]
    else:
        raise InputError(
            "pymrio IOSystem: A without x; pass the archive's path instead (fzc then solves "
            "x = (I - A)^-1 Y 1), or call io.calc_system() first"
        )
    regions = list(dict.fromkeys(z.index.get_level_values(0)))
    sectors = list(dict.fromkeys(z.index.get_level_values(1)))
    full = pd.MultiIndex.from_product([regions, sectors])
    z = z.reindex(index=full, columns=full)
    y = io.Y.reindex(index=full)
    y = y.T.groupby(level=0, sort=False).sum().reindex(regions).T
    return z, y, regions, sectors, full


def _columns_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A table the native module returns as columns (text as its distinct labels and a
    little-endian u32 code per row, numbers as float64 bytes, years as lists of int) as a
    DataFrame with those columns in that order: the accounts always float64 (``read_csv`` of
    the file would make a column of whole numbers int64), labels as text, years as int64."""
    data: Dict[str, Any] = {}
    for name, values in columns.items():
        if isinstance(values, tuple):
            distinct, codes = values
            labels = pd.array(np.asarray(distinct, dtype=object), dtype=_TEXT_DTYPE)
            data[name] = labels.take(np.frombuffer(codes, dtype="<u4").astype(np.intp))
        elif isinstance(values, bytes):
            data[name] = np.frombuffer(values, dtype="<f8").astype(np.float64)
        elif values and isinstance(values[0], int):
            data[name] = np.asarray(values, dtype=np.int64)
        else:
            data[name] = values
    return pd.DataFrame(data)


def _pymrio_unit(io: Any) -> str:
    return str(io.unit.iloc[0, 0]) if getattr(io, "unit", None) is not None else ""


def _pymrio_rows(io: Any, regions: List[Any], full: Any) -> List[Tuple[Any, ...]]:
    """Every stressor row of every extension: ``(extension, name, compartment, unit, F,
    F_Y per region)``, as ``fzc ect`` lists a pymrio folder's. Each extension's F and F_Y are
    reordered and summed per region once, for all its rows (EXIOBASE's satellite account has
    over a thousand)."""
    rows = []
    # The attribute name (e.g. "emissions"), as save_all names the extension's folder.
    for attr in io.get_extensions(data=False):
        ext = getattr(io, attr)
        index = ext.F.index
        f_all = ext.F.reindex(columns=full).to_numpy(dtype=np.float64)
        f_y_all = np.zeros((len(index), len(regions)))
        if getattr(ext, "F_Y", None) is not None:
            per_region = ext.F_Y.T.groupby(level=0, sort=False).sum().T.reindex(
                columns=regions)
            given = index.isin(per_region.index)
            f_y_all[given] = per_region.reindex(index[given]).to_numpy(dtype=np.float64)
        units: Dict[Any, str] = {}
        if getattr(ext, "unit", None) is not None:
            for key, value in zip(ext.unit.index, ext.unit.iloc[:, 0]):
                units.setdefault(key, str(value))
        for k, row in enumerate(index):
            parts = row if isinstance(row, tuple) else (row,)
            rows.append((str(attr), str(parts[0]),
                         str(parts[1]) if len(parts) > 1 else None, units.get(row, "t"),
                         f_all[k].tolist(), f_y_all[k].tolist()))
    return rows


def _from_pymrio(io: Any, stressor: str, extension: Optional[str]) -> Mrio:
    """One stressor of a pymrio IOSystem as a :class:`Mrio` (no files)."""
    z, y, regions, sectors, full = _pymrio_table(io)
    candidates = []
    for ext in io.get_extensions(data=True):
        if extension is not None and ext.name != extension:
            continue
        f = ext.F
        first = f.index.get_level_values(0)
        for row in f.index[first == stressor]:
            candidates.append((ext, row))
    if len(candidates) != 1:
        listed = [
            f"{ext.name}/{row}"
            for ext in io.get_extensions(data=True)
            for row in ext.F.index
        ]
        problem = "not found" if not candidates else "is ambiguous"
        raise InputError(
            f"pymrio IOSystem: stressor {stressor!r} {problem}; candidates: {', '.join(map(str, listed))}"
        )
    ext, row = candidates[0]
    f = ext.F.loc[row].reindex(full).to_numpy(dtype=np.float64)
    f_y = None
    if getattr(ext, "F_Y", None) is not None and row in ext.F_Y.index:
        fy = ext.F_Y.loc[row]
        f_y = fy.groupby(level=0, sort=False).sum().reindex(regions).to_numpy(dtype=np.float64)
    unit = "t"
    if getattr(ext, "unit", None) is not None and row in ext.unit.index:
        unit = str(ext.unit.loc[row].iloc[0])
    mon = _pymrio_unit(io)
    return Mrio(
        Z=z.to_numpy(dtype=np.float64), Y=y.to_numpy(dtype=np.float64), F=f, F_Y=f_y,
        regions=[str(r) for r in regions], sectors=[str(s) for s in sectors],
        unit=unit, stressor=stressor, monetary_unit=mon,
    )


def ect(
    mrio: Union["os.PathLike[str]", str, Mrio, object],
    *,
    stressor: str,
    extension: Optional[str] = None,
    method: str = "final-demand",
) -> Ect:
    """Embodied carbon transfer (METHOD section 1), as ``fzc ect`` computes it.

    ``mrio`` is a ``pymrio.IOSystem`` (read from its DataFrames, no files), a path (anything
    ``fzc ect --mrio`` reads) or a :class:`Mrio`. ``method`` is ``"final-demand"`` or
    ``"eebt"``. The GIL is released while the table is factored and solved.
    """
    if isinstance(mrio, (str, os.PathLike)):
        raw = _fzc.ect_path(os.fspath(mrio), stressor, extension=extension, method=method)
    elif isinstance(mrio, Mrio):
        raw = _ect_arrays(mrio, method)
    elif hasattr(mrio, "Z") and hasattr(mrio, "get_extensions"):
        raw = _ect_arrays(_from_pymrio(mrio, stressor, extension), method)
    else:
        raise TypeError(
            f"mrio: got {type(mrio).__name__}, expected a pymrio.IOSystem, a path or fzc.Mrio"
        )
    return Ect(
        regions=pd.DataFrame(raw["regions"], columns=ECT_REGIONS_COLUMNS),
        bilateral=pd.DataFrame(raw["bilateral"], columns=ECT_BILATERAL_COLUMNS),
        unit=raw["unit"],
        warnings=list(raw["warnings"]),
    )


@dataclass
class EctTables:
    """Result of :func:`ect_tables`: ``regions`` and ``bilateral`` are the tables ``fzc ect``
    writes, as the library computed them (long form, with ``year``, ``extension`` and
    ``stressor`` columns, for several stressors, ``"all"`` or a year series; the short form
    of ``ect-regions.csv`` otherwise; docs/formats/ect-regions.md). ``skipped`` lists the
    stressors ``"all"`` left out, with why."""

    regions: pd.DataFrame
    bilateral: pd.DataFrame
    warnings: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    written: List[str] = field(default_factory=list)


def ect_tables(
    mrio: Union["os.PathLike[str]", str, Mrio, object],
    *,
    stressor: Union[str, Sequence[str]],
    years: Union[str, Sequence[int], None] = None,
    extension: Optional[str] = None,
    method: str = "final-demand",
    aggregate: Union["os.PathLike[str]", str, pd.DataFrame, None] = None,
    region_map: Union["os.PathLike[str]", str, pd.DataFrame, None] = None,
    out: Union["os.PathLike[str]", str, None] = None,
    parquet: bool = False,
    quiet: bool = False,
) -> EctTables:
    """``fzc ect`` on tables as files, with everything the CLI takes: several stressors (or
    ``"all"``, one factorisation per table), a year series (``mrio`` with ``{year}``,
    ``years="2015..2022"`` or a list), a sector concordance (``aggregate``) and a region map.

    ``mrio`` may also be in memory: a ``pymrio.IOSystem`` (every row of every extension is a
    candidate stressor, as in its folder) or a :class:`Mrio` (its one stressor). A year
    series needs tables on disk. ``aggregate`` (``from_sector,to_sector``) and
    ``region_map`` (``from_region,to_region``) are CSV paths or DataFrames.

    The tables come back from the library as columns, without files. With ``out`` the files
    are also written there (all or nothing, as ``fzc ect --out``; with ``parquet`` the Parquet
    twins too). The tables equal the CLI's files.
    """
    import tempfile

    if parquet and out is None:
        raise ValueError("parquet: Parquet files are written into out; give out=DIR")
    names = [stressor] if isinstance(stressor, str) else [str(s) for s in stressor]
    year_text = None if years is None else (
        years if isinstance(years, str) else ",".join(str(int(y)) for y in years))
    with tempfile.TemporaryDirectory(prefix="fzc-ect-") as tmp:
        target = None if out is None else os.fspath(out)
        agg = _table_path(aggregate, "aggregate", tmp)
        rmap = _table_path(region_map, "region_map", tmp)
        progress = None if quiet else _Progress()
        if isinstance(mrio, (str, os.PathLike)):
            raw = _fzc.ect_job(os.fspath(mrio), names, target, years=year_text,
                               extension=extension, method=method, aggregate=agg,
                               region_map=rmap, parquet=parquet, progress=progress)
        else:
            if years is not None:
                raise ValueError("years: a year series needs a table per year on disk "
                                 "(a path with {year}); this table is in memory")
            if isinstance(mrio, Mrio):
                regions = [str(r) for r in mrio.regions]
                sectors = [str(x) for x in mrio.sectors]
                m = len(regions)
                z = np.asarray(mrio.Z, dtype=np.float64)
                y = _per_region(mrio.Y, m, "Y")
                f_y = (np.zeros(m) if mrio.F_Y is None else _per_region(
                    np.asarray(mrio.F_Y, dtype=np.float64).reshape(1, -1), m, "F_Y")[0])
                rows = [("", mrio.stressor, None, mrio.unit,
                         np.asarray(mrio.F, dtype=np.float64).reshape(-1).tolist(),
                         f_y.tolist())]
                label, mon = "the fzc.Mrio table", mrio.monetary_unit
            elif hasattr(mrio, "Z") and hasattr(mrio, "get_extensions"):
                zf, yf, regions_raw, sectors_raw, full = _pymrio_table(mrio)
                regions = [str(r) for r in regions_raw]
                sectors = [str(x) for x in sectors_raw]
                z = zf.to_numpy(dtype=np.float64)
                y = yf.to_numpy(dtype=np.float64)
                rows = _pymrio_rows(mrio, regions_raw, full)
                label, mon = "the pymrio IOSystem", _pymrio_unit(mrio)
            else:
                raise TypeError(f"mrio: got {type(mrio).__name__}, expected a path, a "
                                "pymrio.IOSystem or fzc.Mrio")
            raw = _fzc.ect_data_job(
                _native_f8(z), _native_f8(np.asarray(y, dtype=np.float64)),
                regions, sectors, rows, names, target, label=label, monetary_unit=mon,
                extension=extension, method=method, aggregate=agg, region_map=rmap,
                parquet=parquet, progress=progress,
            )
        tables = EctTables(
            regions=_columns_frame(raw["regions"]),
            bilateral=_columns_frame(raw["bilateral"]),
            warnings=list(raw["warnings"]),
            skipped=list(raw["skipped"]),
            written=[] if out is None else [os.fspath(p) for p in raw["written"]],
        )
    return tables


# --- The run, comparisons and Python pricing schemes (fzc run, fzc compare) ---------------

#: Columns of ``zoning.csv`` (docs/formats/scenario.md, "Outputs"), from the library.
ZONING_COLUMNS: List[str] = _fzc.ZONING_HEADER.split(",")
#: Columns of ``ledger.csv``, from the library.
LEDGER_COLUMNS: List[str] = _fzc.LEDGER_HEADER.split(",")


@dataclass
class PricingInput:
    """What a pricing scheme prices (the Rust ``PricingInput``; METHOD section 4).

    ``regions`` are the scenario's regions; ``standards`` (yuan/t) and ``benchmarks`` (t CO2)
    have one value per region; ``population`` and ``gdp`` (yuan) too, or are None when the
    scenario has no economy table. ``flows`` has one row per flow to price: ``payer`` and
    ``payee`` (int positions in ``regions``), ``layer`` (``"ect"`` or ``"cssf"``) and
    ``tonnes`` (t CO2, >= 0).
    """

    price: float
    regions: List[str]
    standards: np.ndarray
    benchmarks: np.ndarray
    population: Optional[np.ndarray]
    gdp: Optional[np.ndarray]
    flows: pd.DataFrame


@dataclass
class PricingOutput:
    """What :meth:`PricingScheme.price` returns.

    ``region_amounts``: one amount per region in yuan, > 0 pays, < 0 receives.
    ``flow_standards``: one standard per flow of ``inp.flows`` in yuan/t (each flow's amount
    is its standard times its tonnes), or None for a scheme that prices regions only (Eq 17).
    When flows are priced, the amounts must be finite and >= 0, the region amounts must sum
    to zero and each must equal what the region pays minus what it receives over its flows:
    the rules ``fzc plugins check`` tests. An output that breaks one fails the run with
    :class:`PluginError`.
    """

    region_amounts: Any
    flow_standards: Any = None


class PricingScheme:
    """Base class of pricing schemes written in Python.

    Subclass it, set ``name`` and implement :meth:`price`; pass an instance as
    ``fzc.run(pricing=obj)``, in ``fzc.compare(pricing=[..., obj])``, or as
    ``plugins={"<name>": obj}`` for a scenario whose ``[pricing] scheme`` is
    ``"plugin:<name>"`` (with a ``[[plugin]]`` stanza of that name). It goes through the Rust
    ``PricingScheme`` trait and the same output checks as a native plugin.
    """

    #: A short stable name, shown in ``summary.json`` and the report.
    name: str = "python"

    def parameters(self) -> Dict[str, str]:
        """The scheme's parameters, for the report (name -> text)."""
        return {}

    def price(self, inp: PricingInput) -> PricingOutput:
        """Prices ``inp``; see :class:`PricingInput` and :class:`PricingOutput`."""
        raise NotImplementedError(f"{type(self).__name__}.price")


_FLOW_COLUMNS = pd.Index(["payer", "payee", "layer", "tonnes"])
# The dtype pandas' public constructor gives a column of Python strings: object before
# pandas 3, its string dtype from pandas 3 on. The fast path gives the same.
_TEXT_DTYPE = pd.DataFrame({"text": np.array(["ect"], dtype=object)})["text"].dtype


def _flow_frame(columns: List[np.ndarray]) -> pd.DataFrame:
    """The ``flows`` DataFrame of a pricing input from its four column arrays, without a copy.

    ``DataFrame._from_arrays`` with a prebuilt column index takes less than half the time of
    the public constructor from a dict (32 against 74 µs for 150 flows), which matters on a run
    that lasts a millisecond (docs/BENCHMARKS.md). It is internal to pandas, so any failure
    falls back to the public constructor; ``test_run.py`` checks that both give the
    same frame, dtypes included.
    """
    try:
        arrays: List[Any] = list(columns)
        if _TEXT_DTYPE != np.dtype(object):
            arrays[2] = pd.array(arrays[2], dtype=_TEXT_DTYPE)
        frame: pd.DataFrame = pd.DataFrame._from_arrays(
            arrays, columns=_FLOW_COLUMNS, index=pd.RangeIndex(len(columns[0])),
            verify_integrity=False,
        )
        return frame
    except (AttributeError, TypeError, ValueError):
        return pd.DataFrame(dict(zip(_FLOW_COLUMNS, columns)), copy=False)


def _pricing_input(price: float, regions: Sequence[str], standards: bytes, benchmarks: bytes,
                   population: Optional[bytes], gdp: Optional[bytes], payer: bytes,
                   payee: bytes, layer: Sequence[str], tonnes: bytes) -> PricingInput:
    """Called by the native module for each pricing call (one per run). The numbers come as
    little-endian float64 (int64 for ``payer`` and ``payee``) bytes: far cheaper than lists
    on a run of a millisecond. Every array is the scheme's own, writable copy."""
    def floats(b: bytes) -> np.ndarray:
        return np.frombuffer(b, dtype="<f8").astype(np.float64)

    flows = _flow_frame([
        np.frombuffer(payer, dtype="<i8").astype(np.int64),
        np.frombuffer(payee, dtype="<i8").astype(np.int64),
        np.asarray(layer, dtype=object),
        floats(tonnes),
    ])
    return PricingInput(
        price=float(price),
        regions=list(regions),
        standards=floats(standards),
        benchmarks=floats(benchmarks),
        population=None if population is None else floats(population),
        gdp=None if gdp is None else floats(gdp),
        flows=flows,
    )


@dataclass
class FlowRegion:
    """One region as a CSSF flow model sees it (the Rust ``FlowRegion``; METHOD section 2).

    ``supply`` and ``demand`` in t CO2 (Eq 13's S and D); ``core`` is the given (lon, lat)
    core in degrees or None (the model chooses, e.g. the centroid); ``shape`` is the region's
    polygon as a GeoJSON-like dict ``{"type": "MultiPolygon", "coordinates": [...]}`` in
    lon/lat degrees (``shapely.geometry.shape(region.shape)`` makes a shapely geometry).
    """

    id: str
    supply: float
    demand: float
    core: Optional[Tuple[float, float]]
    shape: Dict[str, Any]


@dataclass
class FlowOutput:
    """What :meth:`FlowModel.flows` returns.

    ``cores``: one (lon, lat) in degrees per region, in the order of the input. ``flows``: a
    DataFrame (or dict of columns) with one row per output -> input pair the model computed:
    ``from`` and ``to`` (int positions in the input, different), ``distance_km``,
    ``range_km``, ``area_km2``, ``intensity_t_per_km2`` and ``transfer_t`` (t CO2), all finite.
    Pairs with a positive ``transfer_t`` become the scenario's CSSF transfers.
    """

    cores: Sequence[Tuple[float, float]]
    flows: Any


#: Columns of :attr:`FlowOutput.flows`.
FLOW_COLUMNS = ["from", "to", "distance_km", "range_km", "area_km2",
                "intensity_t_per_km2", "transfer_t"]


class FlowModel:
    """Base class of CSSF flow models written in Python.

    Subclass it, set ``name`` and implement :meth:`flows`; pass an instance as
    ``fzc.run(scenario, plugins={"<name>": obj})`` for a scenario whose ``[cssf] model`` is
    ``"plugin:<name>"`` (with a ``[[plugin]]`` stanza of that name). It goes through the Rust
    ``FlowModel`` trait and the output checks native flow models get.
    """

    name: str = "python"

    def flows(self, regions: List[FlowRegion]) -> FlowOutput:
        """The flows between ``regions``; see :class:`FlowRegion` and :class:`FlowOutput`."""
        raise NotImplementedError(f"{type(self).__name__}.flows")


#: Zone codes of :meth:`DemandEstimator.estimate` (the θ zones of Eq 12).
ZONE_AGRICULTURAL = 0
ZONE_URBAN = 1
ZONE_RURAL = 2


@dataclass
class DemandPixels:
    """A window of pixels for :meth:`DemandEstimator.estimate`: four float64 arrays of equal
    length, NaN meaning no data (or no such layer). ``population``: the population raster's
    value (a count or a density, as given); ``land_class``: the land-use code after the
    class map; ``urban``: the urban mask's value (non-zero = urban); ``area_km2``: the
    pixel's area on the WGS84 ellipsoid."""

    population: np.ndarray
    land_class: np.ndarray
    urban: np.ndarray
    area_km2: np.ndarray

    def __len__(self) -> int:
        return len(self.area_km2)


class DemandEstimator:
    """Base class of CSSF demand estimators (Eq 12) written in Python.

    Subclass it, set ``name`` and ``scaling`` and implement :meth:`estimate`. Pass an
    instance as ``fzc.cssf.demand(..., estimator=obj)``, ``fzc.cssf.run(...,
    demand_estimator=obj)``, or ``fzc.run(scenario, plugins={"<name>": obj})`` for a
    scenario whose ``[cssf.rasters] demand`` is ``"plugin:<name>"``. θ is calibrated per
    region from its emissions as for the built-in estimators.

    ``scaling``: ``"as-is"`` when the populations are persons, ``"to-region-total"`` when
    they are relative weights to be rescaled to each region's census total (dasymetric).
    """

    name: str = "python"
    scaling: str = "as-is"

    def estimate(self, pixels: DemandPixels) -> Tuple[Any, Any]:
        """``(population, zone)`` for every pixel of the window, vectorised: ``population``
        a float array (persons, or weights; NaN for no data, else finite and >= 0) and
        ``zone`` an int array of :data:`ZONE_AGRICULTURAL`, :data:`ZONE_URBAN` or
        :data:`ZONE_RURAL` (or the strings ``"agricultural"``, ``"urban"``, ``"rural"``).
        Called once per window of raster rows."""
        raise NotImplementedError(f"{type(self).__name__}.estimate")


_ZONE_NAMES = {"agricultural": ZONE_AGRICULTURAL, "urban": ZONE_URBAN, "rural": ZONE_RURAL}


def _demand_call(obj: Any, population: bytes, land_class: bytes, urban: bytes,
                 area_km2: bytes) -> Tuple[bytes, bytes]:
    """Called by the native module once per window: the window as arrays, the estimator's
    answer back as bytes (float64 populations, uint8 zones)."""
    def column(b: bytes) -> np.ndarray:
        return np.frombuffer(b, dtype="<f8").copy()

    pixels = DemandPixels(column(population), column(land_class), column(urban),
                          column(area_km2))
    result = obj.estimate(pixels)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(f"estimate() returned {type(result).__name__}; expected a tuple "
                        "(population, zone)")
    pop = np.asarray(result[0], dtype="<f8").reshape(-1)
    zone_in = np.asarray(result[1]).reshape(-1)
    if zone_in.dtype.kind in "UO":
        unknown = sorted({str(z) for z in zone_in} - set(_ZONE_NAMES))
        if unknown:
            raise ValueError(f"estimate() gave zones {unknown}; expected agricultural, urban "
                             "or rural (or 0, 1, 2)")
        zone = np.array([_ZONE_NAMES[str(z)] for z in zone_in], dtype=np.uint8)
    else:
        codes = zone_in.astype(np.int64)
        if codes.size and (codes.min() < 0 or codes.max() > 2):
            bad = codes[(codes < 0) | (codes > 2)][0]
            raise ValueError(f"estimate() gave zone {bad}; expected 0 (agricultural), "
                             "1 (urban) or 2 (rural)")
        zone = codes.astype(np.uint8)
    return pop.tobytes(), zone.tobytes()


def _flow_regions(ids: Sequence[str], supply: Sequence[float], demand: Sequence[float],
                  cores: Sequence[Optional[Tuple[float, float]]],
                  shapes: Sequence[Any]) -> List[FlowRegion]:
    """Called by the native module for each flow-model call."""
    out = []
    for i, name in enumerate(ids):
        coords = [[[list(p) for p in ring] for ring in part] for part in shapes[i]]
        given = cores[i]
        out.append(FlowRegion(
            id=name, supply=float(supply[i]), demand=float(demand[i]),
            core=None if given is None else (float(given[0]), float(given[1])),
            shape={"type": "MultiPolygon", "coordinates": coords},
        ))
    return out


def _flow_columns(out: Any, n: int) -> Tuple[Any, ...]:
    """Reads a FlowOutput back as plain columns for the native module."""
    if not hasattr(out, "cores") or not hasattr(out, "flows"):
        raise TypeError(
            f"flows() returned {type(out).__name__}; expected fzc.FlowOutput(cores, flows)"
        )
    cores = [(float(c[0]), float(c[1])) for c in out.cores]
    flows = out.flows
    if not isinstance(flows, pd.DataFrame):
        flows = pd.DataFrame(flows)
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise TypeError(f"flows lacks the columns {missing}; expected {FLOW_COLUMNS}")
    ints = [flows[c].astype(np.int64).tolist() for c in ("from", "to")]
    floats = [flows[c].astype(np.float64).tolist() for c in FLOW_COLUMNS[2:]]
    return (cores, *ints, *floats)


class _Progress:
    """Progress of long calls: a tqdm bar (notebook-aware) when tqdm is installed, else one
    line on stderr per task; nothing when ``quiet``."""

    def __init__(self) -> None:
        self.bar: Any = None
        try:
            from tqdm.auto import tqdm
            self.tqdm: Any = tqdm
        except ImportError:
            self.tqdm = None
        self.task = ""
        self.total = 0
        self.done = 0

    def __call__(self, event: str, task: str, count: int) -> None:
        if event == "begin":
            self.close()
            self.task, self.total, self.done = task, count, 0
            if self.tqdm is not None:
                self.bar = self.tqdm(total=count or None, desc=task, leave=False)
            else:
                print(f"fzc: {task}...", file=sys.stderr, flush=True)
        elif event == "advance":
            self.done += count
            if self.bar is not None:
                self.bar.update(count)
        else:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@dataclass
class Outcome:
    """Result of :func:`run`.

    ``zoning`` and ``ledger`` are DataFrames read from exactly the text ``fzc run`` writes to
    ``zoning.csv`` and ``ledger.csv`` (same columns, rows and rounding); ``summary`` is the
    dict of ``summary.json``; ``written`` lists the files written when ``out`` was given.
    For a year series (``[ect] years``), ``zoning_series`` has the columns of
    ``zoning-series.csv`` (``year`` and those of ``zoning.csv``) and the rest is the last
    year's; it is None otherwise.
    """

    zoning: pd.DataFrame
    ledger: pd.DataFrame
    summary: Dict[str, Any]
    scheme: str
    scenario: str
    warnings: List[str] = field(default_factory=list)
    written: List[str] = field(default_factory=list)
    zoning_series: Optional[pd.DataFrame] = None


@dataclass
class Comparison:
    """Result of :func:`compare`: ``table`` has the columns of ``compare.csv``."""

    table: pd.DataFrame
    written: List[str] = field(default_factory=list)


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[])


def _path(value: Union["os.PathLike[str]", str, None]) -> Optional[str]:
    return None if value is None else os.fspath(value)


def _table_path(value: Any, name: str, folder: str) -> Optional[str]:
    """A table argument as the path the library reads: a CSV path as given, or a DataFrame
    written to ``<folder>/<name>.csv`` (the caller's temporary folder); None stays None."""
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        path = os.path.join(folder, f"{name}.csv")
        value.to_csv(path, index=False)
        return path
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name}: got {type(value).__name__}, expected a CSV path or a "
                        "pandas DataFrame")
    return os.fspath(value)


def _check_scheme(obj: Any, where: str) -> None:
    if not any(callable(getattr(obj, m, None)) for m in ("price", "flows", "estimate")):
        raise TypeError(
            f"{where}: got {type(obj).__name__}, expected a fzc.PricingScheme (an object with "
            "price(inp), name and parameters()), a fzc.FlowModel (flows(regions), name) or a "
            "fzc.DemandEstimator (estimate(pixels), name, scaling)"
        )


def run(
    scenario: Union["os.PathLike[str]", str, None] = None,
    *,
    pricing: Optional[PricingScheme] = None,
    plugins: Optional[Mapping[str, PricingScheme]] = None,
    out: Union["os.PathLike[str]", str, None] = None,
    quiet: bool = False,
) -> Outcome:
    """Zoning and compensation of a scenario, as ``fzc run`` computes them.

    ``scenario`` is a scenario TOML path (docs/formats/scenario.md), or None for the embedded
    Beijing-Tianjin-Hebei 2020 case. ``pricing`` is a :class:`PricingScheme` object used
    instead of the scenario's scheme; ``plugins`` maps the names a scenario uses as
    ``plugin:<name>`` to objects. With ``out``, the same files as ``fzc run --out DIR`` are
    written, all or nothing. The GIL is released while the library runs.

    Raises :class:`PluginError` (with the Python traceback) when a Python scheme raises or
    returns an invalid output, and :class:`FzcError` for any other failure; nothing is written
    then.
    """
    if pricing is not None:
        _check_scheme(pricing, "pricing")
        if not callable(getattr(pricing, "price", None)):
            raise TypeError("pricing: a flow model cannot price; pass it in plugins={...}")
    for name, obj in (plugins or {}).items():
        _check_scheme(obj, f"plugins[{name!r}]")
    raw = _fzc.run(
        _path(scenario), pricing, dict(plugins) if plugins else None, _path(out),
        None if quiet else _Progress(),
    )
    return Outcome(
        zoning=_csv(raw["zoning"]),
        ledger=_csv(raw["ledger"]),
        summary=json.loads(raw["summary"]),
        scheme=raw["scheme"],
        scenario=raw["scenario"],
        warnings=list(raw["warnings"]),
        written=[os.fspath(p) for p in raw["written"]],
        zoning_series=None if raw["zoning_series"] is None else _csv(raw["zoning_series"]),
    )


def compare(
    scenario: Union["os.PathLike[str]", str, None] = None,
    *,
    pricing: Sequence[Union[str, PricingScheme]] = ("paper", "payee", "uniform", "eq17"),
    out: Union["os.PathLike[str]", str, None] = None,
    quiet: bool = False,
) -> Comparison:
    """Several pricing schemes on one scenario, as ``fzc compare``; the first is the
    reference. Names are ``paper``, ``payer``, ``payee``, ``uniform``, ``eq17``; a
    :class:`PricingScheme` object appears as ``plugin:<its name>``. With ``out``,
    ``compare.csv`` and the report are written as ``fzc compare --out DIR``."""
    items: List[Any] = []
    for k, item in enumerate(pricing):
        if not isinstance(item, str):
            _check_scheme(item, f"pricing[{k}]")
        items.append(item)
    raw = _fzc.compare(items, _path(scenario), _path(out), None if quiet else _Progress())
    return Comparison(
        table=_csv(raw["compare"]), written=[os.fspath(p) for p in raw["written"]]
    )


# --- Monte Carlo (fzc mc), in this process or sharded over a Dask cluster ------------------


@dataclass
class McResult:
    """Result of :func:`mc`: ``summary`` has the columns of ``summary.csv``
    (``region,p_payer,mean,sd,p05,p50,p95``); the other files are in ``out``
    (docs/formats/uncertainty.md)."""

    summary: pd.DataFrame
    out: str
    files: List[str] = field(default_factory=list)


def _mc_shard(scenario: Optional[str], uncertainty: Optional[str], draws: int, seed: int,
              index: int, count: int, out: str, pricing: Any = None) -> List[str]:
    """One shard, run where Dask puts it (a worker process with fzc installed)."""
    return [os.fspath(p) for p in
            _fzc.mc(scenario, uncertainty, draws, seed, index, count, out, None, pricing)]


def _sensitivity_shard(scenario: Optional[str], uncertainty: Optional[str], method: str,
                       levels: int, samples: int, seed: int, index: int, count: int, out: str,
                       pricing: Any = None) -> List[str]:
    """One shard of a sensitivity sample, run where Dask puts it."""
    return [os.fspath(p) for p in
            _fzc.sensitivity(scenario, uncertainty, method, levels, samples, seed, index, count,
                             out, None, pricing)]


def _abs(value: Union["os.PathLike[str]", str, None]) -> Optional[str]:
    path = _path(value)
    return None if path is None else os.path.abspath(path)


def _sharded(client: Any, shards: Optional[int], target: str, submit: Callable[..., Any],
             merge: Callable[[List[str], str], List[Any]]) -> List[Any]:
    """Runs ``submit(index, count, folder)`` for every shard on the Dask ``client``, into
    folders beside ``target``, and merges them into ``target``."""
    import shutil
    import uuid

    count = shards or max(1, len(client.scheduler_info().get("workers", {})))
    parent, name = os.path.split(target)
    scratch = os.path.join(parent or ".", f".{name}.fzc-shards-{uuid.uuid4().hex}")
    dirs = [os.path.join(scratch, str(i)) for i in range(count)]
    try:
        client.gather([submit(i, count, d) for i, d in enumerate(dirs)])
        return merge(dirs, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def mc(
    scenario: Union["os.PathLike[str]", str, None] = None,
    *,
    draws: int,
    seed: int,
    out: Union["os.PathLike[str]", str],
    uncertainty: Union["os.PathLike[str]", str, None] = None,
    pricing: Any = None,
    client: Any = None,
    shards: Optional[int] = None,
    quiet: bool = False,
) -> McResult:
    """Monte Carlo over the scenario's uncertain inputs, as ``fzc mc``.

    The stanzas are the scenario file's ``[[uncertainty]]`` or those of ``uncertainty`` (a
    TOML file). ``pricing`` is a :class:`PricingScheme` object that prices every draw in
    place of the scenario's scheme (as in :func:`run`). Without ``client`` the draws run here
    on every core. With a ``dask.distributed.Client``, the draws are cut into ``shards``
    shards (default: one per worker), each run by a worker into a folder beside ``out``, and
    the shards are merged into ``out``: the files are byte-identical to the single run (the
    paths must be reachable by every worker, e.g. a shared file system; a ``pricing`` object
    must pickle). Draw ``d`` depends only on ``(seed, d)``.
    """
    if pricing is not None:
        _check_scheme(pricing, "pricing")
    scen, unc = _abs(scenario), _abs(uncertainty)
    target = os.path.abspath(os.fspath(out))
    if client is None:
        files = _fzc.mc(scen, unc, draws, seed, 0, 1, target, None if quiet else _Progress(),
                        pricing)
    else:
        files = _sharded(
            client, shards, target,
            lambda i, k, d: client.submit(_mc_shard, scen, unc, draws, seed, i, k, d, pricing,
                                          pure=False),
            _fzc.mc_merge,
        )
    return McResult(
        summary=_csv(open(os.path.join(target, "summary.csv"), encoding="utf-8").read()),
        out=target,
        files=[os.fspath(p) for p in files],
    )


@dataclass
class SensitivityResult:
    """Result of :func:`sensitivity`: ``indices`` has the columns of ``sobol.csv``
    (``output,param,s1,s1_conf,st,st_conf``) or ``morris.csv``
    (``output,param,mu_star,mu_star_conf,sigma``); the other files (``runs.csv``,
    ``sensitivity.json``) are in ``out`` (docs/formats/uncertainty.md, "fzc sensitivity")."""

    indices: pd.DataFrame
    out: str
    files: List[str] = field(default_factory=list)


def sensitivity(
    scenario: Union["os.PathLike[str]", str, None] = None,
    *,
    samples: int,
    seed: int,
    out: Union["os.PathLike[str]", str],
    method: str = "sobol",
    levels: int = 4,
    uncertainty: Union["os.PathLike[str]", str, None] = None,
    pricing: Any = None,
    client: Any = None,
    shards: Optional[int] = None,
    quiet: bool = False,
) -> SensitivityResult:
    """Which uncertain input decides each region's amount, as ``fzc sensitivity``.

    ``method="sobol"``: first-order and total Sobol' indices from a Saltelli sample of
    ``samples`` base points (``samples * (D + 2)`` runs for ``D`` inputs), with bootstrap
    confidence intervals. ``method="morris"``: ``samples`` trajectories on a grid of
    ``levels`` levels (``samples * (D + 1)`` runs). The inputs are the ``[[uncertainty]]``
    stanzas of the scenario or of ``uncertainty``; the outputs are each region's
    ``ledger_net`` and ``total_paid``. ``pricing``, ``client`` and ``shards`` as in
    :func:`mc`: a Dask run is cut into shards of the sample and merged, byte-identical to the
    single run.
    """
    if method not in ("sobol", "morris"):
        raise ValueError(f"method={method!r}: expected \"sobol\" or \"morris\"")
    if pricing is not None:
        _check_scheme(pricing, "pricing")
    scen, unc = _abs(scenario), _abs(uncertainty)
    target = os.path.abspath(os.fspath(out))
    if client is None:
        files = _fzc.sensitivity(scen, unc, method, levels, samples, seed, 0, 1, target,
                                 None if quiet else _Progress(), pricing)
    else:
        files = _sharded(
            client, shards, target,
            lambda i, k, d: client.submit(_sensitivity_shard, scen, unc, method, levels,
                                          samples, seed, i, k, d, pricing, pure=False),
            _fzc.sensitivity_merge,
        )
    name = "sobol.csv" if method == "sobol" else "morris.csv"
    return SensitivityResult(
        indices=_csv(open(os.path.join(target, name), encoding="utf-8").read()),
        out=target,
        files=[os.fspath(p) for p in files],
    )


from . import cssf  # noqa: E402  (the submodule uses the helpers above)
