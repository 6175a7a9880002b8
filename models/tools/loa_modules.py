"""Plain-torch stand-ins for the AudioLDM 2 components, with random weights.

Each module has the structure (layer types, widths, depths) of the component it stands in for, so the
`full` size has the parameter count and the compute cost of the real checkpoint `cvssp/audioldm2`
(docs/engine-spec.md §1.1), and the I/O of models/contract.json.
Nothing here is copied from diffusers / transformers; it is written from the architecture description.

Used by make_random_bundle.py (exports ONNX) and torch_eager_bench.py (times PyTorch eager), which
both build the modules through `build_component`, so the same seed gives the same weights in both.
"""

from __future__ import annotations

import math
import zlib

import torch
import torch.nn.functional as F
from torch import nn

F32_MIN = torch.finfo(torch.float32).min

# --------------------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------------------

SCHEDULER_CONFIG = {
    "_class_name": "DDIMScheduler",
    "num_train_timesteps": 1000,
    "beta_start": 0.0015,
    "beta_end": 0.0195,
    "beta_schedule": "scaled_linear",
    "trained_betas": None,
    "clip_sample": False,
    "set_alpha_to_one": False,
    "steps_offset": 1,
    "prediction_type": "epsilon",
    "timestep_spacing": "leading",
    "thresholding": False,
    "rescale_betas_zero_snr": False,
}

CLAP_AUDIO_FRONTEND = {
    "sampleRate": 48000,
    "nFft": 1024,
    "hopLength": 480,
    "melBins": 64,
    "fMin": 50,
    "fMax": 14000,
    "maxSamples": 480000,
}


def bundle_config(size: str) -> dict:
    """manifest.config: exactly the keys of contract.json configKeys."""
    arch = architecture(size)
    return {
        "sampleRate": 16000,
        "hopLength": 160,
        "melBins": 64,
        "latentChannels": 8,
        "latentFreq": 16,
        "vaeScaleFactor": 4,
        "vaeScalingFactor": 0.4110932946205139,
        "unetTimeMultiple": 8,
        "unetSampleSize": 256,
        "maxNewTokens": 8,
        "clapDim": arch["clapDim"],
        "t5Dim": arch["t5Dim"],
        "llmDim": arch["llmDim"],
        "gpt2Layers": arch["gpt2"]["layers"],
        "gpt2Heads": arch["gpt2"]["heads"],
        "gpt2HeadDim": arch["llmDim"] // arch["gpt2"]["heads"],
        "clapMaxLength": 512,
        "t5MaxLength": 128,
        "clapLogitScale": 1.0 / 0.07,
        "clapAudio": dict(CLAP_AUDIO_FRONTEND),
        "scheduler": dict(SCHEDULER_CONFIG),
    }


def architecture(size: str) -> dict:
    """Hyper-parameters of every module (not part of the manifest)."""
    common = {"melBins": 64, "latentChannels": 8, "clapMaxPositions": 514, "gpt2Positions": 1024}
    if size == "full":
        return {
            **common,
            "clapDim": 512,
            "t5Dim": 1024,
            "llmDim": 768,
            "roberta": {"vocab": 50265, "hidden": 768, "layers": 12, "heads": 12, "ffn": 3072, "eps": 1e-12},
            # HTSAT-base (the CLAP audio tower AudioLDM uses): Swin, patch 4, embed 128, depths [2,2,12,2].
            "clapAudio": {"kind": "htsat", "specSize": 256, "freqRatio": 4, "patch": 4, "embed": 128,
                          "depths": [2, 2, 12, 2], "heads": [4, 8, 16, 32], "window": 8, "mlpRatio": 4},
            "t5": {"vocab": 32128, "layers": 24, "dFf": 2816, "heads": 16, "dKv": 64, "buckets": 32, "maxDistance": 128},
            "gpt2": {"layers": 12, "heads": 12},
            "unet": {"blockOut": [128, 256, 384, 640], "layersPerBlock": 2, "heads": 8, "groups": 32, "attnLevels": 3},
            "vae": {"blockOut": [128, 256, 512], "layersPerBlock": 2, "groups": 32},
            "vocoder": {"channels": 1024, "upRates": [5, 4, 2, 2, 2], "upKernels": [16, 16, 8, 4, 4],
                        "resKernels": [3, 7, 11], "resDilations": [[1, 3, 5], [1, 3, 5], [1, 3, 5]]},
        }
    if size == "tiny":
        return {
            **common,
            "clapDim": 32,
            "t5Dim": 48,
            "llmDim": 32,
            "roberta": {"vocab": 1024, "hidden": 32, "layers": 2, "heads": 2, "ffn": 64, "eps": 1e-12},
            "clapAudio": {"kind": "conv", "channels": [8, 16]},
            "t5": {"vocab": 1024, "layers": 2, "dFf": 64, "heads": 2, "dKv": 16, "buckets": 32, "maxDistance": 128},
            "gpt2": {"layers": 2, "heads": 2},
            # attention only in the mid block: ORT's session set-up time grows with node count, and the
            # fixture loads in every engine test and at every studio start
            "unet": {"blockOut": [16, 16, 32, 32], "layersPerBlock": 1, "heads": 2, "groups": 8, "attnLevels": 0},
            "vae": {"blockOut": [16, 16, 32], "layersPerBlock": 1, "groups": 8},
            "vocoder": {"channels": 32, "upRates": [5, 4, 2, 2, 2], "upKernels": [16, 16, 8, 4, 4],
                        "resKernels": [3], "resDilations": [[1, 3, 5]]},
        }
    raise ValueError(f"unknown size {size!r}")


