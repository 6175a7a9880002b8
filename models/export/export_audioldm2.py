#!/usr/bin/env python3
"""Export an AudioLDM 2 checkpoint (diffusers format) to a LOA Studio model bundle.

    python export_audioldm2.py --checkpoint cvssp/audioldm2 --out models/audioldm2 [--fp16] [--device cuda|cpu] [--opset 17]

What it writes into --out (see models/README.md and models/contract.json):
  * one ONNX graph per component of the contract (<file>.onnx; weights over 1.5 GB go to <file>.onnx_data),
    plus <name>.fp16.onnx for the components the contract allows in fp16 when --fp16 is given;
  * tokenizers/clap and tokenizers/t5 (tokenizer.json + tokenizer_config.json);
  * manifest.json, written last and only when every check passed.

Every graph is checked twice before the manifest is written: its inputs/outputs against the contract
(contract_check.py, the rules of the TypeScript loader), and its numbers against PyTorch on the same
seeded inputs (onnxruntime CPU; max abs difference per output, 1e-3 for fp32, 5e-2 for fp16 graphs).
The parity inputs use other batch/length values than the traced ones, so a size baked into a graph
shows up as an error instead of a bundle that only works at the traced size.

Needs the versions in requirements.txt (transformers 4.47 / diffusers 0.32 era, torch 2.5); the
wrappers below follow that API. It cannot be run without the checkpoint weights.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import gc
import hashlib
import importlib.util
import inspect
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT_PATH = os.path.normpath(os.path.join(HERE, os.pardir, "contract.json"))


def _import_by_path(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contract_check = _import_by_path("contract_check", os.path.join(HERE, "contract_check.py"))

KNOWN_CHECKPOINTS = {
    "cvssp/audioldm2": ("AudioLDM 2", "Text-to-audio"),
    "cvssp/audioldm2-large": ("AudioLDM 2 Large", "Text-to-audio"),
    "cvssp/audioldm2-music": ("AudioLDM 2 Music", "Text-to-music"),
}
EXTERNAL_DATA_THRESHOLD = int(1.5 * 1024**3)  # bytes of a graph above which weights go to <file>_data
SEED = 0


# ---------------------------------------------------------------------------------------------
# Wrappers: forward() takes exactly the contract's inputs (same names, same order) and returns the
# contract's outputs. `dtype` is the compute dtype: float inputs are cast to it on entry and float
# outputs back to float32 on exit, so an fp16 graph keeps float32 I/O (the contract's rule).
# ---------------------------------------------------------------------------------------------


class ContractWrapper(nn.Module):
    def __init__(self, dtype: torch.dtype):
        super().__init__()
        self.compute_dtype = dtype

    def cast_in(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(self.compute_dtype) if x.is_floating_point() and x.dtype != self.compute_dtype else x

    @staticmethod
    def cast_out(x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.float32) if x.is_floating_point() and x.dtype != torch.float32 else x


class ClapTextWrapper(ContractWrapper):
    """ClapModel.get_text_features (pooled RoBERTa -> projection), L2-normalised."""

    def __init__(self, clap, dtype):
        super().__init__(dtype)
        self.clap = clap

    def forward(self, input_ids, attention_mask):
        features = self.clap.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
        # transformers 4.x already normalises; normalising again is a no-op there and makes the
        # output the contract's (unit vectors) whatever the version does.
        return F.normalize(self.cast_out(features), dim=-1)


class ClapAudioWrapper(ContractWrapper):
    """ClapModel.get_audio_features (HTSAT, unfused: no is_longer input), L2-normalised."""

    def __init__(self, clap, dtype):
        super().__init__(dtype)
        self.clap = clap

    def forward(self, input_features):
        features = self.clap.get_audio_features(input_features=self.cast_in(input_features))
        return F.normalize(self.cast_out(features), dim=-1)


class T5EncoderWrapper(ContractWrapper):
    def __init__(self, t5, dtype):
        super().__init__(dtype)
        self.t5 = t5

    def forward(self, input_ids, attention_mask):
        return self.cast_out(self.t5(input_ids=input_ids, attention_mask=attention_mask, return_dict=True).last_hidden_state)


class ProjectionWrapper(ContractWrapper):
    """AudioLDM2ProjectionModel with both masks passed (one mask alone crashes it, spec section 7.6)."""

    def __init__(self, projection, dtype):
        super().__init__(dtype)
        self.projection = projection

    def forward(self, clap_embeds, clap_mask, t5_hidden, t5_mask):
        out = self.projection(
            hidden_states=self.cast_in(clap_embeds),
            hidden_states_1=self.cast_in(t5_hidden),
            attention_mask=clap_mask,
            attention_mask_1=t5_mask,
        )
        return self.cast_out(out.hidden_states), out.attention_mask


def _legacy_cache(past) -> Tuple[Tuple[torch.Tensor, torch.Tensor], ...]:
    """GPT-2's cache as ((key, value) per layer), whether the version returns tuples or a Cache object."""
    if hasattr(past, "to_legacy_cache"):
        past = past.to_legacy_cache()
    return tuple((layer[0], layer[1]) for layer in past)


