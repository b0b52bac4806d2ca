"""Train the answer-word network (voiceguide/feedback/word_model.npz) on synthetic speech made now.

    python scripts/train_words.py [--clips-per-word N] [--cache FILE] [--more FILE...]

The shipped network: two sets of examples made with seeds 1 and 2, then fitted on both:
    python scripts/train_words.py --cache A.npz --epochs 1 --out /tmp/x.npz
    python scripts/train_words.py --cache B.npz --seed 2 --epochs 1 --out /tmp/x.npz
    python scripts/train_words.py --cache A.npz --more B.npz --epochs 20
(about 10 minutes of making speech per set and 4 of fitting, on 2 cores; the last run printed
"validation: answer words named right 85.1 %, 'other' named other 60.7 %").

(PyTorch is a training-time tool only: pip install torch==2.13.0 into a separate venv; the package
runs the network in numpy.)

Each answer word of the grammar is one class, said alone or in the grammar's carrier phrases ("it's
about seven", "a bit softer", "that's good", "please stop"); one more class, "other", holds words
that are not answers (rhymes and near misses of the answer words, everyday words), sentences and
noise. Speech from scripts/synth_voices.py: espeak-ng, flite and the natural voice, each clip in a
random voice, speed and pitch, then a random level, room, telephone band and noise (train_stop's
augmentation).

Held apart: the espeak-ng variants of the benchmark's tuning voices (f2, f3, m7, klatt; the
confidence model is fitted there) and VALIDATION (reported here), the benchmark's unseen voices
(their accents and variants f4, f5, m3), flite's slt, and every word and sentence of the
benchmark's out-of-vocabulary lists. No recording of a person.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recognition as bench  # noqa: E402
import synth_voices as sv  # noqa: E402
from train_stop import augment  # noqa: E402

from voiceguide.feedback import stopword as sw  # noqa: E402
from voiceguide.feedback import wordnet  # noqa: E402
from voiceguide.feedback.intents import NUMBER_WORDS  # noqa: E402
from voiceguide.feedback.recognise import GOOD_WORDS, LESS_WORDS, MORE_WORDS, words_for  # noqa: E402

WORDS = words_for("any")
CLASSES = WORDS + [wordnet.OTHER]
TUNING_VARIANTS = {"f2", "f3", "m7", "klatt"}
VALIDATION = ["Andy", "Annie", "max", "linda", "klatt3", "m6", "belinda", "john"]

# Not answers: rhymes and near misses of the answer words, everyday words. Homophones of answer
# words (know, to, too, for, won, ate) are left out: no network can tell them apart.
_OTHER = """
fun done gun run sun shoe blue who new see bee key me tea war core roar sore drive alive dive
mix kicks tricks kevin devon late plate straight weight wine sign dine then when pen hero arrow
dress guess press chess bless could wood should hood hooray croquet ship slip trip text vexed
come drum thumb busy fizzy lizzie turning learning earning hooting scooting suiting tinkling
mingling jingling complete retreat defeat cause laws paws menu venue perfume assume presume
larder farmer former often after soft fighter writer later top stock shop spot stuff sob slop
stomp stuck shot pop drop chop stopwatch start strong stay still sport tough staff star stack
not nope hot lot got cost lost post boss sock sod toffee office sorry story stolen stone stove
storm sofa sauce sought topple stable kitchen garden pillow blanket towel shoulder elbow ankle
finger spine muscle carpet music dinner breakfast tomorrow yesterday evening weekend doctor
nurse mother brother sister husband partner phone remote television minute second hour seventy
sixteen fifteen forty fifty hundred eighteen nineteen twelve
"""
OTHER_WORDS = _OTHER.split()
OTHER_SENTENCES = [
    "could you pass me the water",
    "I think I left the oven on",
    "the dog wants to go out",
    "hang on a second",
    "is the door locked",
    "I will call you back later",
    "there is someone at the door",
    "what are we having for dinner",
    "the light is too bright",
    "let me move my arm",
    "my shoulder is a bit stiff",
    "it is getting cold in here",
    "the music is too loud",
    "I forgot to buy milk",
    "we should do this every week",
    "how long does this take",
    "that reminds me of something",
    "can I turn over now",
    "my neck feels tight",
    "the phone is ringing",
]


def texts_for(word: str) -> list[str]:
    """The ways a person gives this answer: alone, and in the grammar's carrier phrases."""
    if word in NUMBER_WORDS:
        return [word, word, f"it's {word}", f"it is {word}", f"about {word}", f"it's about {word}"]
    if word in MORE_WORDS + LESS_WORDS:
        return [word, word, f"a little {word}", f"a bit {word}", f"a little bit {word}", f"{word} please"]
    if word in ("good", "okay"):
        return [word, word, f"that's {word}", f"that is {word}", f"that feels {word}"]
    if word == "stop":
        return ["stop", "stop", "please stop", "stop stop", "ow stop", "stop please", "oh stop"]
    return [word, word, word, f"{word} please"] if word not in GOOD_WORDS else [word]


