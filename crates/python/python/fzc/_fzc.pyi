"""Type stubs of the native module fzc._fzc."""

from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

class FzcError(Exception): ...
class InputError(FzcError): ...
class MrioError(FzcError): ...
class PluginError(FzcError): ...

def ect_path(
    path: Union[str, "PathLike[str]"],
    stressor: str,
    extension: Optional[str] = ...,
    method: str = ...,
    emissions: Optional[Union[str, "PathLike[str]"]] = ...,
    city_names: Optional[Union[str, "PathLike[str]"]] = ...,
) -> Dict[str, Any]: ...
def ect_arrays(
    z: np.ndarray,
    y: np.ndarray,
    f: List[float],
    f_y: List[float],
    regions: List[str],
    sectors: List[str],
    unit: str,
    stressor: str = ...,
    monetary_unit: str = ...,
    method: str = ...,
) -> Dict[str, Any]: ...

ZONING_HEADER: str
LEDGER_HEADER: str

def run(
    scenario: Optional[str] = ...,
    pricing: Optional[Any] = ...,
    plugins: Optional[Dict[str, Any]] = ...,
    out: Optional[str] = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
) -> Dict[str, Any]: ...
def compare(
    pricing: List[Any],
    scenario: Optional[str] = ...,
    out: Optional[str] = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
) -> Dict[str, Any]: ...
def mc(
    scenario: Optional[str],
    uncertainty: Optional[str],
    draws: int,
    seed: int,
    shard_index: int,
    shard_count: int,
    out: str,
    progress: Optional[Callable[[str, str, int], None]] = ...,
    pricing: Optional[Any] = ...,
) -> List[str]: ...
def mc_merge(shards: List[str], out: str) -> List[str]: ...
def sensitivity(
    scenario: Optional[str],
    uncertainty: Optional[str],
    method: str,
    levels: int,
    samples: int,
    seed: int,
    shard_index: int,
    shard_count: int,
    out: str,
    progress: Optional[Callable[[str, str, int], None]] = ...,
    pricing: Optional[Any] = ...,
) -> List[str]: ...
def sensitivity_merge(shards: List[str], out: str) -> List[str]: ...
def cssf_flows(
    regions: str,
    balance_path: Optional[str] = ...,
    balance: Optional[Any] = ...,
    unit: str = ...,
    id_field: Optional[str] = ...,
    k: float = ...,
    intensity: str = ...,
    mass: str = ...,
    core: str = ...,
    model: Optional[Any] = ...,
    out: Optional[str] = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
) -> Dict[str, Any]: ...
def cssf_run(
    lulc: str,
    pools: str,
    regions: str,
    emissions: str,
    *,
    emissions_unit: str = ...,
    population: Optional[str] = ...,
    population_kind: str = ...,
    census: Optional[str] = ...,
    class_weights: Optional[str] = ...,
    lulc_map: Optional[str] = ...,
    agri_classes: List[int] = ...,
    urban_classes: List[int] = ...,
    urban_mask: Optional[str] = ...,
    supply_unit: str = ...,
    unmapped: str = ...,
    raster_crs: Optional[str] = ...,
    coverage: str = ...,
    max_outside_share: float = ...,
    id_field: Optional[str] = ...,
    k: float = ...,
    intensity: str = ...,
    mass: str = ...,
    core: str = ...,
    model: Optional[Any] = ...,
    out: Optional[str] = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
    demand_estimator: Optional[Any] = ...,
) -> Dict[str, Any]: ...
def cssf_supply(
    lulc: str,
    pools: str,
    regions: str,
    out: str,
    *,
    lulc_map: Optional[str] = ...,
    supply_unit: str = ...,
    unmapped: str = ...,
    raster_crs: Optional[str] = ...,
    coverage: str = ...,
    max_outside_share: float = ...,
    id_field: Optional[str] = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
) -> Dict[str, Any]: ...
def cssf_demand(
    regions: str,
    emissions: str,
    out: str,
    *,
    emissions_unit: str = ...,
    population: Optional[str] = ...,
    population_kind: str = ...,
    census: Optional[str] = ...,
    class_weights: Optional[str] = ...,
    lulc: Optional[str] = ...,
    lulc_map: Optional[str] = ...,
    agri_classes: List[int] = ...,
    urban_classes: List[int] = ...,
    urban_mask: Optional[str] = ...,
    raster_crs: Optional[str] = ...,
    coverage: str = ...,
    max_outside_share: float = ...,
    id_field: Optional[str] = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
    estimator: Optional[Any] = ...,
) -> Dict[str, Any]: ...
def write_geotiff(
    path: str,
    data: bytes,
    width: int,
    height: int,
    x0: float,
    dx: float,
    y0: float,
    dy: float,
    crs: str,
) -> None: ...
def read_geotiff(
    path: str, raster_crs: Optional[str] = ...
) -> Tuple[bytes, int, int, Tuple[float, float, float, float], str]: ...
def ect_data_job(
    z: np.ndarray,
    y: np.ndarray,
    regions: List[str],
    sectors: List[str],
    rows: Sequence[Tuple[Any, ...]],
    stressors: List[str],
    out: Optional[str],
    label: str = ...,
    monetary_unit: str = ...,
    extension: Optional[str] = ...,
    method: str = ...,
    aggregate: Optional[str] = ...,
    region_map: Optional[str] = ...,
    parquet: bool = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
) -> Dict[str, Any]: ...
def ect_job(
    path: str,
    stressors: List[str],
    out: Optional[str],
    years: Optional[str] = ...,
    extension: Optional[str] = ...,
    method: str = ...,
    aggregate: Optional[str] = ...,
    region_map: Optional[str] = ...,
    parquet: bool = ...,
    progress: Optional[Callable[[str, str, int], None]] = ...,
) -> Dict[str, Any]: ...
