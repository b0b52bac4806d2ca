"""Train the stop-word detector (voiceguide/feedback/stop_model.npz) on espeak-ng speech made now.

    .venv/bin/python scripts/train_stop.py [--clips N] [--seed S]

Positives: "stop" said alone, twice, or after "please", "ow", "oh", "no", or before "please" or
"now", each part a separate espeak-ng take joined with a pause, so that the end of "stop" is
known to the sample. Negatives: every other answer word, near misses (top, stock, shop, spot,
step...), other words, sentences, and noise. Every clip in a random voice (3 accents x the
espeak-ng variants), speed, pitch, level, with or without noise (white, pink, brown, babble-like
speech), reverberation and the telephone band.

Held apart: the variants in VALIDATION choose the two thresholds; the benchmark's unseen voices
(scripts/bench_recognition.py TEST_VOICES: Scottish, Caribbean, New York, Lancastrian, West
Midlands accents, and the f4, f5 and m3 variants) are never used here. No recording of a person.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceguide.audio.pcm import decode_wav, resample  # noqa: E402
from voiceguide.feedback import stopword as sw  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark's noise, shared
from bench_recognition import colour_noise as colour  # noqa: E402

ACCENTS = ["en-us", "en-gb", "en-gb-x-rp"]
HELD_OUT_VARIANTS = {"f4", "f5", "m3", "whisper", "whisperf"}  # the benchmark's, and unnatural ones
VALIDATION = ["Andy", "Annie", "max", "linda", "klatt3", "m6", "belinda", "john"]


def variants() -> list[str]:
    found = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True).stdout
    names = []
    for line in found.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5:
            names.append(parts[4].split("/")[-1])
    return sorted(set(names) - HELD_OUT_VARIANTS - set(VALIDATION))


PREFIXES = ["", "", "", "please", "ow", "oh", "stop", "no", "oh no", "please please"]
SUFFIXES = ["", "", "", "", "please", "now", "it"]
NEGATIVE_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "more",
    "harder",
    "firmer",
    "less",
    "softer",
    "lighter",
    "good",
    "okay",
    "yes",
    "no",
    "tingling",
    "numb",
    "burning",
    "shooting",
    "dizzy",
    "repeat",
    "again",
    "pause",
    "continue",
    "resume",
    "skip",
    "next",
    "top",
    "stock",
    "shop",
    "step",
    "spot",
    "stuff",
    "sob",
    "slop",
    "stomp",
    "stuck",
    "shot",
    "pop",
    "drop",
    "chop",
    "hop",
    "cop",
    "mop",
    "crop",
    "stoke",
    "store",
    "start",
    "strong",
    "soft",
    "stay",
    "still",
    "sport",
    "spa",
    "taught",
    "tough",
    "staff",
    "star",
    "stack",
    "stamp",
    "not",
    "nope",
    "what",
    "hot",
    "lot",
    "got",
    "cost",
    "lost",
    "post",
    "boss",
    "toss",
    "so",
    "sock",
    "sod",
    "stodgy",
    "stopper",
    "toffee",
    "coffee",
    "office",
    "off",
    "oft",
    "sorry",
    "story",
    "stolen",
    "stone",
    "stove",
    "storm",
    "stuffed",
    "sofa",
    "sauce",
    "sought",
    "spotless",
    "topple",
    "stable",
]
SENTENCES = [
    "that feels a lot better now",
    "can you go a bit slower",
    "I think the top of my leg hurts",
    "the shop is closed on sunday",
    "put the stock in the pot",
    "a little bit softer please",
    "it is about a seven I think",
    "okay that is fine thank you",
    "my back is sore today",
    "where did I put my phone",
    "step by step",
    "not so hard",
    "that is a good spot",
]


def say(args: tuple[str, str, int, int]) -> np.ndarray:
    text, voice, speed, pitch = args
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", f.name, text],
            check=True,
            capture_output=True,
        )
        x, rate = decode_wav(Path(f.name).read_bytes())
    x = resample(x, rate, sw.RATE).astype(np.float64)
    loud = np.flatnonzero(np.abs(x) > 0.02 * np.max(np.abs(x)))
    return x[loud[0] : loud[-1] + 1] if len(loud) else x


def augment(x: np.ndarray, rng, babble: list[np.ndarray]) -> np.ndarray:
    """Level, reverberation, telephone band, noise: one random room and microphone."""
    x = x / (np.sqrt(np.mean(x[np.abs(x) > 0.05 * np.max(np.abs(x))] ** 2)) + 1e-9)
    if rng.random() < 0.3:  # a room: exponentially decaying noise as its impulse response
        rt = rng.uniform(0.15, 0.6)
        n = int(rt * sw.RATE)
        ir = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
        ir[0] = 1.0 / rng.uniform(0.3, 1.0)
        x = np.convolve(x, ir)[: len(x) + n // 2]
        x = x / (np.sqrt(np.mean(x[np.abs(x) > 0.05 * np.max(np.abs(x))] ** 2)) + 1e-9)
    x = x * 10 ** (rng.uniform(-38, -8) / 20)
    if rng.random() < 0.35:  # telephone band
        spectrum = np.fft.rfft(x)
        spectrum[np.fft.rfftfreq(len(x), 1 / sw.RATE) > rng.uniform(3400, 3900)] = 0
        x = resample(
            resample(np.fft.irfft(spectrum, len(x)).astype(np.float32), sw.RATE, 8000), 8000, sw.RATE
        )
        x = x.astype(np.float64)
    if rng.random() < 0.7:
        level = np.sqrt(np.mean(x[np.abs(x) > 0.05 * np.max(np.abs(x))] ** 2))
        snr = rng.uniform(3, 30)
        kind = rng.choice(["white", "pink", "brown", "babble"])
        if kind == "babble" and babble:
            b = babble[rng.integers(len(babble))]
            b = np.tile(b, 1 + len(x) // len(b))[: len(x)] / (np.std(b) + 1e-9)
            noise = b
        else:
            noise = colour(kind, len(x), rng)
        x = x + noise * level * 10 ** (-snr / 20)
    else:
        x = x + rng.standard_normal(len(x)) * 10 ** (rng.uniform(-90, -65) / 20)
    return np.clip(x, -1, 1)


def make_examples(n_clips: int, variant_names: list[str], seed: int, pool: Pool):
    """(inputs, labels, kinds) for n_clips positive and 2*n_clips negative clips."""
    rng = np.random.default_rng(seed)

    def voice() -> tuple[str, int, int]:
        return (
            f"{rng.choice(ACCENTS)}+{rng.choice(variant_names)}",
            int(rng.integers(110, 225)),
            int(rng.integers(15, 85)),
        )

    jobs, plans = [], []
    for _ in range(n_clips):
        v, s, p = voice()
        pre, suf = rng.choice(PREFIXES), rng.choice(SUFFIXES)
        plans.append(("pos", pre, suf, len(jobs)))
        jobs += [("stop", v, s, p), (pre or "stop", v, s, p), (suf or "stop", v, s, p)]
    for i in range(2 * n_clips):
        v, s, p = voice()
        text = SENTENCES[rng.integers(len(SENTENCES))] if i % 5 == 0 else rng.choice(NEGATIVE_WORDS)
        plans.append(("neg", text, "", len(jobs)))
        jobs.append((text, v, s, p))
    spoken = pool.map(say, jobs, chunksize=16)
    babble = [spoken[j] for kind, *_, j in plans[:50] if kind == "neg"]
    xs, ys, kinds = [], [], []
    for kind, a, b, j in plans:
        gap = lambda: np.zeros(int(rng.uniform(0.04, 0.3) * sw.RATE))  # noqa: E731
        lead = np.zeros(int(rng.uniform(0.05, 0.5) * sw.RATE))
        if kind == "pos":
            stop = spoken[j]
            parts = [lead] + ([spoken[j + 1], gap()] if a else [])
            start = sum(len(p) for p in parts)
            parts.append(stop)
            end = start + len(stop)
            tail = [gap(), spoken[j + 2]] if b else []
            x = augment(np.concatenate(parts + tail + [np.zeros(int(0.4 * sw.RATE))]), rng, babble)
            mel = sw.logmel(x)
            e = end // sw.HOP + 1
            pos_ends = rng.integers(e - 1, e + (8 if b else 22), size=3)
            neg_ends = [s for s in (start // sw.HOP - rng.integers(0, 8, size=1)) if s > 10 and a]
            for es, label in ((pos_ends, 1), (neg_ends, 0)):
                es = np.clip(np.asarray(es, dtype=int), 1, len(mel))
                if len(es):
                    xs.append(sw.window_inputs(mel, es))
                    ys += [label] * len(es)
                    kinds += ["pos" if label else "prefix"] * len(es)
        else:
            x = augment(np.concatenate([lead, spoken[j], np.zeros(int(0.4 * sw.RATE))]), rng, babble)
            mel = sw.logmel(x)
            es = np.unique(np.clip(np.linspace(20, len(mel), 16).astype(int), 1, len(mel)))
            xs.append(sw.window_inputs(mel, es))
            ys += [0] * len(es)
            kinds += ["neg"] * len(es)
    for _ in range(n_clips // 4):  # noise alone: hiss, hum, clicks, bursts
        n = int(rng.uniform(0.5, 2.0) * sw.RATE)
        x = colour(rng.choice(["white", "pink", "brown"]), n, rng) * 10 ** (rng.uniform(-60, -15) / 20)
        t = np.arange(n) / sw.RATE
        if rng.random() < 0.3:  # mains hum, a beep
            f0 = rng.choice([50.0, 60.0, rng.uniform(300, 2000)])
            x = x + rng.uniform(0.003, 0.2) * np.sin(2 * np.pi * f0 * t) * (
                rng.random() < 0.5 or t < t[-1] / 3
            )
        if rng.random() < 0.3:  # clicks
            x[:: int(rng.integers(800, 8000))] += rng.uniform(0.1, 0.7)
        if rng.random() < 0.4:
            burst = np.zeros(n)
            at = rng.integers(0, n - 2000)
            burst[at : at + 2000] = rng.standard_normal(2000) * np.hanning(2000) * rng.uniform(0.05, 0.5)
            x = x + burst
        mel = sw.logmel(x)
        es = np.unique(np.clip(np.linspace(20, len(mel), 6).astype(int), 1, len(mel)))
        xs.append(sw.window_inputs(mel, es))
        ys += [0] * len(es)
        kinds += ["noise"] * len(es)
    return np.concatenate(xs), np.asarray(ys, dtype=np.float32), np.asarray(kinds)


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> sw.Net:
    """The network of stopword.Net, fitted with PyTorch (a training-time tool only: the package runs
    it in numpy). Positives and negatives weigh the same in total; Adam, weight decay, dropout."""
    import torch  # noqa: PLC0415 (only here: pip install torch==2.13.0 into a separate venv)
    from torch import nn  # noqa: PLC0415

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    steps = sw.CONTEXT // sw.POOL

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1 = nn.Conv1d(sw.MELS, 48, 5)
            self.c2 = nn.Conv1d(48, 64, 3)
            self.drop = nn.Dropout(0.2)
            self.out = nn.Linear(128, 1)

        def forward(self, v):
            h = v.view(len(v), steps, sw.MELS).transpose(1, 2)
            h = torch.relu(self.c1(h))
            h = nn.functional.max_pool1d(h, 2)
            h = torch.relu(self.c2(h))
            h = torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
            return self.out(self.drop(h)).view(-1)

    model = Model()
    xt, yt = torch.tensor(x), torch.tensor(y)
    pos_weight = torch.tensor(float((1 - y).sum() / max(1.0, y.sum())))
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(yt))
        for k in range(0, len(yt), 256):
            idx = order[k : k + 256]
            xb = xt[idx] + 0.05 * torch.randn_like(xt[idx])
            opt.zero_grad()
            loss = loss_fn(model(xb), yt[idx])
            loss.backward()
            opt.step()
        sched.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}", flush=True)
    model.eval()
    weights = {
        "c1": model.c1.weight,
        "b1": model.c1.bias,
        "c2": model.c2.weight,
        "b2": model.c2.bias,
        "w": model.out.weight,
        "b": model.out.bias,
    }
    return sw.Net(**{k: v.detach().numpy().astype(np.float32) for k, v in weights.items()})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=2000, help="positive clips (twice as many negatives)")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--cache", type=Path, help="keep the made examples here (npz) and reuse them")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=sw.MODEL)
    args = parser.parse_args()
    t = time.time()
    if args.cache and args.cache.exists():
        with np.load(args.cache) as d:
            x, y, vx, vy, vk = (d[k] for k in ("x", "y", "vx", "vy", "vk"))
    else:
        with Pool(2) as pool:
            x, y, _ = make_examples(args.clips, variants(), args.seed, pool)
            vx, vy, vk = make_examples(max(200, args.clips // 4), VALIDATION, args.seed + 100, pool)
        if args.cache:
            np.savez(args.cache, x=x, y=y, vx=vx, vy=vy, vk=vk)
    print(
        f"examples: {len(y)} training ({int(y.sum())} positive), {len(vy)} validation; "
        f"{time.time() - t:.0f} s"
    )
    net = train(x, y, args.epochs, args.seed)
    print(f"trained in {time.time() - t:.0f} s")
    p = net(vx)
    for thr in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98):
        rec = np.mean(p[vy > 0] >= thr)
        fa = {k: np.mean(p[vk == k] >= thr) for k in ("neg", "prefix", "noise")}
        print(
            f"threshold {thr}: recall {100 * rec:.1f} %, false "
            + ", ".join(f"{k} {100 * f:.2f} %" for k, f in fa.items())
        )
    net.save(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) // 1024} KiB)")


if __name__ == "__main__":
    main()