class Gpt2PrefillWrapper(ContractWrapper):
    """GPT2Model over the whole prefix: last_hidden_state (after ln_f) and the KV cache."""

    def __init__(self, gpt2, dtype):
        super().__init__(dtype)
        self.gpt2 = gpt2

    def forward(self, inputs_embeds, attention_mask, position_ids):
        out = self.gpt2(
            inputs_embeds=self.cast_in(inputs_embeds),
            attention_mask=attention_mask,
            position_ids=position_ids,
            use_cache=True,
            return_dict=True,
        )
        flat = [self.cast_out(t) for kv in _legacy_cache(out.past_key_values) for t in kv]
        return (self.cast_out(out.last_hidden_state), *flat)


class Gpt2StepWrapper(ContractWrapper):
    """GPT2Model for one new position; `past` is past.0.key, past.0.value, past.1.key, ..."""

    def __init__(self, gpt2, dtype):
        super().__init__(dtype)
        self.gpt2 = gpt2

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        cache = tuple((self.cast_in(past[2 * i]), self.cast_in(past[2 * i + 1])) for i in range(len(past) // 2))
        out = self.gpt2(
            inputs_embeds=self.cast_in(inputs_embeds),
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
            return_dict=True,
        )
        flat = [self.cast_out(t) for kv in _legacy_cache(out.past_key_values) for t in kv]
        return (self.cast_out(out.last_hidden_state), *flat)


class UNetWrapper(ContractWrapper):
    """AudioLDM2UNet2DConditionModel; the timestep is a float32 tensor [batch] (never a Python number)."""

    def __init__(self, unet, dtype):
        super().__init__(dtype)
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, encoder_hidden_states_1, encoder_attention_mask_1):
        noise = self.unet(
            self.cast_in(sample),
            timestep,  # Timesteps computes in float32 and casts to the sample's dtype itself
            encoder_hidden_states=self.cast_in(encoder_hidden_states),
            encoder_hidden_states_1=self.cast_in(encoder_hidden_states_1),
            encoder_attention_mask_1=encoder_attention_mask_1,
            return_dict=False,
        )[0]
        return self.cast_out(noise)


class VaeDecoderWrapper(ContractWrapper):
    """AutoencoderKL.decode: the latents are already divided by the scaling factor."""

    def __init__(self, vae, dtype):
        super().__init__(dtype)
        self.vae = vae

    def forward(self, latents):
        return self.cast_out(self.vae.decode(self.cast_in(latents), return_dict=False)[0])


class VaeEncoderWrapper(ContractWrapper):
    """AutoencoderKL encoder + quant_conv: the moments, mean (channels 0..C-1) then logvar (C..2C-1)."""

    def __init__(self, vae, dtype):
        super().__init__(dtype)
        self.vae = vae

    def forward(self, mel):
        moments = self.vae.encoder(self.cast_in(mel))
        if self.vae.quant_conv is not None:
            moments = self.vae.quant_conv(moments)
        return self.cast_out(moments)


class VocoderWrapper(ContractWrapper):
    """SpeechT5HifiGan: mel [batch, frames, bins] -> waveform [batch, samples]."""

    def __init__(self, vocoder, dtype):
        super().__init__(dtype)
        self.vocoder = vocoder

    def forward(self, mel):
        return self.cast_out(self.vocoder(self.cast_in(mel)))


# component key -> (wrapper class, attribute of Models holding the torch module)
WRAPPERS = OrderedDict(
    [
        ("clapText", (ClapTextWrapper, "clap")),
        ("clapAudio", (ClapAudioWrapper, "clap")),
        ("t5Encoder", (T5EncoderWrapper, "t5")),
        ("projection", (ProjectionWrapper, "projection")),
        ("gpt2Prefill", (Gpt2PrefillWrapper, "gpt2")),
        ("gpt2Step", (Gpt2StepWrapper, "gpt2")),
        ("unet", (UNetWrapper, "unet")),
        ("vaeDecoder", (VaeDecoderWrapper, "vae")),
        ("vaeEncoder", (VaeEncoderWrapper, "vae")),
        ("vocoder", (VocoderWrapper, "vocoder")),
    ]
)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


class Models:
    """The pipeline's components, fp32, eval mode, on the export device."""

    def __init__(self, pipe, device: torch.device):
        self.pipe = pipe
        self.device = device
        self.clap = pipe.text_encoder
        self.t5 = pipe.text_encoder_2
        self.projection = pipe.projection_model
        self.gpt2 = pipe.language_model
        self.unet = pipe.unet
        self.vae = pipe.vae
        self.vocoder = pipe.vocoder
        for name in ("clap", "t5", "projection", "gpt2", "unet", "vae", "vocoder"):
            module = getattr(self, name).to(device=device, dtype=torch.float32).eval()
            module.requires_grad_(False)


def resolve_checkpoint(checkpoint: str, revision: Optional[str]) -> Tuple[str, Optional[str]]:
    """(local folder, resolved commit or None). A hub id is downloaded into the Hugging Face cache."""
    if os.path.isdir(checkpoint):
        return checkpoint, revision
    from diffusers import AudioLDM2Pipeline

    folder = AudioLDM2Pipeline.download(checkpoint, revision=revision)
    commit = os.path.basename(os.path.normpath(folder))  # cache layout: .../snapshots/<commit>
    return folder, commit if re.fullmatch(r"[0-9a-f]{40}", commit) else revision


def load_models(folder: str, device: torch.device) -> Models:
    from diffusers import AudioLDM2Pipeline
    from transformers import ClapModel, GPT2Model

    # CLAP's config says float64: load it as float32 explicitly (spec section 7.4).
    clap = ClapModel.from_pretrained(folder, subfolder="text_encoder", torch_dtype=torch.float32)
    # Eager attention exports the mask arithmetic plainly (spec section 7.1).
    gpt2 = GPT2Model.from_pretrained(folder, subfolder="language_model", torch_dtype=torch.float32, attn_implementation="eager")
    pipe = AudioLDM2Pipeline.from_pretrained(folder, text_encoder=clap, language_model=gpt2, torch_dtype=torch.float32)
    t5_class = type(pipe.text_encoder_2).__name__
    if t5_class != "T5EncoderModel":
        raise SystemExit(
            f"text_encoder_2 is {t5_class}: only the text-to-audio/music checkpoints (Flan-T5) fit contract v1; "
            "the TTS checkpoints (VITS) are not supported."
        )
    for name in ("tokenizer", "tokenizer_2"):
        if not getattr(pipe, name).is_fast:
            raise SystemExit(f"pipe.{name} is a slow tokenizer; the bundle needs tokenizer.json (install the pinned transformers/tokenizers).")
    return Models(pipe, device)


# ---------------------------------------------------------------------------------------------
# manifest.config, read from the loaded components
# ---------------------------------------------------------------------------------------------


def json_safe(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist"):
        return json_safe(value.tolist())
    return str(value)


def number(value):
    """JSON number: an int when the value is integral (50.0 -> 50), else a float."""
    value = float(value)
    return int(value) if value.is_integer() else value


def build_config(models: Models, notices: List[str]) -> dict:
    pipe = models.pipe
    vocoder_cfg = models.vocoder.config
    vae_cfg = models.vae.config
    gpt2_cfg = models.gpt2.config
    clap_text_cfg = models.clap.config.text_config

    mel_bins = int(vocoder_cfg.model_in_dim)
    vae_scale_factor = 2 ** (len(vae_cfg.block_out_channels) - 1)
    if mel_bins % vae_scale_factor:
        raise SystemExit(f"vocoder.model_in_dim {mel_bins} is not a multiple of the VAE scale factor {vae_scale_factor}")

    down_samplers = sum(1 for block in models.unet.down_blocks if getattr(block, "downsamplers", None))
    num_upsamplers = getattr(models.unet, "num_upsamplers", down_samplers)
    if num_upsamplers != down_samplers:
        raise SystemExit(f"UNet has {down_samplers} downsampling blocks but {num_upsamplers} upsamplers")
    unet_time_multiple = 2**down_samplers

    sample_size = models.unet.config.sample_size
    if isinstance(sample_size, (list, tuple)):
        sample_size = sample_size[0]

    max_new_tokens = getattr(gpt2_cfg, "max_new_tokens", None)
    if max_new_tokens is None:
        max_new_tokens = 8
        notices.append("language_model.config has no max_new_tokens: using 8 (the AudioLDM 2 text-to-audio value)")

    # RoBERTa positions start after the padding index, so max_position_embeddings - (pad + 1) tokens fit.
    clap_limit = int(clap_text_cfg.max_position_embeddings) - (int(clap_text_cfg.pad_token_id) + 1)
    clap_max = int(min(pipe.tokenizer.model_max_length, 10**9))
    if clap_max > clap_limit:
        notices.append(f"tokenizer.model_max_length {clap_max} exceeds CLAP's {clap_limit} positions: using {clap_limit}")
        clap_max = clap_limit

    t5_max = int(min(pipe.tokenizer_2.model_max_length, 10**9))
    if t5_max >= 10**9:  # transformers' "no limit" sentinel
        t5_max = int(models.t5.config.n_positions)
        notices.append(f"tokenizer_2 has no model_max_length: using T5's n_positions {t5_max}")

    fe = pipe.feature_extractor
    config = {
        "sampleRate": int(vocoder_cfg.sampling_rate),
        "hopLength": int(np.prod(vocoder_cfg.upsample_rates)),
        "melBins": mel_bins,
        "latentChannels": int(vae_cfg.latent_channels),
        "latentFreq": mel_bins // vae_scale_factor,
        "vaeScaleFactor": vae_scale_factor,
        "vaeScalingFactor": float(vae_cfg.scaling_factor),
        "unetTimeMultiple": unet_time_multiple,
        "unetSampleSize": int(sample_size),
        "maxNewTokens": int(max_new_tokens),
        "clapDim": int(models.clap.config.projection_dim),
        "t5Dim": int(models.t5.config.d_model),
        "llmDim": int(gpt2_cfg.n_embd),
        "gpt2Layers": int(gpt2_cfg.n_layer),
        "gpt2Heads": int(gpt2_cfg.n_head),
        "gpt2HeadDim": int(gpt2_cfg.n_embd) // int(gpt2_cfg.n_head),
        "clapMaxLength": clap_max,
        "t5MaxLength": t5_max,
        "clapLogitScale": float(models.clap.logit_scale_t.detach().float().exp().item()),
        "clapAudio": {
            "sampleRate": int(fe.sampling_rate),
            "nFft": int(fe.fft_window_size),
            "hopLength": int(fe.hop_length),
            "melBins": int(fe.feature_size),
            "fMin": number(fe.frequency_min),
            "fMax": number(fe.frequency_max),
            "maxSamples": int(fe.nb_max_samples),
        },
        "scheduler": scheduler_config(pipe.scheduler),
    }
    if config["latentFreq"] % unet_time_multiple:
        notices.append(f"latentFreq {config['latentFreq']} is not a multiple of unetTimeMultiple {unet_time_multiple}")
    return config


def scheduler_config(scheduler) -> dict:
    """dict(pipe.scheduler.config), JSON-safe, with the class name; diffusers' private keys dropped."""
    out = {"_class_name": type(scheduler).__name__}
    for key, value in dict(scheduler.config).items():
        if not key.startswith("_"):
            out[key] = json_safe(value)
    return out


# ---------------------------------------------------------------------------------------------
# Example inputs (seeded, realistic: each downstream input is the PyTorch output upstream)
# ---------------------------------------------------------------------------------------------

TRACE_SHAPES = {
    "prompts": ["Upbeat jazz piano with a walking bass line and brushed drums", "Thunder", "Footsteps on gravel at night"],
    "t5_len": 11,
    "latent_len": 24,
    "audio_seconds": [1.5, 0.4, 2.0],
    "timesteps": [951.0, 501.0, 41.0],
}
CHECK_SHAPES = {  # batch 2, T5 length 7, latent length 16: other sizes than the trace
    "prompts": ["A dog barking in the distance while rain falls on a tin roof", "Birdsong"],
    "t5_len": 7,
    "latent_len": 16,
    "audio_seconds": [1.0, 2.5],
    "timesteps": [801.0, 201.0],
}


def build_examples(models: Models, config: dict, shapes: dict, seed: int) -> Dict[str, "OrderedDict[str, torch.Tensor]"]:
    """Inputs per component, as CPU tensors (float32 / int64), in the contract's input order."""
    pipe, device = models.pipe, models.device
    rng = np.random.RandomState(seed)
    prompts = shapes["prompts"]
    batch = len(prompts)

    def run(key, inputs):
        wrapper = WRAPPERS[key][0](getattr(models, WRAPPERS[key][1]), torch.float32).eval()
        with torch.no_grad():
            out = wrapper(*[t.to(device) for t in inputs.values()])
        return [t.cpu() for t in out] if isinstance(out, (tuple, list)) else out.cpu()

    ex: Dict[str, OrderedDict] = {}
    clap_tok = pipe.tokenizer(prompts, padding=True, truncation=True, max_length=config["clapMaxLength"], return_tensors="pt")
    ex["clapText"] = OrderedDict(input_ids=clap_tok.input_ids.long(), attention_mask=clap_tok.attention_mask.long())

    fe = pipe.feature_extractor
    waves = [(0.1 * rng.standard_normal(int(s * fe.sampling_rate))).astype(np.float32) for s in shapes["audio_seconds"]]
    features = fe(waves, sampling_rate=fe.sampling_rate, return_tensors="pt").input_features
    ex["clapAudio"] = OrderedDict(input_features=features.to(torch.float32))

    t5_tok = pipe.tokenizer_2(prompts, padding="max_length", truncation=True, max_length=shapes["t5_len"], return_tensors="pt")
    t5_ids, t5_mask = t5_tok.input_ids.long(), t5_tok.attention_mask.long()
    ex["t5Encoder"] = OrderedDict(input_ids=t5_ids, attention_mask=t5_mask)

    text_embeds = run("clapText", ex["clapText"])
    t5_hidden = run("t5Encoder", ex["t5Encoder"])
    ex["projection"] = OrderedDict(
        clap_embeds=text_embeds[:, None, :],
        clap_mask=torch.ones(batch, 1, dtype=torch.int64),
        t5_hidden=t5_hidden,
        t5_mask=t5_mask,
    )

    prefix, prefix_mask = run("projection", ex["projection"])
    seq = prefix.shape[1]
    ex["gpt2Prefill"] = OrderedDict(
        inputs_embeds=prefix,
        attention_mask=prefix_mask,
        position_ids=torch.arange(seq, dtype=torch.int64).expand(batch, seq).contiguous(),
    )
    prefill = run("gpt2Prefill", ex["gpt2Prefill"])
    hidden, presents = prefill[0], prefill[1:]
    step = OrderedDict(
        inputs_embeds=hidden[:, -1:, :].contiguous(),  # the pipeline appends the last hidden state
        attention_mask=torch.cat([prefix_mask, torch.ones(batch, 1, dtype=torch.int64)], dim=1),
        position_ids=torch.full((batch, 1), seq, dtype=torch.int64),
    )
    for layer in range(config["gpt2Layers"]):
        step[f"past.{layer}.key"] = presents[2 * layer]
        step[f"past.{layer}.value"] = presents[2 * layer + 1]
    ex["gpt2Step"] = step

    channels, freq, latent_len = config["latentChannels"], config["latentFreq"], shapes["latent_len"]
    loa = hidden[:, -min(seq, config["maxNewTokens"]) :, :].contiguous()  # LOA-like: GPT-2 outputs
    ex["unet"] = OrderedDict(
        sample=torch.from_numpy(rng.standard_normal((batch, channels, latent_len, freq)).astype(np.float32)),
        timestep=torch.tensor(shapes["timesteps"], dtype=torch.float32),
        encoder_hidden_states=loa,
        encoder_hidden_states_1=t5_hidden,
        encoder_attention_mask_1=t5_mask,
    )
    latents = rng.standard_normal((batch, channels, latent_len, freq)) / config["vaeScalingFactor"]
    ex["vaeDecoder"] = OrderedDict(latents=torch.from_numpy(latents.astype(np.float32)))
    mel = run("vaeDecoder", ex["vaeDecoder"])  # [batch, 1, mel_len, bins]
    ex["vaeEncoder"] = OrderedDict(mel=mel)
    ex["vocoder"] = OrderedDict(mel=mel[:, 0].contiguous())
    return ex


# ---------------------------------------------------------------------------------------------
# Export, external data, parity
# ---------------------------------------------------------------------------------------------


def output_names(key: str, config: dict) -> List[str]:
    if key in ("gpt2Prefill", "gpt2Step"):
        names = ["last_hidden_state"]
        for layer in range(config["gpt2Layers"]):
            names += [f"present.{layer}.key", f"present.{layer}.value"]
        return names
    return [v["name"] for v in contract_check.component_values(key, config)[1]]


def export_graph(wrapper: nn.Module, example: OrderedDict, outputs: List[str], axes: dict, path: str, opset: int, device) -> List[str]:
    """torch.onnx.export into a scratch folder, then saved as <path> (+ <path>_data above the threshold).
    Returns the external data file names (relative to the bundle)."""
    out_dir = os.path.dirname(path)
    scratch = tempfile.mkdtemp(prefix=".export-", dir=out_dir)
    try:
        scratch_path = os.path.join(scratch, "graph.onnx")
        kwargs = {}
        if "dynamo" in inspect.signature(torch.onnx.export).parameters:
            kwargs["dynamo"] = False  # the TorchScript exporter: dynamic_axes, opset 17
        with torch.no_grad():
            torch.onnx.export(
                wrapper,
                tuple(t.to(device) for t in example.values()),
                scratch_path,
                input_names=list(example.keys()),
                output_names=outputs,
                dynamic_axes=axes,
                opset_version=opset,
                do_constant_folding=True,
                **kwargs,
            )
        size = sum(os.path.getsize(os.path.join(scratch, f)) for f in os.listdir(scratch))
        model = onnx.load(scratch_path)  # pulls in any external data torch wrote (graphs over 2 GB)
        data_name = os.path.basename(path) + "_data"
        for stale in (path, path + "_data"):
            if os.path.exists(stale):
                os.remove(stale)  # onnx appends to an existing data file
        if size > EXTERNAL_DATA_THRESHOLD:
            onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=1024)
        else:
            onnx.save_model(model, path)
        del model
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    onnx.checker.check_model(path)  # by path: works for graphs with external data
    return external_data_files(path)


def external_data_files(path: str) -> List[str]:
    model = onnx.load(path, load_external_data=False)
    files = set()
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            files.update(entry.value for entry in tensor.external_data if entry.key == "location")
    return sorted(files)


def parity(path: str, wrapper: nn.Module, example: OrderedDict, outputs: List[str], device, tolerance: float) -> List[str]:
    """Runs the graph (onnxruntime, CPU) and the wrapper (PyTorch) on `example`; prints the max abs
    difference per output and returns the problems."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        got = session.run(outputs, {name: np.ascontiguousarray(t.numpy()) for name, t in example.items()})
    except Exception as error:  # noqa: BLE001 - report any runtime failure as a problem
        return [f"onnxruntime could not run {os.path.basename(path)}: {str(error).splitlines()[0]}"]
    finally:
        session = None
    with torch.no_grad():
        ref = wrapper(*[t.to(device) for t in example.values()])
    ref = ref if isinstance(ref, (tuple, list)) else (ref,)
    problems = []
    worst = (0.0, "")
    for name, r, g in zip(outputs, ref, got):
        r = r.detach().cpu().numpy()
        if r.shape != g.shape:
            problems.append(f"{name}: onnxruntime shape {list(g.shape)} != PyTorch {list(r.shape)}")
            continue
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(r))):
            problems.append(f"{name}: non-finite values (onnxruntime {int(np.sum(~np.isfinite(g)))}, PyTorch {int(np.sum(~np.isfinite(r)))})")
            continue
        diff = float(np.max(np.abs(r.astype(np.float64) - g.astype(np.float64)))) if r.size else 0.0
        scale = float(np.max(np.abs(r))) if r.size else 0.0
        if len(outputs) <= 4:
            print(f"      {name:<24} max|diff| {diff:.3e}   (max|ref| {scale:.3e})")
        if diff > worst[0] or not worst[1]:
            worst = (diff, name)
        if diff > tolerance:
            problems.append(f"{name}: max abs difference {diff:.3e} > {tolerance:g}")
    if len(outputs) > 4:
        print(f"      {len(outputs)} outputs, largest max|diff| {worst[0]:.3e} ({worst[1]})")
    return problems


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(out_dir: str, rel: str) -> dict:
    path = os.path.join(out_dir, rel)
    return {"file": rel.replace(os.sep, "/"), "sha256": sha256_file(path), "bytes": os.path.getsize(path)}


def copy_tokenizers(models: Models, contract: dict, out_dir: str) -> dict:
    """Saves pipe.tokenizer / pipe.tokenizer_2 (fast: they write tokenizer.json) and copies the
    contract's files into <out>/tokenizers/{clap,t5}."""
    entries = {}
    for name, tokenizer in (("clap", models.pipe.tokenizer), ("t5", models.pipe.tokenizer_2)):
        spec = contract["tokenizers"][name]
        dest = os.path.join(out_dir, *spec["dir"].split("/"))
        os.makedirs(dest, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            tokenizer.save_pretrained(scratch)
            for f in spec["files"]:
                src = os.path.join(scratch, f)
                if not os.path.isfile(src):
                    raise SystemExit(f"{type(tokenizer).__name__}.save_pretrained wrote no {f}")
                shutil.copyfile(src, os.path.join(dest, f))
        entries[name] = {"files": [file_entry(out_dir, f"{spec['dir']}/{f}") for f in spec["files"]]}
    return entries


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Export an AudioLDM 2 checkpoint to a LOA Studio model bundle.")
    parser.add_argument("--checkpoint", required=True, help="cvssp/audioldm2, cvssp/audioldm2-large, cvssp/audioldm2-music, or a local diffusers folder")
    parser.add_argument("--revision", default=None, help="hub branch, tag or commit (default: main)")
    parser.add_argument("--out", required=True, help="bundle folder to write")
    parser.add_argument("--fp16", action="store_true", help="also write fp16 graphs (<name>.fp16.onnx) for GPU providers; needs --device cuda")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--tol-fp32", type=float, default=1e-3, help="parity tolerance (max abs difference) of fp32 graphs")
    parser.add_argument("--tol-fp16", type=float, default=5e-2, help="parity tolerance (max abs difference) of fp16 graphs")
    parser.add_argument("--skip-parity", action="store_true", help="skip the onnxruntime-vs-PyTorch comparison (debugging only)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.fp16 and args.device != "cuda":
        print("--fp16 needs --device cuda (PyTorch's fp16 kernels are CUDA kernels).", file=sys.stderr)
        return 2
    if args.device == "cuda" and not torch.cuda.is_available():
        print("--device cuda: PyTorch sees no CUDA device (use --device cpu for fp32 only).", file=sys.stderr)
        return 2
    if args.checkpoint not in KNOWN_CHECKPOINTS and not os.path.isdir(args.checkpoint):
        print(f"warning: {args.checkpoint} is not one of {', '.join(KNOWN_CHECKPOINTS)}; trying anyway", file=sys.stderr)

    # Parity needs plain fp32 math on the PyTorch side too: no TF32 shortcuts on Ampere+ GPUs.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)

    contract = contract_check.load_contract(CONTRACT_PATH)
    if set(WRAPPERS) != set(contract["components"]):
        print(f"contract.json components {sorted(contract['components'])} differ from this exporter's {sorted(WRAPPERS)}", file=sys.stderr)
        return 2
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, "manifest.json")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)  # a half-rewritten bundle must not look valid
    device = torch.device(args.device)

    started = time.time()
    print(f"Loading {args.checkpoint} ...")
    folder, commit = resolve_checkpoint(args.checkpoint, args.revision)
    models = load_models(folder, device)
    notices: List[str] = []
    attn = getattr(models.gpt2.config, "_attn_implementation", "eager")
    if attn != "eager":
        notices.append(f"GPT-2 loaded with {attn} attention instead of eager")
    config = build_config(models, notices)
    problems: List[str] = [f"config: {p}" for p in contract_check.check_config(config, contract)]
    print(json.dumps({k: v for k, v in config.items() if k != "scheduler"}, indent=None))

    trace = build_examples(models, config, TRACE_SHAPES, SEED)
    check = build_examples(models, config, CHECK_SHAPES, SEED + 1)

    components: Dict[str, dict] = {}
    fp16_keys = [k for k, spec in contract["components"].items() if "fp16" in spec["precisions"]] if args.fp16 else []
    passes = [("fp32", torch.float32, list(WRAPPERS))] + ([("fp16", torch.float16, fp16_keys)] if fp16_keys else [])

    for precision, dtype, keys in passes:
        tolerance = args.tol_fp32 if precision == "fp32" else args.tol_fp16
        for key in keys:
            spec = contract["components"][key]
            stem = spec["file"][: -len(".onnx")]
            rel = spec["file"] if precision == "fp32" else f"{stem}.fp16.onnx"
            path = os.path.join(out_dir, rel)
            module = getattr(models, WRAPPERS[key][1])
            if precision == "fp16":
                module = copy.deepcopy(module).half()
            wrapper = WRAPPERS[key][0](module, dtype).eval()
            names = output_names(key, config)
            t0 = time.time()
            print(f"  {key} ({precision}) -> {rel}")
            try:
                external = export_graph(wrapper, trace[key], names, contract_check.dynamic_axes(key, config, contract), path, args.opset, device)
            except Exception as error:  # noqa: BLE001 - report it with the others, then go on
                traceback.print_exc()
                problems.append(f"{rel}: export failed: {str(error).splitlines()[0] if str(error) else type(error).__name__}")
                continue
            found = [f"{rel}: {p}" for p in contract_check.check_graph(key, path, config, contract)]
            if not args.skip_parity:
                found += [f"{rel}: {p}" for p in parity(path, wrapper, check[key], names, device, tolerance)]
            print(f"      {'ok' if not found else 'FAILED'} ({time.time() - t0:.0f} s, {os.path.getsize(path) / 1e6:.0f} MB"
                  f"{' + ' + ', '.join(external) if external else ''})")
            problems += found
            entry = {"precision": precision, **file_entry(out_dir, rel)}
            if external:
                entry["externalData"] = [file_entry(out_dir, f) for f in external]
            component = components.setdefault(key, {"graphs": []})
            component["graphs"].append(entry)
            if precision == "fp32":
                inputs, outputs = contract_check.graph_io(path)
                component["inputs"], component["outputs"] = inputs, outputs
            del wrapper, module
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()

    tokenizers = copy_tokenizers(models, contract, out_dir)

    for notice in notices:
        print(f"note: {notice}")
    if problems:
        print(f"\n{len(problems)} problem(s); graphs left in {out_dir} for inspection, no manifest.json written:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1

    import diffusers
    import onnxruntime
    import transformers

    slug = args.checkpoint.rstrip("/").split("/")[-1]
    title, task = KNOWN_CHECKPOINTS.get(args.checkpoint, ("AudioLDM 2", "Text-to-audio"))
    manifest = {
        "format": "loa-studio-bundle",
        "contractVersion": contract["version"],
        "id": slug,
        "name": f"{title} ({args.checkpoint})",
        "license": f"CC-BY-NC-SA-4.0 ({args.checkpoint} weights: non-commercial)",
        "description": (
            f"{task} with {title}, {config['sampleRate'] // 1000} kHz, exported from {args.checkpoint} "
            f"(fp32{' + fp16 for GPUs' if fp16_keys else ''}). Real weights: the licence of the checkpoint applies."
        ),
        "source": {
            "kind": "export",
            "checkpoint": args.checkpoint,
            "revision": commit,
            "diffusers": diffusers.__version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "opset": args.opset,
            "exportedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "config": config,
        "components": {key: components[key] for key in contract["components"]},
        "tokenizers": tokenizers,
    }
    tmp = manifest_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(tmp, manifest_path)
    print(f"\nWrote {manifest_path} ({time.time() - started:.0f} s). Next: npm run loa -- models verify {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
