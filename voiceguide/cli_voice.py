"""`voiceguide voices`: the voices installed here, the natural one first, each with a sample command."""

from __future__ import annotations

import json

import click


def installed_voices() -> list[dict]:
    """The packaged natural voice (if installed), then espeak-ng's English voices (if installed)."""
    import shutil
    import subprocess

    from voiceguide.audio import piper
    from voiceguide.errors import InvalidInput, NoSpeechEngine

    found: list[dict] = []
    try:
        voice = piper.packaged_voice()
        found.append(
            {
                "name": "natural",
                "engine": "piper",
                "voice": voice.name,
                "default": True,
                "about": f"{voice.name}: a natural neural voice, offline (piper-tts, run as a separate "
                f"program; GPL-3.0). Model card: dataset CC0, fine-tuned from the lessac voice.",
                "sample": "voiceguide render --voice natural --minutes 3 -o sample.wav",
            }
        )
    except NoSpeechEngine:
        pass
    except InvalidInput as e:
        found.append({"name": "natural", "engine": "piper", "voice": piper.PACKAGED_VOICE, "default": False,
                      "about": f"NOT USABLE: {e}", "sample": e.hint})  # fmt: skip
    natural_speaks = any(v["default"] for v in found)
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if binary:
        try:
            command = [binary, "--voices=en"]
            listed = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        for line in listed.splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 5 and not parts[4].startswith(("mb/", "!v")):  # mbrola: more to install
                name = parts[1]
                if any(v["name"] == name for v in found):
                    continue
                found.append(
                    {
                        "name": name,
                        "engine": "espeak-ng",
                        "voice": name,
                        "default": not natural_speaks and name == "en-gb",
                        "about": f"espeak-ng {parts[3].replace('_', ' ')}: clear, synthetic",
                        "sample": f"voiceguide render --voice {name} --minutes 3 -o sample.wav",
                    }
                )
    return found


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the voices as one JSON document.")
def voices(as_json: bool) -> None:
    """The voices installed here (the natural one first), and a command to hear each.

    \b
    Choose one with --voice NAME on plan, render and play, or VOICEGUIDE_TTS=piper|espeak-ng.
    Another Piper voice: --voice PATH/TO/VOICE.onnx (with VOICE.onnx.json beside it).
    """
    found = installed_voices()
    if as_json:
        click.echo(json.dumps({"voices": found}, ensure_ascii=False))
        return
    if not found:
        click.echo("No voices installed. Install espeak-ng (sudo apt-get install espeak-ng), or the natural "
                   "voice: pip install 'voiceguide[natural]'.")  # fmt: skip
        return
    if not any(v["engine"] == "piper" for v in found):
        click.echo("The natural voice is not installed (pip install 'voiceguide[natural]').")
    for v in found:
        mark = "*" if v["default"] else " "
        click.echo(f"{mark} {v['name']:<16} {v['about']}")
        click.echo(f"  {'':<16} try: {v['sample']}")
    click.echo("(* speaks unless you choose another with --voice NAME or VOICEGUIDE_TTS)")


COMMANDS = [voices]
