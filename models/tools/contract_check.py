"""Checks an ONNX graph against models/contract.json with the rules of the TypeScript loader.

The loader (src/main/engine/bundle/contract.ts, `contractProblems`) refuses a graph whose inputs or
outputs differ from the contract; this module applies the same rules in Python so an exporter can
fail before it writes a bundle the app would refuse:

  * every contract input/output name is present (names with '{layer}' repeat for
    layer = 0 .. config.gpt2Layers-1), and the graph has no input outside the contract
    (extra outputs are tolerated, as in the loader);
  * element types match ("float32", "int64", ... as onnxruntime names them);
  * when the graph declares a shape: the rank matches, an integer dim is that integer (or symbolic),
    a '$key' dim equals config[key] (or is symbolic), any other named dim is symbolic. Output shapes
    are read as onnxruntime reports them: the declared shape, with dims that shape inference finds
    to be numbers replaced by those numbers (see `graph_io`).

Dependency-light on purpose: only `onnx` (works with onnx 1.12 and later) and the standard library.
The benchmark's random-weight generator (make_random_bundle.py, through bundle_contract.py) imports it
by path:

    import importlib.util
    spec = importlib.util.spec_from_file_location("contract_check", "models/tools/contract_check.py")
    contract_check = importlib.util.module_from_spec(spec); spec.loader.exec_module(contract_check)
    problems = contract_check.check_graph("vocoder", "bundle/vocoder.onnx", manifest["config"])
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Tuple, Union

import onnx
import onnx.shape_inference

CONTRACT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "contract.json")

# onnx TensorProto element type -> the type name onnxruntime reports (what the loader compares).
_TYPE_NAMES = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.FLOAT16: "float16",
    onnx.TensorProto.BFLOAT16: "bfloat16",
    onnx.TensorProto.DOUBLE: "float64",
    onnx.TensorProto.INT8: "int8",
    onnx.TensorProto.INT16: "int16",
    onnx.TensorProto.INT32: "int32",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.UINT8: "uint8",
    onnx.TensorProto.UINT16: "uint16",
    onnx.TensorProto.UINT32: "uint32",
    onnx.TensorProto.UINT64: "uint64",
    onnx.TensorProto.BOOL: "bool",
    onnx.TensorProto.STRING: "string",
}

Dim = Union[int, str]
ValueInfo = Dict[str, Any]  # {"name": str, "type": str, "dims": [int | str]}

_contract_cache: Dict[str, dict] = {}


def load_contract(path: Optional[str] = None) -> dict:
    """models/contract.json (cached per path)."""
    path = os.path.normpath(path or CONTRACT_PATH)
    if path not in _contract_cache:
        with open(path, encoding="utf-8") as f:
            _contract_cache[path] = json.load(f)
    return _contract_cache[path]


def expand_values(values: List[dict], layers: int) -> List[dict]:
    """Contract values with '{layer}' names repeated for layer 0 .. layers-1 (same order as the loader)."""
    out: List[dict] = []
    for value in values:
        if "{layer}" in value["name"]:
            out.extend({**value, "name": value["name"].replace("{layer}", str(i))} for i in range(layers))
        else:
            out.append(dict(value))
    return out


def component_values(component_key: str, config: dict, contract: Optional[dict] = None) -> Tuple[List[dict], List[dict]]:
    """(inputs, outputs) of a component as declared by the contract, '{layer}' names expanded."""
    contract = contract or load_contract()
    spec = contract["components"][component_key]
    layers = _layers(config)
    return expand_values(spec["inputs"], layers), expand_values(spec["outputs"], layers)


def _layers(config: dict) -> int:
    try:
        return int(config.get("gpt2Layers", 0))
    except (TypeError, ValueError):
        return 0


def _value_info(vi: onnx.ValueInfoProto) -> ValueInfo:
    if not vi.type.HasField("tensor_type"):
        return {"name": vi.name, "type": "non-tensor", "dims": []}
    tensor = vi.type.tensor_type
    dims: List[Dim] = []
    if tensor.HasField("shape"):
        for d in tensor.shape.dim:
            if d.HasField("dim_value"):
                dims.append(int(d.dim_value))
            elif d.HasField("dim_param"):
                dims.append(d.dim_param)
            else:
                dims.append(-1)  # unknown size: symbolic without a name
    return {"name": vi.name, "type": _TYPE_NAMES.get(tensor.elem_type, f"onnx-type-{tensor.elem_type}"), "dims": dims}


def graph_io(onnx_model: Union[onnx.ModelProto, str], infer_shapes: bool = True) -> Tuple[List[ValueInfo], List[ValueInfo]]:
    """The graph's inputs and outputs as onnxruntime reports them: initializers are not inputs, and
    (with `infer_shapes`) an output dim declared symbolic but inferred as a number is that number.

    onnxruntime runs shape inference when it loads a graph and merges the result into the outputs'
    declared shapes, so the loader sees e.g. a conv's fixed channel count even where the exporter
    wrote a dynamic-axis name. onnx's shape inference does the same merge; if it fails (an operator
    it doesn't know, a proto over 2 GB), the declared shapes are used."""
    model = _as_model(onnx_model)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [_value_info(v) for v in model.graph.input if v.name not in initializers]
    outputs = [_value_info(v) for v in model.graph.output]
    if infer_shapes:
        inferred = _inferred_outputs(model)
        for i, declared in enumerate(outputs):
            got = inferred.get(declared["name"])
            if got and len(got["dims"]) == len(declared["dims"]):
                dims = [g if _is_symbolic(d) and not _is_symbolic(g) else d for d, g in zip(declared["dims"], got["dims"])]
                outputs[i] = {**declared, "dims": dims}
    return inputs, outputs


