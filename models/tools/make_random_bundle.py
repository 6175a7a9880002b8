#!/usr/bin/python3
"""Build a random-weight LOA Studio model bundle with the exact I/O of the real AudioLDM 2 export.

    /usr/bin/python3 models/tools/make_random_bundle.py --size tiny --out models/tiny
    /usr/bin/python3 models/tools/make_random_bundle.py --size full --out models/.generated/full [--seed 0]

`tiny` is the committed test fixture (a few MB, runs in well under a second); `full` has the layer
sizes of cvssp/audioldm2 (~1.1 B parameters, ~4.4 GB of fp32 ONNX) and so its real compute cost, for
benchmarks. The weights are random (seeded: the same command gives the same weights); the audio is noise.

Every component of models/contract.json is built as a plain-torch module (loa_modules.py), exported
with torch.onnx.export (opset 17, the contract's dynamic axes), checked against the contract
(bundle_contract.py) and, when onnxruntime is reachable (Python's, or onnxruntime-node through
ort_run.mjs), run and compared with PyTorch on the trace shapes and on other shapes. Then
<out>/manifest.json is written and the whole bundle is checked again from disk. Any failure exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundle_contract as bc  # noqa: E402
import loa_modules as lm  # noqa: E402

OPSET = 17
# benign torch.onnx 1.13 chatter (checked: the graphs are verified against PyTorch below)
warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
warnings.filterwarnings("ignore", message="Constant folding - Only steps=1 can be constant folded")
EXTERNAL_DATA_OVER = 1_500_000_000  # bytes: larger graphs keep their weights in <file>_data
TOOLS = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "models/tools/make_random_bundle.py"

# dynamic-dim sizes used to trace each component (distinct values, so nothing is confused by equality)
TRACE_DIMS = {
    "batch": 2,
    "text_len": 7,
    "t5_len": 5,
    "seq": 9,
    "past_len": 9,
    "total_len": 10,
    "loa_len": 8,
    "latent_len": 16,
    "mel_len": 24,
}


class GenerationError(Exception):
    pass


def log(msg: str) -> None:
    print(msg, flush=True)


# ------------------------------------------------------------------------------------------------
# Example inputs
# ------------------------------------------------------------------------------------------------


def make_inputs(key: str, dims: dict, config: dict, arch: dict, gen: torch.Generator) -> dict:
    """Plausible inputs for component `key` with the dynamic sizes `dims` (ordered as the contract)."""
    b = dims["batch"]

    def randn(*shape):
        return torch.randn(*shape, generator=gen)

    def mask_with_padding(n, keep):
        m = torch.ones(b, n, dtype=torch.int64)
        for row in range(1, b):  # rows after the first are padded after `keep` tokens
            m[row, keep:] = 0
        return m

    if key == "clapText":
        n = dims["text_len"]
        ids = torch.randint(3, arch["roberta"]["vocab"], (b, n), generator=gen)
        ids[:, 0] = 0
        m = mask_with_padding(n, max(2, n // 2))
        ids[:, -1] = 2
        for row in range(b):
            k = int(m[row].sum())
            ids[row, k - 1] = 2
            ids[row, k:] = 1  # <pad>
        return {"input_ids": ids, "attention_mask": m}
    if key == "clapAudio":
        return {"input_features": randn(b, 1, 1001, 64) * 10.0 - 40.0}
    if key == "t5Encoder":
        n = dims["t5_len"]
        ids = torch.randint(3, arch["t5"]["vocab"], (b, n), generator=gen)
        m = mask_with_padding(n, max(1, n // 2))
        for row in range(b):
            k = int(m[row].sum())
            ids[row, k - 1] = 1  # </s>
            ids[row, k:] = 0  # <pad>
        return {"input_ids": ids, "attention_mask": m}
    if key == "projection":
        n = dims["t5_len"]
        return {
            "clap_embeds": lm.l2_normalise(randn(b, 1, config["clapDim"])),
            "clap_mask": torch.ones(b, 1, dtype=torch.int64),
            "t5_hidden": randn(b, n, config["t5Dim"]) * 0.2,
            "t5_mask": mask_with_padding(n, max(1, n // 2)),
        }
    if key == "gpt2Prefill":
        s = dims["seq"]
        m = torch.ones(b, s, dtype=torch.int64)
        m[1:, 4:6] = 0  # padded T5 positions inside the prefix, as in the negative branch
        return {
            "inputs_embeds": randn(b, s, config["llmDim"]),
            "attention_mask": m,
            "position_ids": torch.arange(s).repeat(b, 1),
        }
    if key == "gpt2Step":
        p, t = dims["past_len"], dims["total_len"]
        m = torch.ones(b, t, dtype=torch.int64)
        m[1:, 2:3] = 0
        out = {
            "inputs_embeds": randn(b, 1, config["llmDim"]),
            "attention_mask": m,
            "position_ids": torch.full((b, 1), p, dtype=torch.int64),
        }
        h, d = config["gpt2Heads"], config["gpt2HeadDim"]
        for name in lm.kv_names("past", config["gpt2Layers"]):
            out[name] = randn(b, h, p, d)
        return out
    if key == "unet":
        t, n, k = dims["latent_len"], dims["t5_len"], dims["loa_len"]
        steps = torch.tensor([981.0, 1.0, 501.0, 21.0])
        return {
            "sample": randn(b, config["latentChannels"], t, config["latentFreq"]),
            "timestep": steps[torch.arange(b) % 4],
            "encoder_hidden_states": randn(b, k, config["llmDim"]),
            "encoder_hidden_states_1": randn(b, n, config["t5Dim"]) * 0.2,
            "encoder_attention_mask_1": mask_with_padding(n, max(1, n // 2)),
        }
    if key == "vaeDecoder":
        return {"latents": randn(b, config["latentChannels"], dims["latent_len"], config["latentFreq"])}
    if key == "vaeEncoder":
        return {"mel": randn(b, 1, dims["mel_len"], config["melBins"]) * 2.0 - 5.0}
    if key == "vocoder":
        return {"mel": randn(b, dims["mel_len"], config["melBins"]) * 2.0 - 5.0}
    raise KeyError(key)


def run_torch(module, inputs: dict, names: list) -> dict:
    with torch.no_grad():
        out = module(*inputs.values())
    if isinstance(out, torch.Tensor):
        out = (out,)
    if len(out) != len(names):
        raise GenerationError(f"module returned {len(out)} outputs, contract has {len(names)}")
    return {n: o.detach().numpy() for n, o in zip(names, out)}


# ------------------------------------------------------------------------------------------------
# onnxruntime, when reachable
# ------------------------------------------------------------------------------------------------


class OrtRunner:
    """Runs a graph with Python onnxruntime if importable, else onnxruntime-node via ort_run.mjs."""

    def __init__(self, threads: int, enabled: bool = True):
        self.threads = threads
        self.kind = None
        if not enabled:
            return
        try:
            import onnxruntime  # noqa: F401

            self.kind = "python"
            return
        except ImportError:
            pass
        node = shutil.which("node")
        if node is None:
            return
        probe = subprocess.run([node, "-e", "import('onnxruntime-node').then(()=>process.exit(0),()=>process.exit(1))"],
                               cwd=TOOLS, capture_output=True)
        if probe.returncode == 0:
            self.kind = "node"
            self.node = node

    def __bool__(self):
        return self.kind is not None

    def run(self, model_path: str, feeds_list: list) -> list:
        if self.kind == "python":
            import onnxruntime as ort

            so = ort.SessionOptions()
            so.intra_op_num_threads = self.threads
            sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
            names = [o.name for o in sess.get_outputs()]
            res = []
            for feeds in feeds_list:
                vals = sess.run(None, {k: v.numpy() for k, v in feeds.items()})
                res.append(dict(zip(names, vals)))
            return res
        with tempfile.TemporaryDirectory(prefix="loa-ort-") as tmp:
            runs = []
            for i, feeds in enumerate(feeds_list):
                run = {}
                for name, t in feeds.items():
                    arr = np.ascontiguousarray(t.numpy())
                    f = os.path.join(tmp, f"in{i}.{name}.bin")
                    arr.tofile(f)
                    run[name] = {"type": str(arr.dtype), "dims": list(arr.shape), "file": f}
                runs.append(run)
            req = os.path.join(tmp, "request.json")
            with open(req, "w") as f:
                json.dump({"model": model_path, "threads": self.threads, "outDir": tmp, "runs": runs}, f)
            p = subprocess.run([self.node, os.path.join(TOOLS, "ort_run.mjs"), req], cwd=TOOLS,
                               capture_output=True, text=True)
            if p.returncode != 0:
                raise GenerationError(f"onnxruntime-node failed on {model_path}:\n{p.stderr[-3000:]}")
            resp = json.loads(p.stdout.strip().splitlines()[-1])
            res = []
            for r in resp["runs"]:
                outs = {}
                for name, o in r["outputs"].items():
                    dtype = {"float32": np.float32, "int64": np.int64}[o["type"]]
                    outs[name] = np.fromfile(o["file"], dtype=dtype).reshape(o["dims"])
                res.append(outs)
            return res


def compare(what: str, got: dict, want: dict, rtol: float = 2e-3) -> float:
    """Max error relative to max(1, max|want|); raises above rtol. Integer outputs must be equal."""
    worst = 0.0
    for name, w in want.items():
        g = got.get(name)
        if g is None:
            raise GenerationError(f"{what}: output {name} missing")
        if tuple(g.shape) != tuple(w.shape):
            raise GenerationError(f"{what}: {name} has shape {tuple(g.shape)}, expected {tuple(w.shape)}")
        if w.dtype.kind in "iu":
            if not np.array_equal(g, w):
                raise GenerationError(f"{what}: integer output {name} differs")
            continue
        if not np.all(np.isfinite(g)):
            raise GenerationError(f"{what}: {name} has non-finite values")
        err = float(np.max(np.abs(g.astype(np.float64) - w))) / max(1.0, float(np.max(np.abs(w))))
        worst = max(worst, err)
        if err > rtol:
            raise GenerationError(f"{what}: {name} differs from PyTorch by {err:.3g} (relative to max |x|)")
    return worst


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------


def onnx_weight_bytes(model: onnx.ModelProto) -> int:
    return sum(len(t.raw_data) or t.ByteSize() for t in model.graph.initializer)


def export_component(key, module, inputs, contract, config, out_dir, tmp_dir,
                     external_over: int = EXTERNAL_DATA_OVER) -> dict:
    """Export one component to out_dir/<file>; returns {"file", "externalData"} (paths relative to out_dir)."""
    comp = contract["components"][key]
    ins, outs = bc.component_io(contract, key, config)
    in_names, out_names = [e["name"] for e in ins], [e["name"] for e in outs]
    if list(inputs) != in_names:
        raise GenerationError(f"{key}: example inputs {list(inputs)} != contract inputs {in_names}")
    if key in ("gpt2Prefill", "gpt2Step"):  # the wrappers return the caches positionally
        want = ["last_hidden_state"] + lm.kv_names("present", config["gpt2Layers"])
        if out_names != want:
            raise GenerationError(f"{key}: contract outputs {out_names} are not in the order the GPT-2 wrappers use")
    raw = os.path.join(tmp_dir, comp["file"])
    with torch.no_grad():
        torch.onnx.export(
            module,
            tuple(inputs.values()),
            raw,
            opset_version=OPSET,
            input_names=in_names,
            output_names=out_names,
            dynamic_axes=bc.dynamic_axes(contract, key, config),
            do_constant_folding=True,
            training=torch.onnx.TrainingMode.EVAL,
        )
    model = onnx.load(raw)  # also pulls in external data if torch had to write any (> 2 GB)
    bc.set_contract_dims(model, contract, key, config)
    model.producer_name = "loa-studio make_random_bundle.py"
    model.doc_string = f"LOA Studio random-weight stand-in for AudioLDM 2 {key} ({comp['why']})"
    final = os.path.join(out_dir, comp["file"])
    data_name = comp["file"] + "_data"
    for p in (final, os.path.join(out_dir, data_name)):
        if os.path.exists(p):
            os.remove(p)
    external = onnx_weight_bytes(model) > external_over
    if external:
        onnx.save_model(model, final, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=1024)
    else:
        onnx.save_model(model, final)
    del model
    for f in os.listdir(tmp_dir):
        os.remove(os.path.join(tmp_dir, f))
    # structural checks: the checker, then shape inference that must agree with the declared I/O shapes
    onnx.checker.check_model(final)
    if not external:
        m = onnx.load(final)
        onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
        del m
    else:
        inferred = os.path.join(tmp_dir, "inferred.onnx")
        onnx.shape_inference.infer_shapes_path(final, inferred, check_type=True, strict_mode=True)
        os.remove(inferred)
    return {"file": comp["file"], "externalData": [data_name] if external else []}


def shape_only_check(path: str, key: str, contract: dict, config: dict, dims: dict) -> str:
    """Without onnxruntime: fix the dynamic input dims to `dims`, run ONNX shape inference with data
    propagation, and make sure no output comes out with a concrete size that contradicts the contract."""
    m = onnx.load(path, load_external_data=False)
    ins, outs = bc.component_io(contract, key, config)
    by = {e["name"]: e for e in ins}
    for vi in m.graph.input:
        e = by.get(vi.name)
        if e:
            for gd, cd in zip(vi.type.tensor_type.shape.dim, e["dims"]):
                r = bc.resolve_dim(cd, config)
                gd.Clear()
                gd.dim_value = r if isinstance(r, int) else dims[r]
    for vi in m.graph.output:  # forget the declared output shapes, let inference find them
        vi.type.tensor_type.ClearField("shape")
    inferred = onnx.shape_inference.infer_shapes(m, data_prop=True)
    known = {}
    for vi in inferred.graph.output:
        known[vi.name] = [d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim]
    want = expected_output_dims(key, dims, contract, config)
    resolved = total = 0
    for name, shape in want.items():
        got = known.get(name) or []
        total += len(shape)
        if got and len(got) != len(shape):
            raise GenerationError(f"{key}: shape inference at {short(key, dims)} gives {name} rank {len(got)}, expected {shape}")
        for g, w in zip(got, shape):
            if g is not None and g != w:
                raise GenerationError(f"{key}: shape inference at {short(key, dims)} gives {name} = {got}, expected {list(shape)}")
            resolved += g is not None
    return f"shape inference at {short(key, dims)}: {resolved}/{total} output dims resolved, all as expected"


# ------------------------------------------------------------------------------------------------
# Per-component functional checks
# ------------------------------------------------------------------------------------------------


def check_gpt2_cache_torch(gpt2: lm.GPT2, config: dict, gen: torch.Generator) -> float:
    """Prefill over S+1 tokens == prefill over S tokens then one step with the KV cache."""
    s, b = 11, 2
    x = torch.randn(b, s + 1, config["llmDim"], generator=gen)
    m = torch.ones(b, s + 1, dtype=torch.int64)
    m[1, 5:8] = 0
    pos = torch.arange(s + 1).repeat(b, 1)
    prefill, step = lm.GPT2Prefill(gpt2), lm.GPT2Step(gpt2)
    with torch.no_grad():
        full = prefill(x, m, pos)
        head = prefill(x[:, :s], m[:, :s], pos[:, :s])
        tail = step(x[:, s:], m, pos[:, s:], *head[1:])
    worst = float((full[0][:, s:] - tail[0]).abs().max())
    for a, c in zip(full[1:], tail[1:]):
        worst = max(worst, float((a - c).abs().max()))
    if not worst < 1e-4:
        raise GenerationError(f"gpt2: prefill(S+1) vs prefill(S)+step differ by {worst:.3g} (PyTorch)")
    return worst


def check_gpt2_cache_ort(ort: OrtRunner, prefill_path: str, step_path: str, config: dict, gen) -> float:
    s, b = 11, 2
    x = torch.randn(b, s + 1, config["llmDim"], generator=gen)
    m = torch.ones(b, s + 1, dtype=torch.int64)
    m[1, 5:8] = 0
    pos = torch.arange(s + 1).repeat(b, 1)
    full, head = ort.run(prefill_path, [
        {"inputs_embeds": x, "attention_mask": m, "position_ids": pos},
        {"inputs_embeds": x[:, :s].contiguous(), "attention_mask": m[:, :s].contiguous(), "position_ids": pos[:, :s].contiguous()},
    ])
    feeds = {"inputs_embeds": x[:, s:].contiguous(), "attention_mask": m, "position_ids": pos[:, s:].contiguous()}
    for name in lm.kv_names("past", config["gpt2Layers"]):
        feeds[name] = torch.from_numpy(head[name.replace("past.", "present.", 1)])
    (tail,) = ort.run(step_path, [feeds])
    worst = float(np.abs(full["last_hidden_state"][:, s:] - tail["last_hidden_state"]).max())
    for name, v in tail.items():
        if name.startswith("present."):
            worst = max(worst, float(np.abs(full[name] - v).max()))
    if not worst < 1e-4:
        raise GenerationError(f"gpt2: prefill(S+1) vs prefill(S)+step differ by {worst:.3g} (onnxruntime)")
    return worst


# extra shapes each component is run at (onnxruntime vs PyTorch), besides the trace shapes
EXTRA_DIMS = {
    "clapText": [{"batch": 1, "text_len": 512}, {"batch": 3, "text_len": 3}],
    "clapAudio": [{"batch": 1}],
    "t5Encoder": [{"batch": 1, "t5_len": 1}, {"batch": 3, "t5_len": 128}],
    "projection": [{"batch": 1, "t5_len": 1}, {"batch": 4, "t5_len": 128}],
    "gpt2Prefill": [{"batch": 1, "seq": 6}, {"batch": 4, "seq": 133}],
    "gpt2Step": [{"batch": 1, "past_len": 6, "total_len": 7}, {"batch": 4, "past_len": 140, "total_len": 141}],
    "unet": [{"batch": 1, "latent_len": 8, "t5_len": 1, "loa_len": 8},
             {"batch": 1, "latent_len": 32, "t5_len": 12, "loa_len": 8},
             {"batch": 2, "latent_len": 64, "t5_len": 3, "loa_len": 8}],
    "vaeDecoder": [{"batch": 1, "latent_len": 8}, {"batch": 1, "latent_len": 25}],
    "vaeEncoder": [{"batch": 1, "mel_len": 32}, {"batch": 1, "mel_len": 100}],
    "vocoder": [{"batch": 1, "mel_len": 1}, {"batch": 1, "mel_len": 100}],
}


def expected_output_dims(key, dims, contract, config):
    _, outs = bc.component_io(contract, key, config)
    derived = {"prefix_len": dims.get("t5_len", 0) + 5, "samples": config["hopLength"] * dims.get("mel_len", 0) + 32,
               "moment_channels": 2 * config["latentChannels"]}
    if key == "vaeEncoder":
        derived["latent_len"] = dims["mel_len"] // config["vaeScaleFactor"]
    if key == "vaeDecoder":
        derived["mel_len"] = dims["latent_len"] * config["vaeScaleFactor"]
    shapes = {}
    for e in outs:
        shape = []
        for d in e["dims"]:
            r = bc.resolve_dim(d, config)
            shape.append(r if isinstance(r, int) else derived.get(r, dims.get(r)))
        shapes[e["name"]] = tuple(shape)
    return shapes


def verify_component(key, module, path, contract, config, arch, ort, gen, tiny) -> list:
    """Run torch (and onnxruntime, one session for all shapes) at the trace dims and the extra dims."""
    notes = []
    _, outs = bc.component_io(contract, key, config)
    out_names = [e["name"] for e in outs]
    cases = []
    for dims in [TRACE_DIMS] + EXTRA_DIMS[key]:
        dims = {**TRACE_DIMS, **dims}
        if key == "vocoder" and not tiny and dims["mel_len"] > 64:
            dims["mel_len"] = 64
        if key == "vaeEncoder" and dims["mel_len"] % config["vaeScaleFactor"]:
            raise GenerationError("vaeEncoder test length must be a multiple of the VAE factor")
        feeds = make_inputs(key, dims, config, arch, gen)
        want = run_torch(module, feeds, out_names)
        shapes = expected_output_dims(key, dims, contract, config)
        for name, shape in shapes.items():
            if tuple(want[name].shape) != shape:
                raise GenerationError(f"{key} (PyTorch) at {dims}: {name} is {want[name].shape}, expected {shape}")
            if want[name].dtype.kind == "f" and not np.all(np.isfinite(want[name])):
                raise GenerationError(f"{key} (PyTorch) at {dims}: {name} is not finite")
        if key == "vocoder":
            rms = float(np.sqrt(np.mean(want["waveform"].astype(np.float64) ** 2)))
            if not rms > 1e-4:
                raise GenerationError(f"vocoder output is silent (RMS {rms:.3g})")
        cases.append((dims, feeds, want))
    if ort:
        results = ort.run(path, [feeds for _, feeds, _ in cases])
        for (dims, _, want), got in zip(cases, results):
            err = compare(f"{key} at {dims}", got, want)
            notes.append(f"ort==torch at {short(key, dims)} (rel err {err:.1e})")
    else:
        for dims, _, _ in cases:
            notes.append(shape_only_check(path, key, contract, config, dims))
    return notes


def short(key, dims):
    return ",".join(f"{k}={v}" for k, v in dims.items() if v != TRACE_DIMS.get(k) or k == "batch")


# ------------------------------------------------------------------------------------------------
# Tokenizers
# ------------------------------------------------------------------------------------------------


def tokenizer_vocab_size(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        tok = json.load(f)
    ids = [a["id"] for a in tok.get("added_tokens", [])]
    vocab = tok["model"].get("vocab", {})
    if isinstance(vocab, dict):
        ids += list(vocab.values())
    else:
        ids.append(len(vocab) - 1)
    return max(ids) + 1


# The tiny tokenizers are committed with the diffusers fixture checkpoint (the builder copies the same
# files into the bundles it builds): tokenizer/ is the CLAP RoBERTa BPE, tokenizer_2/ the Flan-T5 Unigram.
FIXTURE_TOKENIZERS = os.path.join(TOOLS, "..", "..", "fixtures", "audioldm2-tiny", "checkpoint")
TOKENIZER_FOLDERS = {"clap": "tokenizer", "t5": "tokenizer_2"}


def make_tokenizers(source: str, out_dir: str, contract: dict, arch: dict) -> dict:
    for name, tok in contract["tokenizers"].items():
        os.makedirs(os.path.join(out_dir, tok["dir"]), exist_ok=True)
        for fname in tok["files"]:
            src = os.path.join(source, TOKENIZER_FOLDERS[name], fname)
            if not os.path.isfile(src):
                raise GenerationError(f"tokenizer file {src} not found")
            dst = os.path.join(out_dir, tok["dir"], fname)
            shutil.copyfile(src, dst)
            os.chmod(dst, 0o644)
    section = {}
    for name, tok in contract["tokenizers"].items():
        files = []
        for fname in tok["files"]:
            rel = f"{tok['dir']}/{fname}"
            p = os.path.join(out_dir, rel)
            if not os.path.isfile(p):
                raise GenerationError(f"tokenizer file {rel} was not written")
            sha, n = bc.file_digest(p)
            files.append({"file": rel, "sha256": sha, "bytes": n})
        section[name] = {"files": files}
    vocab = {"clap": arch["roberta"]["vocab"], "t5": arch["t5"]["vocab"]}
    for name, limit in vocab.items():
        n = tokenizer_vocab_size(os.path.join(out_dir, contract["tokenizers"][name]["dir"], "tokenizer.json"))
        if n > limit:
            raise GenerationError(f"tokenizer {name} has ids up to {n - 1}, the embedding has {limit} rows")
    return section


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=["tiny", "full"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tokenizers", default=FIXTURE_TOKENIZERS, metavar="CHECKPOINT",
                    help="a checkpoint folder whose tokenizer/ (CLAP) and tokenizer_2/ (T5) are copied in")
    ap.add_argument("--no-ort", action="store_true", help="skip the onnxruntime runs (structural checks only)")
    ap.add_argument("--external-data-over", type=int, default=EXTERNAL_DATA_OVER, metavar="BYTES",
                    help="graphs with more weight bytes than this keep them in <file>_data (default 1.5e9)")
    args = ap.parse_args(argv)

    t_start = time.time()
    torch.set_num_threads(args.threads)
    contract = bc.load_contract()
    config = lm.bundle_config(args.size)
    arch = lm.architecture(args.size)
    errs = bc.check_config(config, contract)
    if errs:
        raise GenerationError("; ".join(errs))
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    ort = OrtRunner(args.threads, enabled=not args.no_ort)
    log(f"[bundle] {args.size} -> {out_dir} (seed {args.seed}, torch {torch.__version__}, "
        f"onnxruntime: {ort.kind or 'not available, shape inference only'})")

    tokenizers = make_tokenizers(args.tokenizers, out_dir, contract, arch)
    manifest_components, params = {}, {}
    cache = {}
    last_use = {"gpt2": "gpt2Step", "vae": "vaeEncoder"}
    gen = torch.Generator().manual_seed(args.seed + 12345)
    tmp_dir = tempfile.mkdtemp(prefix=".export-", dir=out_dir)
    try:
        for key in contract["components"]:
            t0 = time.time()
            module = lm.build_component(key, args.size, args.seed, cache)
            params[key] = lm.count_params(module)
            inputs = make_inputs(key, TRACE_DIMS, config, arch, gen)
            if key == "gpt2Prefill":
                d = check_gpt2_cache_torch(module.gpt2, config, gen)
                log(f"[gpt2] PyTorch: prefill(S+1) == prefill(S) + step, max abs diff {d:.2e}")
            rec = export_component(key, module, inputs, contract, config, out_dir, tmp_dir, args.external_data_over)
            t_export = time.time() - t0
            path = os.path.join(out_dir, rec["file"])
            notes = verify_component(key, module, path, contract, config, arch, ort, gen, args.size == "tiny")
            if key == "gpt2Step" and ort:
                d = check_gpt2_cache_ort(ort, os.path.join(out_dir, "gpt2_prefill.onnx"), path, config, gen)
                notes.append(f"onnxruntime: prefill(S+1) == prefill(S) + step, max abs diff {d:.2e}")
            model = onnx.load(path, load_external_data=False)
            ins, outs = bc.graph_io(model)
            del model
            errs = bc.check_graph_strict(key, ins, outs, contract, config)
            if errs:
                raise GenerationError("contract violations:\n  " + "\n  ".join(errs))
            sha, n = bc.file_digest(path)
            graph = {"precision": "fp32", "file": rec["file"], "sha256": sha, "bytes": n, "externalData": []}
            total_bytes = n
            for ext in rec["externalData"]:
                esha, en = bc.file_digest(os.path.join(out_dir, ext))
                graph["externalData"].append({"file": ext, "sha256": esha, "bytes": en})
                total_bytes += en
            manifest_components[key] = {"graphs": [graph], "inputs": ins, "outputs": outs}
            log(f"[{key}] {params[key]:,} params, {total_bytes / 1e6:.2f} MB, export+checks {time.time() - t0:.1f}s "
                f"(export {t_export:.1f}s)")
            for note in notes:
                log(f"    {note}")
            name = lm.COMPONENTS[key][0]
            if last_use.get(name, key) == key:
                cache.pop(name, None)
            del module
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)

    manifest = {
        "format": "loa-studio-bundle",
        "contractVersion": contract["version"],
        "id": f"{args.size}-random",
        "name": {"tiny": "Tiny random AudioLDM 2 (test fixture)",
                 "full": "Full-size random AudioLDM 2 (benchmark stand-in)"}[args.size],
        "license": "MIT (random weights; no training data)",
        "description": "Random weights: proves the machinery, makes noise.",
        "source": {"kind": "random", "generator": GENERATOR, "seed": args.seed, "torch": torch.__version__},
        "config": config,
        "components": manifest_components,
        "tokenizers": tokenizers,
        "params": params,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    errs = bc.check_bundle(out_dir, contract)
    if errs:
        raise GenerationError("bundle self-check failed:\n  " + "\n  ".join(errs))
    total = sum(v for k, v in params.items() if k != "gpt2Step")  # gpt2Step shares gpt2Prefill's weights
    size = sum(g["bytes"] + sum(e["bytes"] for e in g["externalData"])
               for c in manifest_components.values() for g in c["graphs"])
    log(f"[bundle] OK: {total:,} distinct params, {size / 1e6:.1f} MB of ONNX, {time.time() - t_start:.0f}s total")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (GenerationError, bc.ContractError) as e:
        print(f"make_random_bundle: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