def held_out_texts() -> set[str]:
    return {t.lower() for t in bench.OOV_WORDS + bench.OOV_SENTENCES}


def make_examples(per_word: int, variants: list[str], seed: int, pool: Pool, weights=(0.6, 0.25, 0.15)):
    """(inputs (n, STEPS, MELS), labels) for per_word clips of each answer word and as many again
    of "other" as for three words (a third of them sentences, a sixth noise)."""
    rng = np.random.default_rng(seed)
    banned = held_out_texts()
    others = [w for w in OTHER_WORDS if w not in banned and w not in WORDS]
    jobs, labels = [], []
    for k, word in enumerate(WORDS):
        options = texts_for(word)
        for _ in range(per_word):
            jobs.append(sv.random_voice(rng, variants, str(rng.choice(options)), weights))
            labels.append(k)
    n_other = 3 * per_word
    for i in range(n_other):
        text = str(rng.choice(OTHER_SENTENCES)) if i % 3 == 0 else str(rng.choice(others))
        jobs.append(sv.random_voice(rng, variants, text, weights))
        labels.append(len(WORDS))
    spoken = sv.say_all(jobs, pool)
    babble = [spoken[i] for i in range(len(WORDS) * per_word, len(spoken))][:60]
    xs = []
    for x in spoken:
        lead = np.zeros(int(rng.uniform(0.05, 0.6) * sw.RATE))
        tail = np.zeros(int(rng.uniform(0.1, 0.6) * sw.RATE))
        y = augment(np.concatenate([lead, x, tail]), rng, babble)
        xs.append(wordnet.inputs(wordnet.answer_mel(y.astype(np.float32), sw.RATE)))
    for _ in range(per_word // 2):  # noise alone
        n = int(rng.uniform(0.4, 2.0) * sw.RATE)
        y = bench.colour_noise(str(rng.choice(["white", "pink", "brown"])), n, rng)
        y = y * 10 ** (rng.uniform(-60, -15) / 20)
        if rng.random() < 0.4:
            at = int(rng.integers(0, n - 2000))
            y[at : at + 2000] += rng.standard_normal(2000) * np.hanning(2000) * rng.uniform(0.05, 0.5)
        xs.append(wordnet.inputs(wordnet.answer_mel(y.astype(np.float32), sw.RATE)))
        labels.append(len(WORDS))
    return np.stack(xs).astype(np.float32), np.asarray(labels, dtype=np.int64)


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int, other_weight: float) -> wordnet.WordNet:
    """wordnet.WordNet fitted with PyTorch: each answer word weighs the same in total, "other" as
    much as `other_weight` words (naming a non-answer as an answer is the costly mistake); AdamW, dropout, and
    masked bands and stretches of time (the network must not lean on one cue)."""
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415

    torch.manual_seed(seed)
    torch.set_num_threads(2)

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1 = nn.Conv1d(sw.MELS, 64, 5)
            self.c2 = nn.Conv1d(64, 64, 3)
            self.c3 = nn.Conv1d(64, 96, 3)
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear(192, len(CLASSES))

        def forward(self, v):
            h = v.transpose(1, 2)
            h = nn.functional.max_pool1d(torch.relu(self.c1(h)), 2)
            h = nn.functional.max_pool1d(torch.relu(self.c2(h)), 2)
            h = torch.relu(self.c3(h))
            h = torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
            return self.out(self.drop(h))

    model = Model()
    xt, yt = torch.tensor(x), torch.tensor(y)
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float32)
    balance = counts.sum() / (len(CLASSES) * np.maximum(counts, 1))
    balance[-1] *= other_weight
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(balance, dtype=torch.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    g = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(yt), generator=g)
        for k in range(0, len(yt), 128):
            idx = order[k : k + 128]
            xb = xt[idx].clone()
            for row in range(len(xb)):  # one band of up to 5 mels, one stretch of up to 10 steps
                f0 = int(torch.randint(0, sw.MELS - 5, (1,), generator=g))
                xb[row, :, f0 : f0 + int(torch.randint(0, 6, (1,), generator=g))] = 0.0
                t0 = int(torch.randint(0, wordnet.STEPS - 10, (1,), generator=g))
                xb[row, t0 : t0 + int(torch.randint(0, 11, (1,), generator=g)), :] = 0.0
            xb = xb + 0.05 * torch.randn_like(xb)
            opt.zero_grad()
            loss = loss_fn(model(xb), yt[idx])
            loss.backward()
            opt.step()
        sched.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}", flush=True)
    model.eval()
    layers = {"c1": model.c1, "c2": model.c2, "c3": model.c3, "": model.out}
    weights = {}
    for name, layer in layers.items():
        weights[name or "w"] = layer.weight.detach().numpy().astype(np.float32)
        weights[name.replace("c", "b") if name else "b"] = layer.bias.detach().numpy().astype(np.float32)
    return wordnet.WordNet(CLASSES, **weights)