# --------------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------------


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """GELU, tanh approximation (what GPT-2 and Flan-T5 call gelu_new)."""
    return 0.5 * x * (1.0 + torch.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


def l2_normalise(x: torch.Tensor) -> torch.Tensor:
    return x / torch.sqrt((x * x).sum(dim=-1, keepdim=True)).clamp(min=1e-12)


def multi_head(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, d: int, bias=None, scale=None):
    """q [b, n, H*d], k/v [b, m, H*d] -> [b, n, H*d]; bias broadcasts to [b, H, n, m].

    The batch size is read once and the head size d is a Python int: fewer shape nodes in the
    exported graph (torch.onnx's export passes are slow on big graphs)."""
    b = q.shape[0]
    qh = q.reshape(b, -1, heads, d).transpose(1, 2)
    kh = k.reshape(b, -1, heads, d).transpose(1, 2)
    vh = v.reshape(b, -1, heads, d).transpose(1, 2)
    s = torch.matmul(qh, kh.transpose(-1, -2))
    if scale is not None:
        s = s * scale
    if bias is not None:
        s = s + bias
    p = torch.softmax(s, dim=-1)
    return torch.matmul(p, vh).transpose(1, 2).reshape(b, -1, heads * d)


def mask_bias(mask: torch.Tensor, value: float = F32_MIN) -> torch.Tensor:
    """int mask [b, m] -> additive [b, 1, 1, m]: 0 where kept, `value` where padded."""
    return (1.0 - mask.to(torch.float32))[:, None, None, :] * value


def init_transformer_(module: nn.Module, std: float = 0.02) -> None:
    """BERT/GPT-2 style init: normal(0, std) weights, zero biases, unit norms."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, std)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def count_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --------------------------------------------------------------------------------------------------
# CLAP text branch: RoBERTa encoder -> pooler -> projection -> L2 normalise
# --------------------------------------------------------------------------------------------------


class RobertaLayer(nn.Module):
    def __init__(self, hidden, heads, ffn, eps):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, ffn)
        self.output = nn.Linear(ffn, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=eps)
        self.head_dim = hidden // heads
        self.scale = 1.0 / math.sqrt(self.head_dim)

    def forward(self, x, bias):
        a = multi_head(self.query(x), self.key(x), self.value(x), self.heads, self.head_dim, bias, self.scale)
        x = self.attn_norm(x + self.attn_out(a))
        return self.out_norm(x + self.output(F.gelu(self.intermediate(x))))


class ClapText(nn.Module):
    """ClapModel.get_text_features: input_ids, attention_mask [b, L] -> text_embeds [b, clapDim]."""

    PAD = 1

    def __init__(self, arch):
        super().__init__()
        r = arch["roberta"]
        h = r["hidden"]
        self.word_embeddings = nn.Embedding(r["vocab"], h, padding_idx=self.PAD)
        self.position_embeddings = nn.Embedding(arch["clapMaxPositions"], h, padding_idx=self.PAD)
        self.token_type_embeddings = nn.Embedding(1, h)
        self.embed_norm = nn.LayerNorm(h, eps=r["eps"])
        self.layers = nn.ModuleList(RobertaLayer(h, r["heads"], r["ffn"], r["eps"]) for _ in range(r["layers"]))
        self.pooler = nn.Linear(h, h)
        self.proj1 = nn.Linear(h, arch["clapDim"])
        self.proj2 = nn.Linear(arch["clapDim"], arch["clapDim"])
        init_transformer_(self)

    def forward(self, input_ids, attention_mask):
        # RoBERTa position ids: count of non-pad tokens so far, offset past padding_idx; pads get padding_idx.
        not_pad = input_ids.ne(self.PAD).to(torch.int64)
        positions = torch.cumsum(not_pad, dim=1) * not_pad + self.PAD
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        x = self.embed_norm(x)
        bias = mask_bias(attention_mask)
        for layer in self.layers:
            x = layer(x, bias)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return l2_normalise(self.proj2(F.relu(self.proj1(pooled))))


# --------------------------------------------------------------------------------------------------
# CLAP audio branch: HTSAT (Swin transformer on a folded log-mel image) -> projection -> L2 normalise
# --------------------------------------------------------------------------------------------------


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, resolution, window, shift, mlp_ratio):
        super().__init__()
        if resolution <= window:
            window, shift = resolution, 0
        self.dim, self.heads, self.res, self.window, self.shift = dim, heads, resolution, window, shift
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, mlp_ratio * dim)
        self.fc2 = nn.Linear(mlp_ratio * dim, dim)
        self.rel_bias_table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
        # relative-position index between the window*window tokens of one window
        ys, xs = torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
        coords = torch.stack([ys.flatten(), xs.flatten()])  # [2, N]
        rel = coords[:, :, None] - coords[:, None, :] + (window - 1)
        self.register_buffer("rel_index", rel[0] * (2 * window - 1) + rel[1], persistent=False)
        if shift > 0:
            # label the regions that a cyclic shift brings together; tokens of different regions are masked
            region = torch.zeros(resolution, resolution)
            label = 0
            for ys_ in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
                for xs_ in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
                    region[ys_, xs_] = label
                    label += 1
            win = self._partition(region[None, :, :, None])[0, :, :, 0]  # [nW, N]
            diff = win[:, None, :] - win[:, :, None]
            self.register_buffer("shift_mask", torch.where(diff != 0, -100.0, 0.0), persistent=False)
        else:
            self.shift_mask = None

    def _partition(self, x):  # [b, R, R, C] -> [b, nW, N, C]
        w, n = self.window, self.res // self.window
        c = x.shape[-1]
        return x.reshape(-1, n, w, n, w, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, n * n, w * w, c)

    def _merge(self, x):  # [b, nW, N, C] -> [b, R, R, C]
        w, n = self.window, self.res // self.window
        c = x.shape[-1]
        return x.reshape(-1, n, n, w, w, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, self.res, self.res, c)

    def forward(self, x):  # x [b, R*R, C]
        r, c, w = self.res, self.dim, self.window
        n_win, n_tok, heads = (r // w) ** 2, w * w, self.heads
        h = self.norm1(x).reshape(-1, r, r, c)
        if self.shift:
            h = torch.roll(h, shifts=(-self.shift, -self.shift), dims=(1, 2))
        q, k, v = self.qkv(self._partition(h)).split([c, c, c], dim=-1)  # [b, nW, N, C]

        def split(t):  # -> [b, nW, H, N, d]
            return t.reshape(-1, n_win, n_tok, heads, c // heads).permute(0, 1, 3, 2, 4)

        s = torch.matmul(split(q), split(k).transpose(-1, -2)) * (1.0 / math.sqrt(c // heads))
        s = s + self.rel_bias_table[self.rel_index].permute(2, 0, 1)  # [H, N, N]
        if self.shift_mask is not None:
            s = s + self.shift_mask[:, None]  # [nW, 1, N, N]
        o = torch.matmul(torch.softmax(s, dim=-1), split(v))
        o = self.proj(o.permute(0, 1, 3, 2, 4).reshape(-1, n_win, n_tok, c))
        h = self._merge(o)
        if self.shift:
            h = torch.roll(h, shifts=(self.shift, self.shift), dims=(1, 2))
        x = x + h.reshape(-1, r * r, c)
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class PatchMerging(nn.Module):
    def __init__(self, dim, resolution):
        super().__init__()
        self.res = resolution
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x):
        r = self.res
        c = x.shape[-1]
        g = x.reshape(-1, r, r, c)
        g = torch.cat([g[:, 0::2, 0::2], g[:, 1::2, 0::2], g[:, 0::2, 1::2], g[:, 1::2, 1::2]], dim=-1)
        return self.reduction(self.norm(g.reshape(-1, (r // 2) * (r // 2), 4 * c)))


class HtsatAudio(nn.Module):
    """input_features [b, 1, 1001, 64] -> pooled [b, 8*embed]."""

    def __init__(self, a, mel_bins):
        super().__init__()
        self.a = a
        self.bn0 = nn.BatchNorm2d(mel_bins)
        self.patch_embed = nn.Conv2d(1, a["embed"], a["patch"], stride=a["patch"])
        self.patch_norm = nn.LayerNorm(a["embed"])
        res = a["specSize"] // a["patch"]
        dim = a["embed"]
        self.stages = nn.ModuleList()
        for i, (depth, heads) in enumerate(zip(a["depths"], a["heads"])):
            blocks = [SwinBlock(dim, heads, res, a["window"], 0 if j % 2 == 0 else a["window"] // 2, a["mlpRatio"])
                      for j in range(depth)]
            if i < len(a["depths"]) - 1:
                blocks.append(PatchMerging(dim, res))
                res, dim = res // 2, dim * 2
            self.stages.append(nn.Sequential(*blocks))
        self.norm = nn.LayerNorm(dim)
        self.out_dim = dim
        init_transformer_(self)
        for m in self.modules():
            if isinstance(m, SwinBlock):
                nn.init.normal_(m.rel_bias_table, 0.0, 0.02)

    def forward(self, feats):
        a = self.a
        x = self.bn0(feats.transpose(1, 3)).transpose(1, 3)  # normalise per mel bin
        time_len = a["specSize"] * a["freqRatio"]  # 1001 frames -> 1024
        x = F.interpolate(x, size=(time_len, x.shape[3]), mode="bilinear", align_corners=True)
        # fold time into frequency: [b, 1, 1024, 64] -> [b, 1, 256, 256]
        x = x.reshape(-1, 1, a["freqRatio"], time_len // a["freqRatio"], x.shape[3])
        x = x.permute(0, 1, 3, 2, 4).reshape(-1, 1, time_len // a["freqRatio"], a["freqRatio"] * x.shape[4])
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = self.patch_norm(x)
        for stage in self.stages:
            x = stage(x)
        return self.norm(x).mean(dim=1)


class ConvAudio(nn.Module):
    """Tiny stand-in: two strided convs + global average pooling."""

    def __init__(self, a, mel_bins):
        super().__init__()
        c1, c2 = a["channels"]
        self.conv1 = nn.Conv2d(1, c1, 5, stride=(8, 4), padding=2)
        self.conv2 = nn.Conv2d(c1, c2, 3, stride=(4, 2), padding=1)
        self.out_dim = c2

    def forward(self, feats):
        x = F.gelu(self.conv1(feats))
        x = F.gelu(self.conv2(x))
        return x.mean(dim=(2, 3))


class ClapAudio(nn.Module):
    """ClapModel.get_audio_features: input_features [b,1,1001,64] -> audio_embeds [b, clapDim]."""

    def __init__(self, arch):
        super().__init__()
        a = arch["clapAudio"]
        self.encoder = HtsatAudio(a, arch["melBins"]) if a["kind"] == "htsat" else ConvAudio(a, arch["melBins"])
        self.proj1 = nn.Linear(self.encoder.out_dim, arch["clapDim"])
        self.proj2 = nn.Linear(arch["clapDim"], arch["clapDim"])

    def forward(self, input_features):
        pooled = self.encoder(input_features)
        return l2_normalise(self.proj2(F.relu(self.proj1(pooled))))


# --------------------------------------------------------------------------------------------------
# Flan-T5 encoder
# --------------------------------------------------------------------------------------------------


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + self.eps) * self.weight


class T5Layer(nn.Module):
    def __init__(self, d_model, heads, d_kv, d_ff):
        super().__init__()
        inner = heads * d_kv
        self.heads, self.d_kv = heads, d_kv
        self.attn_norm = RMSNorm(d_model)
        self.q = nn.Linear(d_model, inner, bias=False)
        self.k = nn.Linear(d_model, inner, bias=False)
        self.v = nn.Linear(d_model, inner, bias=False)
        self.o = nn.Linear(inner, d_model, bias=False)
        self.ff_norm = RMSNorm(d_model)
        self.wi_0 = nn.Linear(d_model, d_ff, bias=False)
        self.wi_1 = nn.Linear(d_model, d_ff, bias=False)
        self.wo = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x, bias):
        h = self.attn_norm(x)
        x = x + self.o(multi_head(self.q(h), self.k(h), self.v(h), self.heads, self.d_kv, bias, None))  # T5: no 1/sqrt(d)
        h = self.ff_norm(x)
        return x + self.wo(gelu_new(self.wi_0(h)) * self.wi_1(h))


class T5Encoder(nn.Module):
    """input_ids, attention_mask [b, L] -> last_hidden_state [b, L, t5Dim]."""

    def __init__(self, arch):
        super().__init__()
        t = arch["t5"]
        d = arch["t5Dim"]
        self.t = t
        self.embed = nn.Embedding(t["vocab"], d)
        self.rel_bias = nn.Embedding(t["buckets"], t["heads"])  # owned by layer 0, shared by all layers
        self.layers = nn.ModuleList(T5Layer(d, t["heads"], t["dKv"], t["dFf"]) for _ in range(t["layers"]))
        self.final_norm = RMSNorm(d)
        # T5-style init scaled so attention logits stay O(1) without the 1/sqrt(d) factor
        nn.init.normal_(self.embed.weight, 0.0, 1.0)
        nn.init.normal_(self.rel_bias.weight, 0.0, d ** -0.5)
        for layer in self.layers:
            nn.init.normal_(layer.q.weight, 0.0, (d * t["dKv"]) ** -0.5)
            for lin in (layer.k, layer.v, layer.wi_0, layer.wi_1):
                nn.init.normal_(lin.weight, 0.0, d ** -0.5)
            nn.init.normal_(layer.o.weight, 0.0, (t["heads"] * t["dKv"]) ** -0.5)
            nn.init.normal_(layer.wo.weight, 0.0, t["dFf"] ** -0.5)

    def buckets(self, rel):
        """Bidirectional relative-position buckets (half for each direction, log-spaced beyond max_exact)."""
        half = self.t["buckets"] // 2
        max_exact = half // 2
        out = (rel > 0).to(torch.int64) * half
        dist = rel.abs()
        far = max_exact + (
            torch.log(dist.to(torch.float32).clamp(min=1.0) / max_exact)
            / math.log(self.t["maxDistance"] / max_exact)
            * (half - max_exact)
        ).to(torch.int64)
        far = far.clamp(max=half - 1)
        return out + torch.where(dist < max_exact, dist, far)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids)
        pos = torch.cumsum(torch.ones_like(input_ids[0]), dim=0) - 1  # [L] = 0..L-1, shape-agnostic
        rel = pos[None, :] - pos[:, None]  # key - query
        bias = self.rel_bias(self.buckets(rel)).permute(2, 0, 1)[None]  # [1, H, L, L]
        bias = bias + mask_bias(attention_mask)
        for layer in self.layers:
            x = layer(x, bias)
        return self.final_norm(x)


# --------------------------------------------------------------------------------------------------
# AudioLDM2ProjectionModel
# --------------------------------------------------------------------------------------------------


class Projection(nn.Module):
    """[sos, P(clap), eos, sos_1, P1(t5), eos_1] and the matching mask."""

    def __init__(self, arch):
        super().__init__()
        d = arch["llmDim"]
        self.projection = nn.Linear(arch["clapDim"], d)
        self.projection_1 = nn.Linear(arch["t5Dim"], d)
        self.sos_embed = nn.Parameter(torch.randn(d) * 0.5)
        self.eos_embed = nn.Parameter(torch.randn(d) * 0.5)
        self.sos_embed_1 = nn.Parameter(torch.randn(d) * 0.5)
        self.eos_embed_1 = nn.Parameter(torch.randn(d) * 0.5)

    def forward(self, clap_embeds, clap_mask, t5_hidden, t5_mask):
        p = self.projection(clap_embeds)
        p1 = self.projection_1(t5_hidden)
        one_pos = p[:, :1, :]  # [b, 1, D]: the shape the learned vectors are expanded to
        x = torch.cat([self.sos_embed.expand_as(one_pos), p, self.eos_embed.expand_as(one_pos),
                       self.sos_embed_1.expand_as(one_pos), p1, self.eos_embed_1.expand_as(one_pos)], dim=1)
        one = torch.ones_like(clap_mask[:, :1])
        m = torch.cat([one, clap_mask, one, one, t5_mask, one], dim=1)
        return x, m


# --------------------------------------------------------------------------------------------------
# GPT-2 (inputs_embeds in, no token embedding / LM head)
# --------------------------------------------------------------------------------------------------


class GPT2Block(nn.Module):
    def __init__(self, d, heads, eps=1e-5):
        super().__init__()
        self.heads, self.d = heads, d
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.c_attn = nn.Linear(d, 3 * d)
        self.attn_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)
        self.scale = 1.0 / math.sqrt(d // heads)

    def forward(self, x, bias, past_k=None, past_v=None):
        b, d = x.shape[0], self.d
        hd = d // self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split([d, d, d], dim=-1)
        qh = q.reshape(b, -1, self.heads, hd).transpose(1, 2)
        kh = k.reshape(b, -1, self.heads, hd).transpose(1, 2)
        vh = v.reshape(b, -1, self.heads, hd).transpose(1, 2)
        if past_k is not None:
            kh = torch.cat([past_k, kh], dim=2)
            vh = torch.cat([past_v, vh], dim=2)
        p = torch.softmax(torch.matmul(qh, kh.transpose(-1, -2)) * self.scale + bias, dim=-1)
        a = torch.matmul(p, vh).transpose(1, 2).reshape(b, -1, d)
        x = x + self.attn_proj(a)
        x = x + self.mlp_proj(gelu_new(self.c_fc(self.ln_2(x))))
        return x, kh, vh


class GPT2(nn.Module):
    def __init__(self, arch):
        super().__init__()
        d = arch["llmDim"]
        g = arch["gpt2"]
        self.wpe = nn.Embedding(arch["gpt2Positions"], d)
        self.h = nn.ModuleList(GPT2Block(d, g["heads"]) for _ in range(g["layers"]))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        init_transformer_(self)
        # GPT-2 scales the residual output projections by 1/sqrt(2 * n_layer)
        for blk in self.h:
            for lin in (blk.attn_proj, blk.mlp_proj):
                nn.init.normal_(lin.weight, 0.0, 0.02 / math.sqrt(2 * g["layers"]))

    def forward(self, inputs_embeds, attention_mask, position_ids, past=None):
        """past: list of (key, value) [b, H, P, hd] or None. Returns hidden, [(key, value)] with P+S."""
        x = inputs_embeds + self.wpe(position_ids)
        # causal mask without reading shapes as ints: query i (of S) may see key j (of T = P+S)
        # iff j <= i + (T - S)  <=>  (T-1-j) >= (S-1-i)
        ones_k = torch.ones_like(attention_mask[0])  # [T]
        ones_q = torch.ones_like(position_ids[0])  # [S]
        from_end_k = ones_k.sum() - torch.cumsum(ones_k, 0)
        from_end_q = ones_q.sum() - torch.cumsum(ones_q, 0)
        causal = from_end_k[None, :] >= from_end_q[:, None]  # [S, T]
        keep = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(keep, torch.zeros((), dtype=x.dtype), torch.full((), F32_MIN, dtype=x.dtype))
        presents = []
        for i, blk in enumerate(self.h):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = blk(x, bias, pk, pv)
            presents.append((k, v))
        return self.ln_f(x), presents


def kv_names(prefix: str, layers: int) -> list:
    """Cache tensor names in the order the graphs use (the contract's '{layer}' expansion order):
    every layer's key, then every layer's value."""
    return [f"{prefix}.{i}.key" for i in range(layers)] + [f"{prefix}.{i}.value" for i in range(layers)]


class GPT2Prefill(nn.Module):
    """-> last_hidden_state, present.0.key .. present.{n-1}.key, present.0.value .. present.{n-1}.value"""

    def __init__(self, gpt2: GPT2):
        super().__init__()
        self.gpt2 = gpt2

    def forward(self, inputs_embeds, attention_mask, position_ids):
        h, presents = self.gpt2(inputs_embeds, attention_mask, position_ids)
        return (h, *[k for k, _ in presents], *[v for _, v in presents])


class GPT2Step(nn.Module):
    """(inputs_embeds, attention_mask, position_ids, past keys..., past values...) -> as GPT2Prefill"""

    def __init__(self, gpt2: GPT2):
        super().__init__()
        self.gpt2 = gpt2

    def forward(self, inputs_embeds, attention_mask, position_ids, *past_flat):
        n = len(past_flat) // 2
        past = [(past_flat[i], past_flat[n + i]) for i in range(n)]
        h, presents = self.gpt2(inputs_embeds, attention_mask, position_ids, past)
        return (h, *[k for k, _ in presents], *[v for _, v in presents])


# --------------------------------------------------------------------------------------------------
# UNet (AudioLDM2UNet2DConditionModel layout)
# --------------------------------------------------------------------------------------------------


class Resnet(nn.Module):
    def __init__(self, cin, cout, temb_dim, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, cout) if temb_dim else None
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.shortcut is None else self.shortcut(x)) + h


class Attention(nn.Module):
    def __init__(self, dim, heads, context_dim=None):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim or dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim or dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)
        self.head_dim = dim // heads
        self.scale = 1.0 / math.sqrt(self.head_dim)

    def forward(self, x, context=None, bias=None):
        c = x if context is None else context
        q, k, v = self.to_q(x), self.to_k(c), self.to_v(c)
        return self.to_out(multi_head(q, k, v, self.heads, self.head_dim, bias, self.scale))


class TransformerBlock(nn.Module):
    """Self-attention, then cross-attention (or a second self-attention), then a GEGLU feed-forward."""

    def __init__(self, dim, heads, context_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff_dim = 4 * dim
        self.ff_in = nn.Linear(dim, 8 * dim)
        self.ff_out = nn.Linear(4 * dim, dim)

    def forward(self, x, context, bias):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), context, bias)
        # split with explicit sizes (not chunk): exports as a Split whose output shapes ONNX can infer
        a, gate = self.ff_in(self.norm3(x)).split([self.ff_dim, self.ff_dim], dim=-1)
        return x + self.ff_out(a * F.gelu(gate))


class Transformer2D(nn.Module):
    def __init__(self, dim, heads, context_dim, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, dim, eps=1e-6)
        self.proj_in = nn.Conv2d(dim, dim, 1)
        self.block = TransformerBlock(dim, heads, context_dim)
        self.proj_out = nn.Conv2d(dim, dim, 1)

    def forward(self, x, context=None, bias=None):
        h = self.proj_in(self.norm(x))
        h = self.block(h.flatten(2).transpose(1, 2), context, bias)  # [b, T*F, C]
        return x + self.proj_out(h.transpose(1, 2).reshape_as(x))


class AttentionTriple(nn.Module):
    """One AudioLDM 2 attention layer: self-only, cross to LOA (llmDim), cross to T5 (t5Dim, masked)."""

    def __init__(self, dim, heads, llm_dim, t5_dim, groups):
        super().__init__()
        self.self_only = Transformer2D(dim, heads, None, groups)
        self.cross_loa = Transformer2D(dim, heads, llm_dim, groups)
        self.cross_t5 = Transformer2D(dim, heads, t5_dim, groups)

    def forward(self, x, cond):
        x = self.self_only(x)
        x = self.cross_loa(x, cond["loa"])
        return self.cross_t5(x, cond["t5"], cond["t5_bias"])


class DownLevel(nn.Module):
    def __init__(self, cin, cout, temb, u, arch, cross, downsample):
        super().__init__()
        self.resnets = nn.ModuleList(Resnet(cin if i == 0 else cout, cout, temb, u["groups"], 1e-5)
                                     for i in range(u["layersPerBlock"]))
        self.attentions = nn.ModuleList(
            AttentionTriple(cout, u["heads"], arch["llmDim"], arch["t5Dim"], u["groups"]) for _ in self.resnets
        ) if cross else None
        self.downsample = nn.Conv2d(cout, cout, 3, stride=2, padding=1) if downsample else None

    def forward(self, x, temb, cond):
        outs = []
        for i, res in enumerate(self.resnets):
            x = res(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, cond)
            outs.append(x)
        if self.downsample is not None:
            x = self.downsample(x)
            outs.append(x)
        return x, outs


class UpLevel(nn.Module):
    def __init__(self, prev_out, cout, cin, temb, u, arch, cross, upsample):
        super().__init__()
        n = u["layersPerBlock"] + 1
        self.resnets = nn.ModuleList()
        for i in range(n):
            skip = cin if i == n - 1 else cout
            rin = prev_out if i == 0 else cout
            self.resnets.append(Resnet(rin + skip, cout, temb, u["groups"], 1e-5))
        self.attentions = nn.ModuleList(
            AttentionTriple(cout, u["heads"], arch["llmDim"], arch["t5Dim"], u["groups"]) for _ in range(n)
        ) if cross else None
        self.upsample = nn.Conv2d(cout, cout, 3, padding=1) if upsample else None

    def forward(self, x, skips, temb, cond):
        for i, res in enumerate(self.resnets):
            x = res(torch.cat([x, skips.pop()], dim=1), temb)
            if self.attentions is not None:
                x = self.attentions[i](x, cond)
        if self.upsample is not None:
            x = self.upsample(F.interpolate(x, scale_factor=2.0, mode="nearest"))
        return x


class UNet(nn.Module):
    """sample [b,8,T,16], timestep [b] f32, LOA [b,K,llmDim], T5 [b,L,t5Dim], T5 mask [b,L] -> noise_pred."""

    def __init__(self, arch):
        super().__init__()
        u = arch["unet"]
        bo = u["blockOut"]
        c_lat = arch["latentChannels"]
        temb = 4 * bo[0]
        self.time_channels = bo[0]
        half = bo[0] // 2
        # flip_sin_to_cos=True, freq_shift=0
        self.register_buffer("freqs", torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half),
                             persistent=False)
        self.time_linear_1 = nn.Linear(bo[0], temb)
        self.time_linear_2 = nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(c_lat, bo[0], 3, padding=1)
        self.down = nn.ModuleList()
        cout = bo[0]
        # attnLevels counts the levels with attention from the deepest up; AudioLDM 2 has all but the top one
        attn_levels = u["attnLevels"]
        for i, ch in enumerate(bo):
            cin, cout = cout, ch
            self.down.append(DownLevel(cin, cout, temb, u, arch, cross=i >= len(bo) - attn_levels, downsample=i < len(bo) - 1))
        self.mid_res1 = Resnet(bo[-1], bo[-1], temb, u["groups"], 1e-5)
        self.mid_attn = AttentionTriple(bo[-1], u["heads"], arch["llmDim"], arch["t5Dim"], u["groups"])
        self.mid_res2 = Resnet(bo[-1], bo[-1], temb, u["groups"], 1e-5)
        rev = list(reversed(bo))
        self.up = nn.ModuleList()
        out = rev[0]
        for i in range(len(rev)):
            prev, out = out, rev[i]
            cin = rev[min(i + 1, len(rev) - 1)]
            self.up.append(UpLevel(prev, out, cin, temb, u, arch, cross=i < attn_levels, upsample=i < len(rev) - 1))
        self.norm_out = nn.GroupNorm(u["groups"], bo[0], eps=1e-5)
        self.conv_out = nn.Conv2d(bo[0], c_lat, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, encoder_hidden_states_1, encoder_attention_mask_1):
        cond = {
            "loa": encoder_hidden_states,
            "t5": encoder_hidden_states_1,
            "t5_bias": mask_bias(encoder_attention_mask_1, -10000.0),
        }
        args = timestep.to(torch.float32)[:, None] * self.freqs[None, :]
        t = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
        temb = self.time_linear_2(F.silu(self.time_linear_1(t)))
        x = self.conv_in(sample)
        skips = [x]
        for level in self.down:
            x, outs = level(x, temb, cond)
            skips.extend(outs)
        x = self.mid_res1(x, temb)
        x = self.mid_attn(x, cond)
        x = self.mid_res2(x, temb)
        for level in self.up:
            x = level(x, skips, temb, cond)
        return self.conv_out(F.silu(self.norm_out(x)))


# --------------------------------------------------------------------------------------------------
# VAE (AutoencoderKL layout)
# --------------------------------------------------------------------------------------------------


class VaeAttention(nn.Module):
    """Single-head self-attention over all positions, with its own GroupNorm and residual."""

    def __init__(self, ch, groups):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, ch, eps=1e-6)
        self.to_q = nn.Linear(ch, ch)
        self.to_k = nn.Linear(ch, ch)
        self.to_v = nn.Linear(ch, ch)
        self.to_out = nn.Linear(ch, ch)
        self.ch = ch
        self.scale = 1.0 / math.sqrt(ch)

    def forward(self, x):
        h = self.group_norm(x).flatten(2).transpose(1, 2)
        h = self.to_out(multi_head(self.to_q(h), self.to_k(h), self.to_v(h), 1, self.ch, None, self.scale))
        return x + h.transpose(1, 2).reshape_as(x)


class VaeMid(nn.Module):
    def __init__(self, ch, groups):
        super().__init__()
        self.res1 = Resnet(ch, ch, None, groups, 1e-6)
        self.attn = VaeAttention(ch, groups)
        self.res2 = Resnet(ch, ch, None, groups, 1e-6)

    def forward(self, x):
        return self.res2(self.attn(self.res1(x)))


class VaeEncoder(nn.Module):
    def __init__(self, arch):
        super().__init__()
        v = arch["vae"]
        bo, g = v["blockOut"], v["groups"]
        self.conv_in = nn.Conv2d(1, bo[0], 3, padding=1)
        self.levels = nn.ModuleList()
        cout = bo[0]
        for i, ch in enumerate(bo):
            cin, cout = cout, ch
            level = nn.Module()
            level.resnets = nn.ModuleList(Resnet(cin if j == 0 else cout, cout, None, g, 1e-6)
                                          for j in range(v["layersPerBlock"]))
            level.downsample = nn.Conv2d(cout, cout, 3, stride=2, padding=0) if i < len(bo) - 1 else None
            self.levels.append(level)
        self.mid = VaeMid(bo[-1], g)
        self.norm_out = nn.GroupNorm(g, bo[-1], eps=1e-6)
        self.conv_out = nn.Conv2d(bo[-1], 2 * arch["latentChannels"], 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for level in self.levels:
            for res in level.resnets:
                x = res(x)
            if level.downsample is not None:
                x = level.downsample(F.pad(x, (0, 1, 0, 1)))
        x = self.mid(x)
        return self.conv_out(F.silu(self.norm_out(x)))


class VaeDecoder(nn.Module):
    def __init__(self, arch):
        super().__init__()
        v = arch["vae"]
        bo, g = v["blockOut"], v["groups"]
        rev = list(reversed(bo))
        self.conv_in = nn.Conv2d(arch["latentChannels"], rev[0], 3, padding=1)
        self.mid = VaeMid(rev[0], g)
        self.levels = nn.ModuleList()
        cout = rev[0]
        for i, ch in enumerate(rev):
            cin, cout = cout, ch
            level = nn.Module()
            level.resnets = nn.ModuleList(Resnet(cin if j == 0 else cout, cout, None, g, 1e-6)
                                          for j in range(v["layersPerBlock"] + 1))
            level.upsample = nn.Conv2d(cout, cout, 3, padding=1) if i < len(rev) - 1 else None
            self.levels.append(level)
        self.norm_out = nn.GroupNorm(g, bo[0], eps=1e-6)
        self.conv_out = nn.Conv2d(bo[0], 1, 3, padding=1)

    def forward(self, z):
        x = self.mid(self.conv_in(z))
        for level in self.levels:
            for res in level.resnets:
                x = res(x)
            if level.upsample is not None:
                x = level.upsample(F.interpolate(x, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(x)))


class Vae(nn.Module):
    def __init__(self, arch):
        super().__init__()
        c = arch["latentChannels"]
        self.encoder = VaeEncoder(arch)
        self.quant_conv = nn.Conv2d(2 * c, 2 * c, 1)
        self.decoder = VaeDecoder(arch)
        self.post_quant_conv = nn.Conv2d(c, c, 1)


class VaeEncode(nn.Module):
    """mel [b,1,4T,64] -> moments [b,16,T,16] (mean channels 0..7, logvar 8..15)."""

    def __init__(self, vae: Vae):
        super().__init__()
        self.encoder, self.quant_conv = vae.encoder, vae.quant_conv

    def forward(self, mel):
        return self.quant_conv(self.encoder(mel))


class VaeDecode(nn.Module):
    """latents [b,8,T,16] (already divided by the scaling factor) -> mel [b,1,4T,64]."""

    def __init__(self, vae: Vae):
        super().__init__()
        self.post_quant_conv, self.decoder = vae.post_quant_conv, vae.decoder

    def forward(self, latents):
        return self.decoder(self.post_quant_conv(latents))


# --------------------------------------------------------------------------------------------------
# Vocoder (SpeechT5HifiGan layout)
# --------------------------------------------------------------------------------------------------


class HifiResBlock(nn.Module):
    def __init__(self, ch, k, dilations):
        super().__init__()
        self.convs1 = nn.ModuleList(nn.Conv1d(ch, ch, k, dilation=d, padding=(k * d - d) // 2) for d in dilations)
        self.convs2 = nn.ModuleList(nn.Conv1d(ch, ch, k, dilation=1, padding=(k - 1) // 2) for _ in dilations)

    def forward(self, x):
        for c1, c2 in zip(self.convs1, self.convs2):
            x = x + c2(F.leaky_relu(c1(F.leaky_relu(x, 0.1)), 0.1))
        return x


class Vocoder(nn.Module):
    """mel [b, T, 64] (time-major) -> waveform [b, 160*T + 32]."""

    def __init__(self, arch):
        super().__init__()
        v = arch["vocoder"]
        ch = v["channels"]
        self.conv_pre = nn.Conv1d(arch["melBins"], ch, 7, padding=3)
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        for i, (u, k) in enumerate(zip(v["upRates"], v["upKernels"])):
            cin, cout = ch // 2 ** i, ch // 2 ** (i + 1)
            self.ups.append(nn.ConvTranspose1d(cin, cout, k, stride=u, padding=(k - u) // 2))
            for rk, rd in zip(v["resKernels"], v["resDilations"]):
                self.resblocks.append(HifiResBlock(cout, rk, rd))
        self.n_kernels = len(v["resKernels"])
        self.conv_post = nn.Conv1d(ch // 2 ** len(v["upRates"]), 1, 7, padding=3)

    def forward(self, mel):
        x = self.conv_pre(mel.transpose(1, 2))
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, 0.1))
            acc = self.resblocks[i * self.n_kernels](x)
            for j in range(1, self.n_kernels):
                acc = acc + self.resblocks[i * self.n_kernels + j](x)
            x = acc / self.n_kernels
        x = torch.tanh(self.conv_post(F.leaky_relu(x)))  # last leaky relu: default slope 0.01
        return x.squeeze(1)


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------

# module name -> class; the contract components are views on these (gpt2 and vae are shared)
MODULES = {
    "clapText": ClapText,
    "clapAudio": ClapAudio,
    "t5Encoder": T5Encoder,
    "projection": Projection,
    "gpt2": GPT2,
    "unet": UNet,
    "vae": Vae,
    "vocoder": Vocoder,
}

# contract component -> (module name, wrapper building the exported nn.Module from the module)
COMPONENTS = {
    "clapText": ("clapText", lambda m: m),
    "clapAudio": ("clapAudio", lambda m: m),
    "t5Encoder": ("t5Encoder", lambda m: m),
    "projection": ("projection", lambda m: m),
    "gpt2Prefill": ("gpt2", GPT2Prefill),
    "gpt2Step": ("gpt2", GPT2Step),
    "unet": ("unet", lambda m: m),
    "vaeDecoder": ("vae", VaeDecode),
    "vaeEncoder": ("vae", VaeEncode),
    "vocoder": ("vocoder", lambda m: m),
}


def module_seed(seed: int, name: str) -> int:
    """Each module gets its own seed, so building one module alone gives the same weights."""
    return (seed * 1_000_003 + zlib.crc32(name.encode("utf-8"))) % (2 ** 62)


def build_module(name: str, size: str, seed: int) -> nn.Module:
    torch.manual_seed(module_seed(seed, name))
    module = MODULES[name](architecture(size))
    return module.eval()


def build_component(key: str, size: str, seed: int, cache: dict | None = None) -> nn.Module:
    """The nn.Module that is exported as contract component `key` (cache shares gpt2 / vae)."""
    name, wrap = COMPONENTS[key]
    if cache is not None and name in cache:
        module = cache[name]
    else:
        module = build_module(name, size, seed)
        if cache is not None:
            cache[name] = module
    return wrap(module).eval()
