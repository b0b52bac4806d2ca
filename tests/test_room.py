"""The echo path kept between sessions: written whole, read back the same, never a reason to fail."""

from __future__ import annotations

import json
import os

import numpy as np

from voiceguide.feedback import room
from voiceguide.feedback.echo import BLOCK, PARTITIONS, EchoPath


def a_path() -> EchoPath:
    taps = np.zeros(BLOCK * PARTITIONS)
    taps[[320, 335, 380]] = 0.4, 0.15, -0.08
    return EchoPath(taps, -0.015, 16000, 19.4)


def test_a_saved_path_is_read_back_as_it_was(voiceguide_home):
    assert room.save(a_path())
    file = voiceguide_home / room.FILE
    assert oct(file.stat().st_mode & 0o777) == "0o600"  # owner only, as everything in the data folder
    back = room.load()
    assert back is not None
    assert np.allclose(back.taps, a_path().taps) and back.shift == -0.015 and back.rate == 16000
    assert back.erle_db == 19.4


def test_no_file_a_damaged_one_or_another_version_is_no_path(voiceguide_home):
    assert room.load() is None
    file = voiceguide_home / room.FILE
    for text in ("{not json", "[]", json.dumps({"version": 99}), json.dumps({"version": 1, "taps": "x"})):
        file.write_text(text)
        assert room.load() is None, text
    assert room.save(a_path())
    data = json.loads(file.read_text())
    data["taps"] = data["taps"][:100]  # another canceller's size
    file.write_text(json.dumps(data))
    assert room.load() is None


def test_a_folder_that_cannot_be_written_loses_the_head_start_only(voiceguide_home, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: make the target a folder instead
            (folder / room.FILE).mkdir()
        assert room.save(a_path(), folder / room.FILE) is False
    finally:
        os.chmod(folder, 0o700)


def test_the_session_keeps_what_its_listener_learnt():
    """VoiceFeedback.close hands the learnt path to the session's keeper once the listener stops."""
    from voiceguide.feedback.listen import VoiceFeedback

    kept = []

    class Learnt:
        class thread:
            @staticmethod
            def is_alive() -> bool:
                return False

        class mic:
            @staticmethod
            def close() -> None:
                pass

        recognise = None

        def stop(self) -> None:
            pass

        def learnt_path(self) -> EchoPath:
            return a_path()

    VoiceFeedback(Learnt(), keep_path=kept.append).close()  # type: ignore[arg-type]
    assert len(kept) == 1 and kept[0].shift == -0.015
