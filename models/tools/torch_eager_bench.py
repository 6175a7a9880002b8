#!/usr/bin/python3
"""PyTorch-eager peer figure for the benchmarks: the work of one 10.24 s take with the `full` modules.

    /usr/bin/python3 models/tools/torch_eager_bench.py [--unet-steps 3] [--seed 0] [--threads 2]

Rebuilds the same random `full` modules as make_random_bundle.py (loa_modules.py, same seed -> same
weights; no ONNX involved) and times, under torch.no_grad() with torch.set_num_threads(--threads),
what the TypeScript engine does for one take of 10.24 s (1024 mel frames, 256 latent frames) with
classifier-free guidance:

  textEncoders  CLAP text (RoBERTa, 512 tokens) + Flan-T5 encoder on [negative, prompt] (batch 2)
  gpt2          projection + GPT-2 prefill + 7 KV-cache steps (8 LOA tokens) for both branches (batch 2)
  unetStep      one UNet call at batch 2 (CFG) + the guidance combine and a DDIM update
  vae           VAE decode of one latent [1, 8, 256, 16] -> mel [1, 1, 1024, 64]
  vocoder       HiFi-GAN on [1, 1024, 64] -> 163872 samples

Only --unet-steps UNet calls are timed; total_dpmpp20_ms / total_ddim50_ms extrapolate the mean step
(the JSON says so). loadMs: building the modules from saved state dicts (construction with the random
init skipped + torch.load + load_state_dict), the peer of creating the onnxruntime sessions. The state
dicts are written once (untimed, by a child process) under models/.generated/torch-eager/.
Prints one JSON object on stdout; progress goes to stderr.

Mind the torch build: Debian's python3-torch (the /usr/bin/python3 one) links the reference BLAS
("blas": "generic" in the JSON), which makes its matmuls ~5-10x slower than a stock PyTorch wheel. The
script runs unchanged with any torch >= 1.13, e.g. the MKL wheel in /opt/wheels:
    python3 -m venv --system-site-packages /tmp/tvenv
    /tmp/tvenv/bin/pip install --no-index --find-links /opt/wheels --no-deps --ignore-installed torch
    /tmp/tvenv/bin/pip install --ignore-installed typing_extensions   # Debian 12's is too old for torch 2.13
    LOA_TORCH_PYTHON=/tmp/tvenv/bin/python npm run bench:engine
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time

import torch

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import loa_modules as lm  # noqa: E402

REPO = os.path.abspath(os.path.join(TOOLS, "..", ".."))
MODULES = ["clapText", "t5Encoder", "projection", "gpt2", "unet", "vae", "vocoder"]


def log(msg):
    print(f"[torch-eager] {msg}", file=sys.stderr, flush=True)


def source_digest() -> str:
    with open(os.path.join(TOOLS, "loa_modules.py"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def cache_dir(root: str, seed: int) -> str:
    return os.path.join(root, f"full-seed{seed}")


def cache_ok(d: str) -> bool:
    stamp = os.path.join(d, "stamp.json")
    if not os.path.isfile(stamp):
        return False
    with open(stamp) as f:
        s = json.load(f)
    return s.get("loa_modules_sha256") == source_digest() and all(
        os.path.isfile(os.path.join(d, f"{m}.pt")) for m in MODULES)


def build_cache(d: str, seed: int) -> None:
    """Child-process entry: build the seeded modules and save their state dicts."""
    os.makedirs(d, exist_ok=True)
    stamp = os.path.join(d, "stamp.json")
    if os.path.exists(stamp):
        os.remove(stamp)
    for name in MODULES:
        t0 = time.time()
        m = lm.build_module(name, "full", seed)
        if name == "vae":  # only the decoder half is used for a take
            m.encoder = None
            m.quant_conv = None
        torch.save(m.state_dict(), os.path.join(d, f"{name}.pt"))
        log(f"cached {name} ({lm.count_params(m):,} params, {time.time() - t0:.1f}s)")
        del m
    with open(stamp, "w") as f:
        json.dump({"seed": seed, "size": "full", "loa_modules_sha256": source_digest(), "torch": torch.__version__}, f)


@contextlib.contextmanager
def init_skipped():
    """Construct modules without running the random init (the weights are loaded right after)."""
    names = ["uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "zeros_", "ones_",
             "trunc_normal_", "constant_"]
    saved = {n: getattr(torch.nn.init, n) for n in names}
    for n in names:
        setattr(torch.nn.init, n, lambda t, *a, **k: t)
    try:
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.nn.init, n, f)


def load_modules(d: str) -> dict:
    arch = lm.architecture("full")
    mods = {}
    for name in MODULES:
        with init_skipped():
            m = lm.MODULES[name](arch)
        if name == "vae":
            m.encoder = None
            m.quant_conv = None
        state = torch.load(os.path.join(d, f"{name}.pt"))
        m.load_state_dict(state, strict=True)
        del state
        mods[name] = m.eval()
    return mods


def blas_info() -> str:
    """BLAS_INFO of the torch build: Debian's torch says 'generic' (reference BLAS, ~10x slower matmuls)."""
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    if m:
        return m.group(1)
    return "unknown"


