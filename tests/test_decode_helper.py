"""The recogniser's helper process: the same answers as decoding everything in one process, and
whatever happens to the helper (killed, hung, never started), the answer still comes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav
from voiceguide.feedback import decode_helper
from voiceguide.feedback.recognise import Recogniser

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the recogniser tests (apt-get install espeak-ng)")

ANSWERS = (("seven", "number"), ("a bit softer", "any"), ("yes", "yesno"), ("more", "pressure"))


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[tuple[np.ndarray, int, str]]:
    folder = tmp_path_factory.mktemp("espeak")
    out = []
    for i, (text, expect) in enumerate(ANSWERS):
        path = folder / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
        samples, rate = decode_wav(path.read_bytes())
        pad = np.zeros(int(0.2 * rate), np.float32)
        out.append((np.concatenate([pad, samples, pad]), rate, expect))
    return out


@pytest.fixture(scope="module")
def alone() -> Recogniser:
    return Recogniser(helper=False)


def helped() -> Recogniser:
    rec = Recogniser(helper=True)
    assert rec._helper is not None and rec._helper.wait_ready(30.0), "the helper did not load its model"
    return rec


def test_the_helper_gives_the_answers_decoding_alone_gives(clips, alone):
    rec = helped()
    for samples, rate, expect in clips * 2:  # twice: the helper's decoder carries nothing over
        assert rec.details(samples, rate, expect) == alone.details(samples, rate, expect)
    assert rec._helper is not None and rec._helper.alive  # it was used, not given up on


def test_a_helper_killed_between_answers_or_hung_is_done_without(clips, alone, monkeypatch):
    rec = helped()
    assert rec._helper is not None
    os.kill(rec._helper._process.pid, signal.SIGKILL)
    rec._helper._process.wait()
    for samples, rate, expect in clips:
        assert rec.details(samples, rate, expect) == alone.details(samples, rate, expect)
    assert not rec._helper.alive

    monkeypatch.setattr(decode_helper, "ANSWER_SECONDS", 0.5)
    rec = helped()
    assert rec._helper is not None
    process = rec._helper._process
    os.kill(process.pid, signal.SIGSTOP)  # it takes the request and never answers
    try:
        samples, rate, expect = clips[0]
        started = time.monotonic()
        assert rec.details(samples, rate, expect) == alone.details(samples, rate, expect)
        assert time.monotonic() - started < 5.0
        assert not rec._helper.alive
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            process.kill()
    assert process.wait(timeout=5) is not None  # stopped, not left behind


def test_no_helper_when_it_cannot_start_or_is_still_loading(clips, alone, monkeypatch):
    monkeypatch.setattr(decode_helper.sys, "executable", "/nonexistent/python")
    rec = Recogniser(helper=True)
    assert rec._helper is None
    samples, rate, expect = clips[0]
    assert rec.details(samples, rate, expect) == alone.details(samples, rate, expect)
    monkeypatch.undo()

    rec = Recogniser(helper=True)  # the first answer comes before the helper has loaded its model
    assert rec.details(samples, rate, expect) == alone.details(samples, rate, expect)


def test_the_helper_ends_when_its_recogniser_is_gone():
    rec = helped()
    assert rec._helper is not None
    process = rec._helper._process
    del rec
    assert process.poll() is not None  # stopped and reaped at once, not left to end by itself


def test_the_helper_says_it_is_ready_and_ends_when_its_input_closes():
    env = dict(os.environ, PYTHONPATH=str(decode_helper.Path(decode_helper.__file__).resolve().parents[2]))
    done = subprocess.run(
        [decode_helper.sys.executable, "-m", "voiceguide.feedback.decode_worker"],
        input=b"",
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == b'"ready"\n'


def test_a_helper_that_cannot_load_pocketsphinx_says_so_and_is_not_used(clips, alone, tmp_path, monkeypatch):
    broken = tmp_path / "pocketsphinx"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('no model here')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the helper's pocketsphinx, not this process's
    rec = Recogniser(helper=True)
    assert rec._helper is not None
    process = rec._helper._process
    assert not rec._helper.wait_ready(30.0) and not rec._helper.alive
    assert process.poll() is not None  # it said why and was stopped
    samples, rate, expect = clips[1]
    assert rec.details(samples, rate, expect) == alone.details(samples, rate, expect)


def test_no_helper_on_one_core_or_when_turned_off(monkeypatch):
    monkeypatch.delenv("VOICEGUIDE_DECODE_HELPER", raising=False)
    assert (decode_helper.os.cpu_count() or 1) < 2 or Recogniser()._helper is not None  # shipped on
    monkeypatch.setattr(decode_helper.os, "cpu_count", lambda: 1)
    assert Recogniser()._helper is None
    monkeypatch.undo()
    monkeypatch.setenv("VOICEGUIDE_DECODE_HELPER", "0")
    assert Recogniser()._helper is None
    monkeypatch.setenv("VOICEGUIDE_DECODE_HELPER", "1")
    rec = Recogniser()
    assert rec._helper is not None and rec._helper.wait_ready(30.0)
