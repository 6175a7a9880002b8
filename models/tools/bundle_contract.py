"""Contract helpers for the random-bundle generator, on top of the shared checker.

The rules the TypeScript loader applies to a graph (src/main/engine/bundle/contract.ts) are
implemented in Python in contract_check.py (next to this file); this module loads it by path and adds
what a *writer* of bundles needs:

  * `set_contract_dims`: write the contract's dims (dynamic-axis names, fixed and '$' values) into
    an exported graph's declared I/O shapes, refusing a dim the exporter baked in as a constant where
    the contract wants a dynamic axis;
  * `check_graph_strict`: the loader's rules (`contract_check.check_io`) plus what the generator
    promises on top: exactly the contract's inputs *and outputs*, every dim declared;
  * `check_bundle`: the whole folder as the app reads it: manifest fields and config keys, every file
    present with its recorded sha256 / size, allowed precisions, tokenizer files, and every graph
    against the contract.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os

import onnx

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTRACT_PATH = os.path.join(REPO, "models", "contract.json")
_CHECKER_PATH = os.path.join(REPO, "models", "tools", "contract_check.py")

_spec = importlib.util.spec_from_file_location("contract_check", _CHECKER_PATH)
contract_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contract_check)


class ContractError(Exception):
    pass


def load_contract() -> dict:
    return contract_check.load_contract(CONTRACT_PATH)


def component_io(contract: dict, key: str, config: dict) -> tuple[list, list]:
    """(inputs, outputs) as the contract declares them, '{layer}' expanded in the loader's order."""
    return contract_check.component_values(key, config, contract)


def dynamic_axes(contract: dict, key: str, config: dict) -> dict:
    return contract_check.dynamic_axes(key, config, contract)


def graph_io(model) -> tuple[list, list]:
    """Inputs and outputs as onnxruntime reports them (see contract_check.graph_io)."""
    return contract_check.graph_io(model)


def resolve_dim(d, config: dict):
    """Contract dim -> int (fixed or '$' config value) or the dynamic axis name."""
    if isinstance(d, int):
        return d
    if d.startswith("$"):
        v = config[d[1:]]
        if not isinstance(v, int):
            raise ContractError(f"config.{d[1:]} must be an integer to be used as a dim, got {v!r}")
        return v
    return d


def set_contract_dims(model: onnx.ModelProto, contract: dict, key: str, config: dict) -> None:
    """Write the contract's dims into the graph's declared input/output shapes.

    torch names the dynamic axes it was given but leaves other output dims as it inferred them (or
    with generated names); after this every declared dim is the contract's: dynamic axes by their
    contract name, fixed and '$' dims by value. A dim the exporter baked in as a number where the
    contract wants a dynamic axis is an export bug, and is refused rather than renamed."""
    want_in, want_out = component_io(contract, key, config)
    want = {e["name"]: e for e in want_in + want_out}
    for vi in list(model.graph.input) + list(model.graph.output):
        e = want.get(vi.name)
        if e is None:
            continue
        shape = vi.type.tensor_type.shape
        if len(shape.dim) != len(e["dims"]):
            raise ContractError(f"{key}: {vi.name} has rank {len(shape.dim)}, contract says {len(e['dims'])}")
        for i, (gd, cd) in enumerate(zip(shape.dim, e["dims"])):
            r = resolve_dim(cd, config)
            if isinstance(r, int):
                if gd.HasField("dim_value") and gd.dim_value != r:
                    raise ContractError(f"{key}: {vi.name} dim {i} is {gd.dim_value} in the graph, contract wants {r} ({cd})")
                gd.Clear()
                gd.dim_value = r
            else:
                if gd.HasField("dim_value"):
                    raise ContractError(f"{key}: {vi.name} dim {i} was exported as the constant {gd.dim_value}; "
                                        f"contract wants the dynamic axis '{cd}'")
                gd.Clear()
                gd.dim_param = r


def check_graph_strict(key: str, ins: list, outs: list, contract: dict, config: dict) -> list:
    """The loader's rules, plus: no extra outputs, and every dim declared (named or numbered)."""
    problems = contract_check.check_io(key, ins, outs, config, contract)
    want_in, want_out = component_io(contract, key, config)
    names = {e["name"] for e in want_out}
    problems += [f'output "{o["name"]}" is not part of the contract' for o in outs if o["name"] not in names]
    for v in ins + outs:
        if not v["dims"] or any(isinstance(d, int) and d < 0 for d in v["dims"]):
            problems.append(f'"{v["name"]}" has an undeclared dim: {v["dims"]}')
    return [f"{key}: {p}" for p in problems]


