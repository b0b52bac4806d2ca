"""The hear command's contract: one JSON line per readable file, exit 3 for the others."""

from __future__ import annotations

import json
import wave

import numpy as np


def write_wav(path, samples: np.ndarray, rate: int = 16000, width: int = 2, channels: int = 1) -> None:
    data = np.repeat(samples[:, None], channels, axis=1).reshape(-1)
    if width == 2:
        raw = (data * 32767).astype("<i2").tobytes()
    else:  # 24-bit
        ints = (data * 8388607).astype("<i4")
        raw = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in ints)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)


def test_silence_and_noise_are_unknown_and_a_bad_file_is_exit_3(cli, tmp_path):
    silence, noise, bad = tmp_path / "silence.wav", tmp_path / "noise.wav", tmp_path / "bad.wav"
    write_wav(silence, np.zeros(16000))
    write_wav(
        noise, np.random.default_rng(1).normal(0, 0.1, 24000).clip(-1, 1), rate=8000, width=3, channels=2
    )
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    result = cli("hear", str(silence), str(bad), str(noise), "--json")
    assert result.exit_code == 3
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(silence), str(noise)]
    for line in lines:
        assert line["intent"] == "unknown" and line["value"] is None
        assert 0.0 <= line["confidence"] <= 1.0
        assert set(line) == {"file", "text", "intent", "value", "confidence", "decision"}
        assert line["decision"] == "reject"
    assert "bad.wav" in result.stderr and "Traceback" not in result.stderr


def test_hear_says_which_words_a_no_to_did_you_say_stop_would_take(cli, tmp_path, monkeypatch):
    """A stop only the stop detector heard in words the decoder is sure of, at a number question:
    a session asks "did you say stop?" and a "no" takes the seven; `hear` says both."""
    from voiceguide.feedback import enroll, recognise

    class Sure:
        """The decoder sure of "seven" while the stop detector hears a stop (people's sevens)."""

        def hear(self, samples, rate, expect):
            rec = recognise.Recogniser.__new__(recognise.Recogniser)
            rec.threshold = recognise.CONFIRM
            info = {"text": "seven", "confidence": 0.92, "ratio": 1.0, "stop_chance": 0.99}
            return rec.answer(info, expect)

    monkeypatch.setattr(enroll, "recogniser_for", lambda person, helper=True: Sure())
    path = tmp_path / "seven.wav"
    write_wav(path, np.zeros(16000))
    line = json.loads(cli("hear", str(path), "--expect", "number", "--json").stdout)
    assert (line["intent"], line["decision"], line["instead"]) == ("stop", "confirm", "seven")
    assert "takes 'seven'" in cli("hear", str(path), "--expect", "number").stdout
    line = json.loads(cli("hear", str(path), "--expect", "between", "--json").stdout)
    assert (line["intent"], line["decision"]) == ("stop", "act") and "instead" not in line


def test_hear_rejects_an_unknown_expect_value(cli, tmp_path):
    path = tmp_path / "s.wav"
    write_wav(path, np.zeros(1600))
    result = cli("hear", str(path), "--expect", "colour")
    assert result.exit_code == 2
    assert "number" in result.stderr and "pressure" in result.stderr


def test_hear_says_a_number_meant_in_reply_to_a_read_back_is_read_back(cli, tmp_path):
    """`--expect correction` is the reply to "I heard seven. Is that right?": "no, eight" is the
    eight, and the decision is what a session does with it: read it back ("confirm")."""
    import subprocess

    path = tmp_path / "no-eight.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "no, eight"], check=True)
    result = cli("hear", str(path), "--expect", "correction", "--json")
    assert result.exit_code == 0, result.stderr
    line = json.loads(result.stdout)
    assert (line["intent"], line["value"], line["decision"]) == ("number", 8, "confirm")


def test_hear_between_questions_says_what_a_session_does_with_talk_while_it_plays(cli, tmp_path):
    """`--expect between` is no question: what is said while the session plays. A session acts on
    a stop and a sure pause there and sets aside a "no" or a rating (talk in the room must not
    change the massage); `--expect any` is a question every answer fits."""
    import subprocess

    said = {}
    for word in ("stop", "pause", "no", "seven"):
        said[word] = tmp_path / f"{word}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(said[word]), word], check=True)
    files = [str(path) for path in said.values()]
    decisions = {}
    for expect in ("any", "between"):
        result = cli("hear", *files, "--expect", expect, "--json")
        assert result.exit_code == 0, result.stderr
        decisions[expect] = [
            (line["intent"], line["decision"]) for line in map(json.loads, result.stdout.splitlines())
        ]
    assert decisions["any"][2:] == [("no", "act"), ("number", "confirm")]
    assert decisions["between"] == decisions["any"][:2] + [("unknown", "reject")] * 2
    assert decisions["between"][:2] == [("stop", "act"), ("pause", "act")]


def test_hear_says_when_the_microphone_cut_the_voice_flat(cli, tmp_path):
    """A "seven" four times louder than full scale allows: drawn again (declip) it is still a seven,
    and `hear` says the microphone is too loud, as a session asking again would."""
    import subprocess

    from voiceguide.audio.pcm import decode_wav

    said = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(said), "seven"], check=True)
    samples, rate = decode_wav(said.read_bytes())
    cut, fine = tmp_path / "cut.wav", tmp_path / "fine.wav"
    write_wav(cut, np.clip(samples / np.max(np.abs(samples)) * 4.0, -1.0, 1.0), rate)
    write_wav(fine, samples / np.max(np.abs(samples)) * 0.5, rate)
    result = cli("hear", str(cut), str(fine), "--json", "--expect", "number")
    assert result.exit_code == 0, result.stderr
    loud, quiet = (json.loads(line) for line in result.stdout.splitlines())
    assert loud["loud"] is True and (loud["intent"], loud["value"]) == ("number", 7)
    assert "loud" not in quiet and (quiet["intent"], quiet["value"]) == ("number", 7)
    text = cli("hear", str(cut), "--expect", "number")
    assert "cut flat: the microphone is too loud" in text.stdout
