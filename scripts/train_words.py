"""Train the answer-word head (voiceguide/feedback/word_model.npz) on synthetic speech made now.

    python scripts/train_words.py [--clips-per-word N] [--seed S] [--cache FILE] [--more FILE...]

Each clip goes through the frozen speech-embedding backbone (voiceguide.feedback.wordnet; it needs
openwakeword 0.4.0 and onnxruntime installed); the head is fitted on those embeddings. The shipped
head: six sets of examples, made with seeds 11 (100 clips per word) and 12-16 (150), then fitted on
all of them at once:
    python scripts/train_words.py --cache W11.npz --seed 11 --clips-per-word 100 --epochs 1 --out /tmp/x.npz
    python scripts/train_words.py --cache W12.npz --seed 12 --clips-per-word 150 --epochs 1 --out /tmp/x.npz
    ... (13, 14, 15, 16 alike)
    python scripts/train_words.py --cache W11.npz --more W12.npz W13.npz W14.npz W15.npz W16.npz --seed 0 \
        --real $R --exclude-speakers $X --real-cache people.npz   (--real-seed 1, the default)
(about 4 minutes of making speech and 4 of embedding per set of 150 clips per word, 8 of embedding
people's takes, and 5 of fitting, on 2 cores.) $R and $X are train_stop.py's (people's Speech Commands
takes, and the benchmark's people refused), with two more folders of the same dataset's takes:
    R="$R isolated-speech-commands/recipe/audio speech-commands-recognition/speech_commands_v0.01"
(github.com/anshulgupta0803/isolated-speech-commands and github.com/vinsis/speech-commands-recognition).
Shipped before 2026-12-06: the same six sets without --real, synthetic speech only.

(PyTorch is a training-time tool only: pip install torch==2.13.0 into a separate venv; the package
runs the head in numpy.)

Each answer word of the grammar is one class, said alone or in the grammar's carrier phrases ("it's
about seven", "a bit softer", "that's good", "please stop"); one more class, "other", holds words
that are not answers (rhymes and near misses of the answer words, everyday words), sentences and
noise. Speech from scripts/synth_voices.py: espeak-ng, flite and the natural voice, each clip in a
random voice, speed and pitch, then a random level, room, telephone band and noise (train_stop's
augmentation).

With --real, people's own takes too (PEOPLE_SAID_AS says how their words are taught).

Held apart: the espeak-ng variants of the benchmark's tuning voices (f2, f3, m7, klatt; the
thresholds that weigh the head beside the decoder are chosen there) and VALIDATION (reported here),
the benchmark's unseen voices (their accents and variants f4, f5, m3), flite's slt, and every word
and sentence of the benchmark's out-of-vocabulary lists; of people's takes, the dataset's validation
part (reported here) and its test part (never read), which holds the benchmark's many people.
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
from train_stop import augment, real_takes, speakers_in  # noqa: E402

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


def make_clips(per_word: int, variants: list[str], seed: int, pool: Pool, weights=(0.6, 0.25, 0.15)):
    """(clips at 16 kHz, labels): per_word clips of each answer word and as many again of "other" as
    for three words (a third of them sentences), then half per_word of noise alone."""
    rng = np.random.default_rng(seed)
    banned = held_out_texts()
    others = [w for w in OTHER_WORDS if w not in banned and w not in WORDS]
    jobs, labels = [], []
    for k, word in enumerate(WORDS):
        options = texts_for(word)
        for _ in range(per_word):
            jobs.append(sv.random_voice(rng, variants, str(rng.choice(options)), weights))
            labels.append(k)
    for i in range(3 * per_word):
        text = str(rng.choice(OTHER_SENTENCES)) if i % 3 == 0 else str(rng.choice(others))
        jobs.append(sv.random_voice(rng, variants, text, weights))
        labels.append(len(WORDS))
    spoken = sv.say_all(jobs, pool)
    babble = spoken[len(WORDS) * per_word :][:60]
    clips = []
    for x in spoken:
        lead = np.zeros(int(rng.uniform(0.05, 0.6) * sw.RATE))
        tail = np.zeros(int(rng.uniform(0.1, 0.6) * sw.RATE))
        clips.append(augment(np.concatenate([lead, x, tail]), rng, babble).astype(np.float32))
    for _ in range(per_word // 2):
        n = int(rng.uniform(0.4, 2.0) * sw.RATE)
        y = bench.colour_noise(str(rng.choice(["white", "pink", "brown"])), n, rng)
        clips.append((y * 10 ** (rng.uniform(-60, -15) / 20)).astype(np.float32))
        labels.append(len(WORDS))
    return clips, np.asarray(labels, dtype=np.int64)


def embed(clips: list[np.ndarray]) -> np.ndarray:
    """(n, embeddings, 96) through the frozen backbone, 64 clips at a time."""
    run = wordnet.backbone()
    parts = [run([wordnet.segment(c, sw.RATE) for c in clips[i : i + 64]]) for i in range(0, len(clips), 64)]
    return np.concatenate(parts).astype(np.float32)


def make_examples(per_word: int, variants: list[str], seed: int, pool: Pool, weights=(0.6, 0.25, 0.15)):
    clips, labels = make_clips(per_word, variants, seed, pool, weights)
    return embed(clips), labels


# --real DIR... (2026-12-06): people's own takes beside the synthetic speech, read as train_stop.py
# --real reads them (Speech Commands, CC BY 4.0: the dataset's training part fitted on, its validation
# part reported, its test part never read). A take of an answer word is that word. Two of the
# dataset's words are answers in the grammar under another word's meaning, and are taught as that
# word ("go" continues; "right" is good, as "okay" is); every other word (up, down, left, off, on,
# dog...) is "other".
PEOPLE_SAID_AS = {"go": "continue", "right": "okay"}


def people_label(word: str) -> int:
    word = PEOPLE_SAID_AS.get(word, word)
    return WORDS.index(word) if word in WORDS else len(WORDS)


def people_examples(takes: list[tuple[str, Path]], seed: int, babble: list[np.ndarray], augmented: float):
    """(embeddings, labels) of people's takes: that share of them through train_stop's rooms,
    microphones, telephone band and noise (other people's takes as the babble), the rest as recorded."""
    from voiceguide.audio.pcm import decode_wav  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    clips, labels = [], []
    for word, path in takes:
        label = people_label(word)
        x, rate = decode_wav(path.read_bytes())
        x = sw.to_16k(x, rate).astype(np.float64)
        if len(x) < sw.RATE // 4 or np.max(np.abs(x)) < 1e-3:
            continue
        if rng.random() < augmented:
            x = augment(x, rng, babble, mic=0.5)
        clips.append(x.astype(np.float32))
        labels.append(label)
    return embed(clips), np.asarray(labels, dtype=np.int64)


def people(roots: list[Path], exclude_folder: Path | None, limit: int, seed: int, cache: Path | None):
    """(x, y, vx, vy): people's takes to fit on and held apart, embedded; kept in `cache` if given."""
    if cache and cache.exists():
        with np.load(cache) as d:
            return d["x"], d["y"], d["vx"], d["vy"]
    from voiceguide.audio.pcm import decode_wav  # noqa: PLC0415

    takes = real_takes(roots, speakers_in(exclude_folder), limit, np.random.default_rng(seed))
    babble = [decode_wav(p.read_bytes())[0].astype(np.float64) for w, p in takes["training"][::97]]
    x, y = people_examples(takes["training"], seed + 7, babble, 0.5)
    vx, vy = people_examples(takes["validation"], seed + 107, babble, 0.0)
    if cache:
        np.savez(cache, x=x, y=y, vx=vx, vy=vy)
    return x, y, vx, vy


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int, other_weight: float) -> wordnet.WordNet:
    """wordnet.WordNet fitted with PyTorch: each answer word weighs the same in total, "other" as
    much as `other_weight` words (naming a non-answer as an answer is the costly mistake); AdamW,
    dropout, a little noise and a shift of up to two embeddings (the head must not lean on one
    position)."""
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415

    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(1)

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1 = nn.Conv1d(96, 128, 3)
            self.c2 = nn.Conv1d(128, 128, 3)
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear(256, len(CLASSES))

        def forward(self, v):
            h = torch.relu(self.c1(self.drop(v).transpose(1, 2)))
            h = torch.relu(self.c2(h))
            return self.out(self.drop(torch.cat([h.mean(2), h.amax(2)], 1)))

    model = Model()
    xt, yt = torch.tensor(x / wordnet.SCALE, dtype=torch.float32), torch.tensor(y)
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float32)
    balance = counts.sum() / (len(CLASSES) * np.maximum(counts, 1))
    balance[-1] *= other_weight
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(balance, dtype=torch.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(yt))
        for k in range(0, len(yt), 128):
            idx = order[k : k + 128]
            xb = xt[idx]
            shift = int(np.random.randint(0, 3))
            if shift:
                xb = torch.cat([xb[:, shift:], xb[:, -1:].repeat(1, shift, 1)], 1)
            opt.zero_grad()
            loss = loss_fn(model(xb + 0.05 * torch.randn_like(xb)), yt[idx])
            loss.backward()
            opt.step()
        sched.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}", flush=True)
    model.eval()
    weights = {"c1": model.c1.weight, "b1": model.c1.bias, "c2": model.c2.weight, "b2": model.c2.bias,
               "w": model.out.weight, "b": model.out.bias}  # fmt: skip
    return wordnet.WordNet(CLASSES, **{k: v.detach().numpy().astype(np.float32) for k, v in weights.items()})