def check_config(config: dict, contract: dict) -> list:
    problems = contract_check.check_config(config, contract)
    for k in ("clapDim", "t5Dim", "llmDim", "gpt2Layers", "gpt2Heads", "gpt2HeadDim", "latentChannels", "latentFreq",
              "melBins"):
        if k in config and not (isinstance(config[k], int) and config[k] > 0):
            problems.append(f"config.{k} must be a positive integer, got {config[k]!r}")
    if all(isinstance(config.get(k), int) for k in ("gpt2Heads", "gpt2HeadDim", "llmDim")):
        if config["gpt2Heads"] * config["gpt2HeadDim"] != config["llmDim"]:
            problems.append("config: gpt2Heads * gpt2HeadDim != llmDim")
    return problems


def file_digest(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 22)
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def check_bundle(bundle_dir: str, contract: dict | None = None, verify_hashes: bool = True) -> list:
    """Every problem of a bundle folder (manifest + files + graphs). Empty list = conforming."""
    contract = contract or load_contract()
    errors = []
    with open(os.path.join(bundle_dir, "manifest.json"), encoding="utf-8") as f:
        man = json.load(f)
    if man.get("format") != "loa-studio-bundle":
        errors.append(f"manifest: format is {man.get('format')!r}")
    if man.get("contractVersion") != contract["version"]:
        errors.append(f"manifest: contractVersion {man.get('contractVersion')!r} != contract version {contract['version']}")
    for field in ("id", "name", "license"):
        if not isinstance(man.get(field), str):
            errors.append(f"manifest: {field} missing")
    config = man.get("config", {})
    errors += check_config(config, contract)
    if errors:
        return errors

    def check_file(rec, what):
        if not (isinstance(rec.get("file"), str) and isinstance(rec.get("sha256"), str) and isinstance(rec.get("bytes"), int)):
            errors.append(f"{what}: file entry without file, sha256 or bytes: {rec}")
            return False
        p = os.path.join(bundle_dir, rec["file"])
        if os.path.isabs(rec["file"]) or os.path.normpath(rec["file"]).startswith(".."):
            errors.append(f"{what}: {rec['file']} is outside the bundle")
            return False
        if not os.path.isfile(p):
            errors.append(f"{what}: missing file {rec['file']}")
            return False
        if verify_hashes:
            sha, n = file_digest(p)
            if sha != rec["sha256"] or n != rec["bytes"]:
                errors.append(f"{what}: {rec['file']} does not match its recorded sha256/bytes")
        return True

    for key, comp in contract["components"].items():
        mc = man.get("components", {}).get(key)
        if mc is None or not mc.get("graphs"):
            errors.append(f"manifest: no graph for component '{key}'")
            continue
        if not any(g.get("precision") == "fp32" for g in mc["graphs"]):
            errors.append(f"{key}: no fp32 graph")
        for g in mc["graphs"]:
            if g.get("precision") not in comp["precisions"]:
                errors.append(f"{key}: precision {g.get('precision')!r} not allowed ({comp['precisions']})")
            if not check_file(g, key):
                continue
            for ext in g.get("externalData", []):
                check_file(ext, key)
            model = onnx.load(os.path.join(bundle_dir, g["file"]), load_external_data=False)
            ins, outs = graph_io(model)
            del model
            errors += check_graph_strict(key, ins, outs, contract, config)
            if g.get("precision") == "fp32" and (ins != mc.get("inputs") or outs != mc.get("outputs")):
                errors.append(f"{key}: manifest inputs/outputs differ from those of {g['file']}")
    for name, tok in contract["tokenizers"].items():
        mt = man.get("tokenizers", {}).get(name)
        if mt is None:
            errors.append(f"manifest: tokenizer '{name}' missing")
            continue
        listed = {os.path.normpath(r.get("file", "")) for r in mt.get("files", [])}
        for fname in tok["files"]:
            if os.path.normpath(f"{tok['dir']}/{fname}") not in listed:
                errors.append(f"tokenizer {name}: {tok['dir']}/{fname} not listed")
        for r in mt.get("files", []):
            check_file(r, f"tokenizer {name}")
    return errors


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: bundle_contract.py <bundle dir>")
    errs = check_bundle(sys.argv[1])
    for e in errs:
        print(e)
    print("OK" if not errs else f"{len(errs)} problem(s)")
    sys.exit(1 if errs else 0)