def ms(t0):
    return (time.perf_counter() - t0) * 1000.0


def main():
    ap = argparse.ArgumentParser(description="PyTorch-eager timing of one 10.24 s AudioLDM 2 take (random full modules)")
    ap.add_argument("--unet-steps", type=int, default=1, help="UNet calls actually timed (the totals extrapolate)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--t5-len", type=int, default=12, help="T5 tokens of the prompt (the negative is padded to it)")
    ap.add_argument("--clap-len", type=int, default=512, help="CLAP text length (the pipeline pads to 512)")
    ap.add_argument("--latent-len", type=int, default=256, help="latent frames (256 = 10.24 s)")
    ap.add_argument("--guidance", type=float, default=3.5)
    ap.add_argument("--cache", default=os.path.join(REPO, "models", ".generated", "torch-eager"))
    ap.add_argument("--build-cache", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    blas = blas_info()
    if blas == "generic" and not args.build_cache:
        log("WARNING: this torch uses the reference BLAS (BLAS_INFO=generic): matmul-heavy stages are several "
            "times slower than a normal PyTorch; a torch built with MKL/OpenBLAS gives the fair peer figure")
    d = cache_dir(args.cache, args.seed)
    if args.build_cache:
        build_cache(d, args.seed)
        return
    cache_built = False
    if not cache_ok(d):
        log(f"writing the seeded state dicts to {d} (once, not timed)")
        subprocess.run([sys.executable, os.path.abspath(__file__), "--build-cache", "--seed", str(args.seed),
                        "--threads", str(args.threads), "--cache", args.cache], check=True)
        cache_built = True

    cfg = lm.bundle_config("full")
    arch = lm.architecture("full")
    g = torch.Generator().manual_seed(1234)

    t0 = time.perf_counter()
    mods = load_modules(d)
    load_ms = ms(t0)
    log(f"loaded modules in {load_ms:.0f} ms")

    stages = {}
    with torch.no_grad():
        # ---- text encoders: batch 2 = [negative, prompt]
        b, L, C = 2, args.t5_len, args.clap_len
        clap_ids = torch.full((b, C), 1, dtype=torch.int64)  # <pad>
        clap_mask = torch.zeros(b, C, dtype=torch.int64)
        for row, n in enumerate((5, min(C, 14))):  # "Low quality." / a short prompt, with <s> ... </s>
            clap_ids[row, :n] = torch.randint(3, arch["roberta"]["vocab"], (n,), generator=g)
            clap_ids[row, 0], clap_ids[row, n - 1] = 0, 2
            clap_mask[row, :n] = 1
        t5_ids = torch.randint(3, arch["t5"]["vocab"], (b, L), generator=g)
        t5_mask = torch.ones(b, L, dtype=torch.int64)
        neg = min(L, 4)
        t5_ids[0, neg - 1], t5_ids[0, neg:], t5_mask[0, neg:] = 1, 0, 0
        t5_ids[1, -1] = 1
        t0 = time.perf_counter()
        clap = mods["clapText"](clap_ids, clap_mask)
        t5 = mods["t5Encoder"](t5_ids, t5_mask)
        stages["textEncoders"] = ms(t0)
        log(f"text encoders {stages['textEncoders']:.0f} ms")

        # ---- projection + GPT-2 with KV cache, 8 new tokens
        t0 = time.perf_counter()
        x, m = mods["projection"](clap[:, None, :], torch.ones(b, 1, dtype=torch.int64), t5, t5_mask)
        gpt2 = mods["gpt2"]
        s = x.shape[1]
        pos = torch.arange(s).repeat(b, 1)
        h, past = gpt2(x, m, pos)
        new = [h[:, -1:]]
        for i in range(1, cfg["maxNewTokens"]):
            m = torch.cat([m, torch.ones(b, 1, dtype=torch.int64)], dim=1)
            h, past = gpt2(new[-1], m, torch.full((b, 1), s + i - 1, dtype=torch.int64), past)
            new.append(h)
        loa = torch.cat(new, dim=1)  # [2, 8, 768]
        stages["gpt2"] = ms(t0)
        log(f"projection + gpt2 {stages['gpt2']:.0f} ms")

        # ---- UNet steps (CFG batch 2) + guidance + DDIM update
        unet = mods["unet"]
        latents = torch.randn(1, cfg["latentChannels"], args.latent_len, cfg["latentFreq"], generator=g)
        step_ms = []
        for k in range(args.unet_steps):
            t = 981.0 - 20.0 * k
            t0 = time.perf_counter()
            eps = unet(torch.cat([latents, latents]), torch.full((2,), t), loa, t5, t5_mask)
            eps_u, eps_c = eps.chunk(2)
            eps = eps_u + args.guidance * (eps_c - eps_u)
            a_t, a_p = 0.01 + 0.001 * k, 0.02 + 0.001 * k
            x0 = (latents - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
            latents = a_p ** 0.5 * x0 + (1 - a_p) ** 0.5 * eps
            step_ms.append(ms(t0))
            log(f"unet step {k + 1}/{args.unet_steps}: {step_ms[-1]:.0f} ms")
        stages["unetStep"] = sum(step_ms) / len(step_ms)

        # ---- VAE decode + vocoder (one waveform)
        vae = mods["vae"]
        t0 = time.perf_counter()
        mel = vae.decoder(vae.post_quant_conv(latents / cfg["vaeScalingFactor"]))
        stages["vae"] = ms(t0)
        log(f"vae decode {stages['vae']:.0f} ms -> {tuple(mel.shape)}")
        t0 = time.perf_counter()
        wav = mods["vocoder"](mel[:, 0])
        stages["vocoder"] = ms(t0)
        log(f"vocoder {stages['vocoder']:.0f} ms -> {tuple(wav.shape)}")
        assert wav.shape[-1] == cfg["hopLength"] * 4 * args.latent_len + 32

    fixed = stages["textEncoders"] + stages["gpt2"] + stages["vae"] + stages["vocoder"]
    result = {
        "engine": "pytorch-eager",
        "torch": torch.__version__,
        "threads": args.threads,
        "blas": blas,
        "bundle": f"full-random (seed {args.seed}, loa_modules.py)",
        "loadMs": round(load_ms, 1),
        "stages": {k: round(v, 1) for k, v in stages.items()},
        "total_dpmpp20_ms": round(fixed + 20 * stages["unetStep"], 1),
        "total_ddim50_ms": round(fixed + 50 * stages["unetStep"], 1),
        "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "unetStepsTimed": args.unet_steps,
        "unetStepMsEach": [round(v, 1) for v in step_ms],
        "extrapolated": f"totals use the mean of {args.unet_steps} timed UNet step(s) x 20 / x 50; load time excluded",
        "shapes": {
            "clap": [2, args.clap_len],
            "t5": [2, args.t5_len],
            "gpt2Prefix": [2, args.t5_len + 5],
            "unet": [2, cfg["latentChannels"], args.latent_len, cfg["latentFreq"]],
            "mel": [1, 4 * args.latent_len, cfg["melBins"]],
            "samples": int(wav.shape[-1]),
        },
        "notes": "both CFG branches batched (batch 2) in the text encoders, GPT-2 and UNet; projection counted "
                 "in gpt2; loadMs = construct (init skipped) + torch.load + load_state_dict"
                 + ("; the state-dict cache was written by this run (untimed)" if cache_built else ""),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