def report(net: wordnet.WordNet, x: np.ndarray, y: np.ndarray, title: str) -> None:
    p = net(x)
    top, best = p.argmax(axis=1), p.max(axis=1)
    words, other = y < len(WORDS), y == len(WORDS)
    print(f"{title}: answer words named right {100 * np.mean(top[words] == y[words]):.1f} %, "
          f"'other' named other {100 * np.mean(top[other] == len(WORDS)):.1f} %")  # fmt: skip
    stop = WORDS.index("stop")
    print(f"  'other' named stop first {100 * np.mean(top[other] == stop):.1f} %, "
          f"stops named stop first {100 * np.mean(top[y == stop] == stop):.1f} %")  # fmt: skip
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
    parser.add_argument("--clips-per-word", type=int, default=150)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--cache", type=Path, help="keep the made examples here (npz) and reuse them")
    parser.add_argument(
        "--other-weight", type=float, default=4.0, help="'other' weighs as much as this many words"
    )
    parser.add_argument("--more", type=Path, nargs="*", default=[], help="other caches to train on too")
    parser.add_argument("--real", type=Path, nargs="+", help="people's takes too: Speech Commands folders")
    parser.add_argument("--real-limit", type=int, default=1500, help="with --real: most takes per word")
    parser.add_argument(
        "--exclude-speakers", type=Path, help="with --real: refuse every speaker with a take in this folder"
    )
    parser.add_argument("--real-cache", type=Path, help="with --real: keep people's embeddings here (npz)")
    parser.add_argument(
        "--real-seed", type=int, default=1, help="with --real: which takes are drawn, how they are augmented"
    )
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
    real_vx = real_vy = None
    if args.real:
        rx, ry, real_vx, real_vy = people(args.real, args.exclude_speakers, args.real_limit, args.real_seed,
                                          args.real_cache)  # fmt: skip
        others = int(np.sum(ry == len(WORDS)))
        print(f"people's takes: {len(ry)} to fit ({others} of them other), {len(real_vy)} held apart")
        x, y = np.concatenate([x, rx]), np.concatenate([y, ry])
    net = train(x, y, args.epochs, args.seed, args.other_weight)
    print(f"trained in {time.time() - t:.0f} s")
    baseline = wordnet.MODEL.exists() and args.out != wordnet.MODEL
    shipped = wordnet.WordNet.load(wordnet.MODEL) if baseline else None
    report(net, vx, vy, "validation")
    if shipped:  # the baseline, on the same examples
        report(shipped, vx, vy, "  the shipped head on them")
    if real_vx is not None:
        report(net, real_vx, real_vy, "people's takes held apart (the dataset's validation part)")
        if shipped:
            report(shipped, real_vx, real_vy, "  the shipped head on them")
    net.save(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) // 1024} KiB)")


if __name__ == "__main__":
    main()
