#!/usr/bin/python3
"""Write tiny, deterministic stand-ins for the two AudioLDM 2 prompt tokenizers.

    /usr/bin/python3 models/tools/make_tiny_tokenizers.py --out <bundleDir>

writes

    <bundleDir>/tokenizers/clap/tokenizer.json + tokenizer_config.json
        RoBERTa-style byte-level BPE (same JSON layout as roberta-base: <s>=0 <pad>=1 </s>=2
        <unk>=3, <mask> = last id, ByteLevel pre-tokenizer/decoder, RobertaProcessing).
    <bundleDir>/tokenizers/t5/tokenizer.json + tokenizer_config.json
        Flan-T5-style SentencePiece Unigram (<pad>=0 </s>=1 <unk>=2, Metaspace pre-tokenizer/decoder,
        TemplateProcessing "$A </s>").

Both are trained here, with the standard library only, on a small built-in corpus of sound-design
prompts, so the TypeScript side can be tested against a real BPE / Unigram without network access.
Every id is < 1024 and each vocabulary holds at most 1000 entries. The output is byte-identical from
run to run (no randomness, no dict-order or hash-order dependence, fixed float rounding).

Deviation from the real flan-t5 file: the real normalizer is
Sequence[Precompiled(charsmap), Replace(" {2,}" -> " ")]. The charsmap is a binary SentencePiece blob
we cannot reproduce here, so it is replaced by Sequence[NFKC, Replace(\\s -> " "), Replace(" {2,}" -> " ")]
(NFKC plus whitespace folding is what that charsmap does for ordinary text).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import unicodedata
from collections import Counter

# --------------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------------

PHRASES = [
    "glass shattering on concrete",
    "glass breaking in a quiet room",
    "a wine glass clinking",
    "thunder rumbling in the distance",
    "heavy thunder and rain on a tin roof",
    "footsteps on gravel",
    "footsteps on wooden floor",
    "footsteps in fresh snow",
    "footsteps on a metal staircase",
    "running footsteps on concrete",
    "high heels walking on marble",
    "a door creaking open slowly",
    "a heavy wooden door slamming shut",
    "a metal door closing in a large hall",
    "a car door closing",
    "a car engine starting and idling",
    "a sports car accelerating past",
    "a truck driving by on a wet road",
    "a motorcycle revving its engine",
    "an old steam train passing by",
    "a subway train arriving at the station",
    "an airplane flying overhead",
    "a helicopter hovering above",
    "a jet engine roaring",
    "birds chirping in the morning",
    "a crow cawing in the forest",
    "an owl hooting at night",
    "crickets chirping on a summer night",
    "frogs croaking near a pond",
    "a dog barking in the distance",
    "a small dog growling",
    "a cat meowing softly",
    "a cat purring",
    "a horse galloping on a dirt road",
    "a cow mooing on a farm",
    "a rooster crowing at dawn",
    "bees buzzing around flowers",
    "a mosquito buzzing near the ear",
    "wolves howling at the moon",
    "a lion roaring",
    "an elephant trumpeting",
    "whale song underwater",
    "rain falling on leaves",
    "light rain on a window",
    "heavy rain pouring on the street",
    "a gentle stream flowing over rocks",
    "a waterfall crashing into a pool",
    "ocean waves crashing on the shore",
    "waves lapping against a wooden boat",
    "wind blowing through the trees",
    "strong wind howling through a narrow gap",
    "a crackling campfire",
    "a fireplace crackling and popping",
    "a forest fire roaring",
    "an explosion in the distance",
    "a huge explosion with debris falling",
    "a gunshot echoing in a canyon",
    "fireworks exploding in the sky",
    "a sword being drawn from its sheath",
    "swords clashing in battle",
    "an arrow whooshing past",
    "a bow string being released",
    "a punch hitting a body",
    "a body falling on the floor",
    "bones cracking",
    "a monster growling in a cave",
    "a dragon roaring and breathing fire",
    "a magic spell shimmering",
    "a laser gun firing",
    "a spaceship engine humming",
    "a robot walking with servo motors whirring",
    "sci-fi computer beeps and bloops",
    "a futuristic door sliding open",
    "an alarm siren wailing",
    "a police siren passing by",
    "an ambulance siren in the city",
    "a fire truck horn blaring",
    "a church bell ringing",
    "wind chimes tinkling in a breeze",
    "a clock ticking",
    "an old grandfather clock chiming",
    "a phone ringing",
    "an old telephone ringing",
    "a notification ping",
    "typing on a mechanical keyboard",
    "a mouse click",
    "a printer printing paper",
    "paper crumpling",
    "pages of a book turning",
    "a pencil writing on paper",
    "scissors cutting paper",
    "a zipper opening",
    "keys jingling",
    "coins dropping on a table",
    "a cash register opening",
    "a coffee machine brewing",
    "water boiling in a kettle",
    "a kettle whistling",
    "bacon sizzling in a frying pan",
    "chopping vegetables on a cutting board",
    "a knife being sharpened",
    "dishes clattering in a sink",
    "a microwave beeping",
    "a refrigerator humming",
    "a blender mixing",
    "pouring water into a glass",
    "ice cubes clinking in a glass",
    "a bottle being opened with a pop",
    "a can of soda being opened",
    "someone drinking and swallowing",
    "someone eating an apple",
    "a crowd cheering in a stadium",
    "a crowd applauding",
    "people talking in a busy cafe",
    "children laughing and playing",
    "a baby crying",
    "a man coughing",
    "a woman sneezing",
    "someone whistling a tune",
    "a person snoring loudly",
    "heavy breathing after running",
    "a heartbeat pounding",
    "a door knock",
    "knocking on a wooden door",
    "a doorbell ringing",
    "a lock clicking",
    "a key turning in a lock",
    "a chain rattling",
    "metal scraping on metal",
    "a hammer hitting a nail",
    "a saw cutting wood",
    "a drill drilling into a wall",
    "a chainsaw cutting a tree",
    "a lawn mower running",
    "a vacuum cleaner running",
    "a washing machine spinning",
    "an electric fan whirring",
    "an air conditioner humming",
    "electrical buzzing and sparks",
    "a light switch flicking",
    "a power generator running",
    "factory machinery clanking",
    "a construction site with jackhammers",
    "a bulldozer moving dirt",
    "traffic noise in a busy city",
    "a car horn honking",
    "car tires screeching",
    "a car crash with breaking glass",
    "a bicycle bell ringing",
    "a skateboard rolling on pavement",
    "a basketball bouncing in a gym",
    "a tennis ball being hit",
    "a golf club hitting a ball",
    "a soccer ball being kicked",
    "a referee whistle blowing",
    "a piano playing a soft melody",
    "an acoustic guitar strumming",
    "an electric guitar distorted riff",
    "a violin playing a sad melody",
    "a cello playing a low note",
    "drums playing a rock beat",
    "a snare drum roll",
    "a kick drum thumping",
    "cymbals crashing",
    "a trumpet fanfare",
    "a saxophone playing jazz",
    "a flute playing a gentle tune",
    "a harp being plucked",
    "a synthesizer pad swelling",
    "a deep bass drone",
    "ambient music with soft pads",
    "an orchestra tuning up",
    "a music box playing a lullaby",
    "a vinyl record crackling",
    "radio static and noise",
    "white noise",
    "pink noise hiss",
    "a tape rewinding",
    "an old film projector running",
    "a camera shutter clicking",
    "a spray can hissing",
    "steam hissing from a pipe",
    "bubbles popping in water",
    "a splash in a swimming pool",
    "a diver jumping into water",
    "dripping water in a cave",
    "a leaking faucet dripping",
    "a toilet flushing",
    "a shower running",
    "rain dripping from a roof",
    "hail hitting a car roof",
    "snow crunching under boots",
    "ice cracking on a frozen lake",
    "leaves rustling in the wind",
    "branches snapping in the forest",
    "a tree falling in the forest",
    "rocks tumbling down a hill",
    "an avalanche rumbling",
    "an earthquake rumbling",
    "a volcano erupting",
    "a cave ambience with distant drips",
    "a quiet library ambience",
    "an empty hallway with echoes",
    "a busy train station ambience",
    "a market with people talking",
    "a night in the jungle with insects",
    "a windy desert ambience",
    "an underwater ambience",
    "a spooky haunted house ambience",
    "a ghost whispering",
    "creepy footsteps in an old house",
    "a wooden floor creaking",
    "a rocking chair creaking",
    "a swing creaking in the wind",
    "a rusty gate squeaking",
    "a balloon popping",
    "a balloon being inflated",
    "a whoosh sound effect",
    "a swoosh transition",
    "a riser building tension",
    "a cinematic impact with a deep boom",
    "a low rumble",
    "a glitchy digital sound",
    "a retro video game jump sound",
    "an eight bit coin pickup sound",
    "a game over jingle",
    "a user interface click",
    "a soft beep",
    "a cartoon boing",
    "a slide whistle going up",
    "a comedic splat",
    "a squeaky toy",
]

WORDS = [
    "glass", "thunder", "footsteps", "gravel", "concrete", "shattering", "rain", "wind", "water",
    "metal", "wood", "wooden", "door", "engine", "car", "train", "bird", "birds", "dog", "cat",
    "crowd", "fire", "explosion", "impact", "whoosh", "boom", "rumble", "hiss", "click", "beep",
    "crash", "splash", "drip", "drop", "knock", "slam", "creak", "squeak", "scrape", "rattle",
    "buzz", "hum", "drone", "roar", "growl", "howl", "bark", "chirp", "tweet", "ring", "chime",
    "bell", "siren", "alarm", "horn", "whistle", "piano", "guitar", "violin", "drum", "drums",
    "bass", "synth", "pad", "ambience", "ambient", "atmosphere", "room", "hall", "cave", "forest",
    "city", "street", "ocean", "waves", "river", "stream", "storm", "lightning", "snow", "ice",
    "leaves", "grass", "sand", "mud", "stone", "rock", "rocks", "paper", "plastic", "cloth",
    "fabric", "leather", "rubber", "soft", "loud", "quiet", "distant", "close", "heavy", "light",
    "deep", "low", "high", "short", "long", "slow", "fast", "sharp", "dull", "bright", "dark",
    "warm", "cold", "wet", "dry", "reverb", "echo", "delay", "distortion", "cinematic", "epic",
    "horror", "spooky", "magic", "sci-fi", "futuristic", "retro", "vintage", "old", "new",
    "mechanical", "electric", "electronic", "digital", "analog", "natural", "realistic",
    "recording", "sound", "sounds", "effect", "effects", "foley", "field", "high quality",
    "stereo", "mono", "loop", "one shot", "layer", "texture", "transition", "riser", "hit",
    "stinger", "swell", "sweep", "noise", "static", "crackle", "pop", "snap", "thud", "thump",
    "clang", "clank", "clink", "jingle", "tinkle", "rustle", "crunch", "squish", "squelch",
    "sizzle", "bubble", "gurgle", "pour", "flow", "splatter", "shatter", "break", "breaking",
    "smash", "bang", "blast", "gunshot", "laser", "spaceship", "robot", "monster", "dragon",
    "creature", "footstep", "walking", "running", "jumping", "falling", "opening", "closing",
    "sliding", "rolling", "spinning", "flying", "passing", "approaching", "receding",
]

# Repeated to give the core sound-design vocabulary a clearly higher frequency than rare words.
TEMPLATES = [
    ("footsteps on {}", ["gravel", "wood", "concrete", "snow", "sand", "grass", "metal", "tile", "carpet", "mud"]),
    ("{} shattering on concrete", ["glass", "a bottle", "a plate", "a window", "a mirror", "ice"]),
    ("{} hitting the ground", ["a rock", "a metal pipe", "a wooden plank", "a heavy bag", "rain"]),
    ("the sound of {}", ["thunder", "rain", "wind", "waves", "fire", "birds", "traffic", "a crowd"]),
    ("{} in a large hall", ["footsteps", "a door slam", "applause", "a piano", "voices"]),
    ("{} with reverb", ["a snare drum", "a whisper", "a scream", "a clap", "footsteps"]),
    ("close up recording of {}", ["rain", "fire", "water", "paper", "glass", "gravel"]),
    ("high quality recording of {}", ["thunder", "birds", "wind", "a car engine", "footsteps"]),
]


def corpus_lines() -> list[str]:
    lines: list[str] = []
    lines.extend(PHRASES)
    lines.extend(WORDS)
    for template, fillers in TEMPLATES:
        for filler in fillers:
            lines.append(template.format(filler))
    # A few capitalised / punctuated forms, as users type them.
    for phrase in PHRASES[:40]:
        lines.append(phrase[0].upper() + phrase[1:] + ".")
    return lines


# --------------------------------------------------------------------------------------------------
# Byte-level BPE (RoBERTa / GPT-2 style)
# --------------------------------------------------------------------------------------------------

CLAP_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
CLAP_MASK = "<mask>"
MAX_VOCAB = 1000

# ASCII-safe equivalent of the GPT-2 split pattern used by the ByteLevel pre-tokenizer:
# 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
BYTE_LEVEL_SPLIT = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
)


def byte_to_unicode() -> dict[int, str]:
    """The reversible byte -> printable character table of byte-level BPE.

    Printable Latin-1 bytes map to themselves; the remaining 68 bytes (controls, space, ...) map in
    increasing byte order to code points 256, 257, ...
    """
    keep = set(range(ord("!"), ord("~") + 1)) | set(range(0xA1, 0xAC + 1)) | set(range(0xAE, 0xFF + 1))
    table: dict[int, str] = {}
    extra = 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def train_bpe(lines: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    b2u = byte_to_unicode()
    word_counts: Counter[str] = Counter()
    for line in lines:
        for piece in BYTE_LEVEL_SPLIT.findall(line):
            word_counts["".join(b2u[b] for b in piece.encode("utf-8"))] += 1

    vocab: dict[str, int] = {}
    for tok in CLAP_SPECIALS:
        vocab[tok] = len(vocab)
    for b in range(256):
        vocab[b2u[b]] = len(vocab)

    # Sorted so that nothing depends on insertion or hash order.
    words = [(list(w), c) for w, c in sorted(word_counts.items())]
    merges: list[tuple[str, str]] = []
    budget = MAX_VOCAB - 1  # keep one id for <mask>
    while len(vocab) < budget:
        pairs: Counter[tuple[str, str]] = Counter()
        for symbols, count in words:
            for i in range(len(symbols) - 1):
                pairs[(symbols[i], symbols[i + 1])] += count
        if not pairs:
            break
        # Highest count first, then the lexicographically smallest pair.
        best, best_count = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if best_count < 2:
            break
        merged = best[0] + best[1]
        merges.append(best)
        if merged not in vocab:
            vocab[merged] = len(vocab)
        for idx, (symbols, count) in enumerate(words):
            if len(symbols) < 2:
                continue
            out: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == best[0] and symbols[i + 1] == best[1]:
                    out.append(merged)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            words[idx] = (out, count)
    vocab[CLAP_MASK] = len(vocab)
    return vocab, merges


def added_token(tid: int, content: str, lstrip: bool = False, normalized: bool = False) -> dict:
    return {
        "id": tid,
        "content": content,
        "single_word": False,
        "lstrip": lstrip,
        "rstrip": False,
        "normalized": normalized,
        "special": True,
    }


def clap_tokenizer(lines: list[str]) -> tuple[dict, dict]:
    vocab, merges = train_bpe(lines)
    mask_id = vocab[CLAP_MASK]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(vocab[t], t) for t in CLAP_SPECIALS]
        + [added_token(mask_id, CLAP_MASK, lstrip=True)],
        "normalizer": None,
        "pre_tokenizer": dict(byte_level),
        "post_processor": {
            "type": "RobertaProcessing",
            "sep": ["</s>", vocab["</s>"]],
            "cls": ["<s>", vocab["<s>"]],
            "trim_offsets": True,
            "add_prefix_space": False,
        },
        "decoder": dict(byte_level),
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }
    config = {
        "add_prefix_space": False,
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": CLAP_MASK,
        "errors": "replace",
        "clean_up_tokenization_spaces": False,
        "model_max_length": 512,
        "tokenizer_class": "RobertaTokenizer",
    }
    return tokenizer, config


# --------------------------------------------------------------------------------------------------
# SentencePiece-style Unigram (Flan-T5 style)
# --------------------------------------------------------------------------------------------------

T5_SPECIALS = ["<pad>", "</s>", "<unk>"]
SPACE = "\u2581"  # ▁
MAX_PIECE_LEN = 12
SCORE_DECIMALS = 6


def t5_normalize(text: str) -> str:
    """Python twin of the normalizer written into tokenizer.json (see module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s", " ", text)
    return re.sub(r" {2,}", " ", text)


def t5_words(lines: list[str]) -> Counter[str]:
    words: Counter[str] = Counter()
    for line in lines:
        for w in t5_normalize(line).split(" "):
            if w:
                words[SPACE + w] += 1
    return words


def viterbi(word: str, scores: dict[str, float]) -> list[str]:
    n = len(word)
    best = [-math.inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for end in range(1, n + 1):
        for start in range(max(0, end - MAX_PIECE_LEN), end):
            piece = word[start:end]
            s = scores.get(piece)
            if s is None or best[start] == -math.inf:
                continue
            cand = best[start] + s
            if cand > best[end]:  # strict: ties keep the earlier (longer-first-piece) split
                best[end] = cand
                back[end] = start
    pieces: list[str] = []
    end = n
    while end > 0:
        start = back[end]
        pieces.append(word[start:end])
        end = start
    pieces.reverse()
    return pieces


def train_unigram(lines: list[str]) -> list[tuple[str, float]]:
    words = t5_words(lines)
    required = [SPACE] + [chr(c) for c in range(0x21, 0x7F)]  # ▁ + printable ASCII except space
    budget = MAX_VOCAB - len(T5_SPECIALS)

    # Seed: every substring (up to MAX_PIECE_LEN) of every word, weighted by frequency.
    seed: Counter[str] = Counter()
    for w, c in sorted(words.items()):
        for i in range(len(w)):
            for j in range(i + 1, min(len(w), i + MAX_PIECE_LEN) + 1):
                piece = w[i:j]
                if piece.count(SPACE) > (1 if piece.startswith(SPACE) else 0):
                    continue
                seed[piece] += c
    candidates = {p: c for p, c in seed.items() if c >= 2 and len(p) > 1}
    for p in required:
        candidates.setdefault(p, 1)
    total = float(sum(candidates.values()))
    scores = {p: math.log(c * len(p) / total) for p, c in candidates.items()}

    # Hard-EM: segment with Viterbi, re-estimate piece probabilities from the usage counts, prune.
    for _ in range(6):
        usage: Counter[str] = Counter()
        for w, c in sorted(words.items()):
            for piece in viterbi(w, scores):
                usage[piece] += c
        kept = [p for p in required]
        rest = sorted((p for p in usage if p not in set(required)), key=lambda p: (-usage[p], p))
        kept.extend(rest[: budget - len(kept)])
        alpha = 0.5  # additive smoothing so unused characters keep a finite, low score
        denom = float(sum(usage.get(p, 0) for p in kept)) + alpha * len(kept)
        scores = {p: math.log((usage.get(p, 0) + alpha) / denom) for p in kept}

    pieces = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(p, round(s, SCORE_DECIMALS)) for p, s in pieces]


def t5_tokenizer(lines: list[str]) -> tuple[dict, dict]:
    learned = train_unigram(lines)
    vocab: list[list] = [[t, 0.0] for t in T5_SPECIALS] + [[p, s] for p, s in learned]
    ids = {p: i for i, (p, _) in enumerate(vocab)}
    eos = "</s>"
    metaspace = {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always", "split": True}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(ids[t], t) for t in T5_SPECIALS],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "NFKC"},
                {"type": "Replace", "pattern": {"Regex": "\\s"}, "content": " "},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": dict(metaspace),
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "pair": [
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "special_tokens": {eos: {"id": eos, "ids": [ids[eos]], "tokens": [eos]}},
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": ids["<unk>"], "vocab": vocab, "byte_fallback": False},
    }
    config = {
        "eos_token": eos,
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "extra_ids": 0,
        "additional_special_tokens": [],
        "clean_up_tokenization_spaces": False,
        "model_max_length": 128,
        "tokenizer_class": "T5Tokenizer",
    }
    return tokenizer, config


# --------------------------------------------------------------------------------------------------


def write_json(path: str, obj: dict) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(data)
    os.replace(tmp, path)


def max_id(tokenizer: dict) -> int:
    model = tokenizer["model"]
    ids = list(model["vocab"].values()) if isinstance(model["vocab"], dict) else [len(model["vocab"]) - 1]
    ids += [t["id"] for t in tokenizer["added_tokens"]]
    return max(ids)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="bundle directory; tokenizers/ is written inside it")
    args = ap.parse_args(argv)

    lines = corpus_lines()
    clap, clap_cfg = clap_tokenizer(lines)
    t5, t5_cfg = t5_tokenizer(lines)
    for name, tok in (("clap", clap), ("t5", t5)):
        top = max_id(tok)
        if top >= 1024:
            raise SystemExit(f"{name}: id {top} >= 1024")

    base = os.path.join(args.out, "tokenizers")
    write_json(os.path.join(base, "clap", "tokenizer.json"), clap)
    write_json(os.path.join(base, "clap", "tokenizer_config.json"), clap_cfg)
    write_json(os.path.join(base, "t5", "tokenizer.json"), t5)
    write_json(os.path.join(base, "t5", "tokenizer_config.json"), t5_cfg)
    print(
        f"wrote {base}: clap BPE vocab {len(clap['model']['vocab'])} ({len(clap['model']['merges'])} merges), "
        f"t5 Unigram vocab {len(t5['model']['vocab'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