def _inferred_outputs(model: onnx.ModelProto) -> Dict[str, ValueInfo]:
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001 - inference is a refinement; fall back to the declared shapes
        return {}
    return {v.name: _value_info(v) for v in inferred.graph.output}


def _as_model(onnx_model: Union[onnx.ModelProto, str]) -> onnx.ModelProto:
    if isinstance(onnx_model, onnx.ModelProto):
        return onnx_model
    # Only the graph structure is needed: leave external weights on disk.
    return onnx.load(os.fspath(onnx_model), load_external_data=False)


def _is_symbolic(dim: Dim) -> bool:
    return isinstance(dim, str) or dim < 0


def check_io(
    component_key: str,
    inputs: List[ValueInfo],
    outputs: List[ValueInfo],
    config: dict,
    contract: Optional[dict] = None,
) -> List[str]:
    """Problems of already-extracted graph I/O (see `check_graph`)."""
    contract = contract or load_contract()
    if component_key not in contract["components"]:
        return [f'"{component_key}" is not a component of contract v{contract["version"]}']
    want_inputs, want_outputs = component_values(component_key, config, contract)
    problems: List[str] = []
    spec = contract["components"][component_key]
    if any("{layer}" in v["name"] for v in spec["inputs"] + spec["outputs"]) and _layers(config) <= 0:
        problems.append("config.gpt2Layers is missing or not a positive integer")

    def check(kind: str, expected: List[dict], actual: List[ValueInfo]) -> None:
        by_name = {v["name"]: v for v in actual}
        for want in expected:
            got = by_name.get(want["name"])
            if got is None:
                names = ", ".join(v["name"] for v in actual) or "none"
                problems.append(f'{kind} "{want["name"]}" is missing (graph has {names})')
                continue
            if got["type"] != want["type"]:
                problems.append(f'{kind} "{want["name"]}" is {got["type"]}, expected {want["type"]}')
            if len(got["dims"]) == 0:
                continue  # the graph does not declare a shape: nothing more to check
            if len(got["dims"]) != len(want["dims"]):
                wanted = ", ".join(str(d) for d in want["dims"])
                problems.append(f'{kind} "{want["name"]}" has rank {len(got["dims"])}, expected {len(want["dims"])} ([{wanted}])')
                continue
            for axis, (dim, actual_dim) in enumerate(zip(want["dims"], got["dims"])):
                if isinstance(dim, int):
                    if not _is_symbolic(actual_dim) and actual_dim != dim:
                        problems.append(f'{kind} "{want["name"]}" axis {axis} is {actual_dim}, expected {dim}')
                elif dim.startswith("$"):
                    key = dim[1:]
                    if key not in config:
                        problems.append(f'{kind} "{want["name"]}" axis {axis} refers to config.{key}, which is missing')
                    elif not _is_symbolic(actual_dim) and actual_dim != config[key]:
                        problems.append(f'{kind} "{want["name"]}" axis {axis} is {actual_dim}, but config.{key} is {config[key]}')
                elif not _is_symbolic(actual_dim):
                    problems.append(
                        f'{kind} "{want["name"]}" axis {axis} ({dim}) is fixed to {actual_dim}; export it as a dynamic axis'
                    )
        if kind == "input":
            wanted_names = {v["name"] for v in expected}
            for v in actual:
                if v["name"] not in wanted_names:
                    problems.append(f'input "{v["name"]}" is not part of contract v{contract["version"]}')

    check("input", want_inputs, inputs)
    check("output", want_outputs, outputs)
    return problems


def check_graph(
    component_key: str,
    onnx_model: Union[onnx.ModelProto, str],
    config: dict,
    contract: Optional[dict] = None,
) -> List[str]:
    """Problems (human-readable; empty when the graph fits) of `onnx_model` (a ModelProto or a path)
    as the `component_key` graph of a bundle whose manifest.config is `config`."""
    inputs, outputs = graph_io(onnx_model)
    return check_io(component_key, inputs, outputs, config, contract)


def check_config(config: dict, contract: Optional[dict] = None) -> List[str]:
    """Problems of a manifest.config: every contract configKeys entry must be present (not None)."""
    contract = contract or load_contract()
    return [f'config lacks "{key}"' for key in contract["configKeys"] if config.get(key) is None]


def dynamic_axes(component_key: str, config: dict, contract: Optional[dict] = None) -> Dict[str, Dict[int, str]]:
    """torch.onnx.export `dynamic_axes` for a component: every named, non-'$' dim, named as in the contract."""
    inputs, outputs = component_values(component_key, config, contract)
    axes: Dict[str, Dict[int, str]] = {}
    for value in inputs + outputs:
        named = {i: d for i, d in enumerate(value["dims"]) if isinstance(d, str) and not d.startswith("$")}
        if named:
            axes[value["name"]] = named
    return axes


if __name__ == "__main__":  # python contract_check.py <component> <graph.onnx> <manifest.json>
    import sys

    if len(sys.argv) != 4:
        sys.exit("usage: contract_check.py COMPONENT GRAPH.onnx MANIFEST.json")
    with open(sys.argv[3], encoding="utf-8") as f:
        manifest_config = json.load(f)["config"]
    found = check_graph(sys.argv[1], sys.argv[2], manifest_config)
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
