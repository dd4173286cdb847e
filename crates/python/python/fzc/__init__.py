"""fzc: Flow-Zoning-Compensation carbon compensation, computed in Rust.

This release covers the ECT layer (embodied carbon transfer from an MRIO table):

    import fzc, pymrio
    res = fzc.ect(pymrio.load_test(), stressor="emission_type1")
    res.regions     # columns of ect-regions.csv
    res.bilateral   # columns of ect-bilateral.csv

Every error raised by the library is a subclass of :class:`FzcError` and carries the Rust
library's message unchanged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from ._fzc import FzcError, InputError, MrioError, PluginError
from . import _fzc

__all__ = [
    "Ect",
    "FzcError",
    "InputError",
    "Mrio",
    "MrioError",
    "PluginError",
    "ect",
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
    return values.reshape(values.shape[0], m, cols // m).sum(axis=2)


def _ect_arrays(mrio: Mrio, method: str) -> dict:
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
    # Column-major bytes: the layout faer's matrix is filled from.
    zb = z.tobytes(order="F")
    yb = y.tobytes(order="F")
    return _fzc.ect_arrays(
        zb, yb, f.tolist(), f_y.tolist(), regions, sectors, mrio.unit,
        stressor=mrio.stressor, monetary_unit=mrio.monetary_unit, method=method,
    )


def _from_pymrio(io, stressor: str, extension: Optional[str]) -> Mrio:
    """Reads a pymrio IOSystem's DataFrames (no files). Z's index must be (region, sector)."""
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
    mon = ""
    if getattr(io, "unit", None) is not None:
        mon = str(io.unit.iloc[0, 0])
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
