#!/usr/bin/env python3
"""Write the cue tones to audio_cues/ (run after changing voiceguide/audio/tones.py).

python scripts/make_cues.py [--out audio_cues]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from voiceguide.audio.pcm import active_rms_db, wav_bytes
from voiceguide.audio.tones import make_cue
from voiceguide.cues import CUE_SECONDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "audio_cues")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in CUE_SECONDS:
        clip = make_cue(name)
        (args.out / f"{name}.wav").write_bytes(wav_bytes(clip))
        print(f"{name:<14} {len(clip) / 22050:5.2f} s  level {active_rms_db(clip):6.1f} dB")


if __name__ == "__main__":
    main()