def report(net: wordnet.WordNet, x: np.ndarray, y: np.ndarray, title: str) -> None:
    p = net(x)
    top, best = p.argmax(axis=1), p.max(axis=1)
    words, other = y < len(WORDS), y == len(WORDS)
    print(f"{title}: answer words named right {100 * np.mean(top[words] == y[words]):.1f} %, "
          f"'other' named other {100 * np.mean(top[other] == len(WORDS)):.1f} %")  # fmt: skip
    for thr in (0.5, 0.7, 0.9):
        sure = best >= thr
        print(
            f"  at p >= {thr}: answers named {100 * np.mean(sure[words]):.1f} % "
            f"(wrong {100 * np.mean(sure[words] & (top[words] != y[words])):.1f} %), "
            f"other named as an answer {100 * np.mean(sure[other] & (top[other] != len(WORDS))):.1f} %"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips-per-word", type=int, default=160)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--cache", type=Path, help="keep the made examples here (npz) and reuse them")
    parser.add_argument(
        "--other-weight", type=float, default=4.0, help="'other' weighs as much as this many words"
    )
    parser.add_argument("--more", type=Path, nargs="*", default=[], help="other caches to train on too")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=wordnet.MODEL)
    args = parser.parse_args()
    t = time.time()
    if args.cache and args.cache.exists():
        with np.load(args.cache) as d:
            x, y, vx, vy = d["x"], d["y"], d["vx"], d["vy"]
    else:
        train_variants = sv.espeak_variants(exclude=TUNING_VARIANTS | set(VALIDATION))
        with Pool(2) as pool:
            x, y = make_examples(args.clips_per_word, train_variants, args.seed, pool)
            vx, vy = make_examples(max(20, args.clips_per_word // 5), VALIDATION, args.seed + 100, pool,
                                   weights=(1.0, 0.0, 0.0))  # fmt: skip
        if args.cache:
            np.savez(args.cache, x=x, y=y, vx=vx, vy=vy)
    print(f"examples: {len(y)} training, {len(vy)} validation (held-apart variants); {time.time() - t:.0f} s")
    for extra in args.more:
        with np.load(extra) as d:
            x, y = np.concatenate([x, d["x"]]), np.concatenate([y, d["y"]])
    net = train(x, y, args.epochs, args.seed, args.other_weight)
    print(f"trained in {time.time() - t:.0f} s")
    report(net, vx, vy, "validation")
    net.save(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) // 1024} KiB)")


if __name__ == "__main__":
    main()
