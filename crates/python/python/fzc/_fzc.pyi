"""Type stubs of the native module fzc._fzc."""

from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Union

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
    z: bytes,
    y: bytes,
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
) -> List[str]: ...
def mc_merge(shards: List[str], out: str) -> List[str]: ...
