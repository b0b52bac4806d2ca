"""ALSA's messages go to a counter, never to the terminal."""

from __future__ import annotations

import ctypes

from voiceguide.audio import alsa
from voiceguide.audio.sinks import FileSink, NullSink, RecordingSink

EPIPE = 32


def test_without_libasound_install_says_so_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(alsa, "_installed", None)  # as in a fresh process
    assert alsa.install("libasound-not-here.so.9") is False
    assert not alsa.installed()


def test_the_counter_tells_underruns_from_overruns_and_the_rest():
    before = alsa.Counts(**vars(alsa.counts))
    alsa.record(b"%s occurred", b"underrun")
    alsa.record(b"%s occurred", b"underrun")
    alsa.record(b"%s occurred", b"overrun")
    alsa.record(b"Unknown PCM %s", None)
    assert alsa.counts.underruns - before.underruns == 2
    assert alsa.counts.overruns - before.overruns == 1
    assert alsa.counts.other - before.other == 1


def test_a_real_alsa_underrun_is_counted_and_not_printed(capfd):
    """libasound's own snd_pcm_recover on its "null" device prints "underrun occurred" by default."""
    assert alsa.install() and alsa.install()  # twice: still one handler
    lib = ctypes.CDLL(alsa.LIBRARY)
    pcm = ctypes.c_void_p()
    assert lib.snd_pcm_open(ctypes.byref(pcm), b"null", 0, 0) == 0  # 0: playback, blocking
    try:
        before = alsa.counts.underruns
        for _ in range(2):  # reports the underrun, then fails to re-prepare a device never set up
            lib.snd_pcm_recover(pcm, -EPIPE, 0)
        assert alsa.counts.underruns - before == 2
    finally:
        lib.snd_pcm_close(pcm)
    assert "underrun" not in capfd.readouterr().err


def test_every_sink_reports_underruns(tmp_path):
    file_sink = FileSink(tmp_path / "x.wav")
    try:
        for sink in (NullSink(), RecordingSink(), file_sink):
            assert sink.underruns == 0
    finally:
        file_sink.close(keep=False)
