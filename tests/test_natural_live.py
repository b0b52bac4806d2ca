"""The natural voice in a live session: played on the shared null sink while the echo canceller
listens through its monitor (a loudspeaker next to the microphone), "stop" said over the voice
still stops the session at once. Runs under the sound server's lock (the `pulse` fixture)."""

from __future__ import annotations

import time

import pytest
from test_voice_live import (  # noqa: F401 - room and sessions are fixtures used here
    Session,
    answer,
    plan_with_questions,
    question,
    room,
    sessions,
    spoken,
)

from voiceguide.audio.speech import open_cache

pytestmark = pytest.mark.slow  # live audio on the shared sound server


def test_stop_is_heard_over_the_natural_voice(
    room,  # noqa: F811
    sessions,  # noqa: F811
    tmp_path,
    voiceguide_home,
    shared_speech_cache,
    monkeypatch,
):
    monkeypatch.delenv("VOICEGUIDE_TTS")  # what a new user has: the natural voice, chosen by default
    assert open_cache().engine.name == "piper"  # the default voice is the one under test
    session = Session(plan_with_questions(), tmp_path, voiceguide_home, shared_speech_cache)
    sessions.append(session)
    answer(session, room, session.wait_for(question("pain")), "three", confirm=True)
    glide = session.wait_for(lambda e: e["event"] == "segment" and "Glide" in (e.get("text") or ""))
    time.sleep(1.0)  # mid-sentence, the natural voice sounding in the room
    room.append(spoken("stop"))
    heard = session.wait_for(lambda e: e["event"] == "answer" and "stop" in e["text"], timeout=10)
    assert heard["source"] == "voice" and heard["at"] == glide["index"]
    if heard["intent"] != "stop":  # heard, but not clearly: silence, then "Did you say stop?"
        check = session.wait_for(lambda e: e["event"] == "readback" and e["text"] == "Did you say stop?")
        time.sleep(open_cache().seconds(check["text"]) + 1.0)
        room.append(spoken("yes"))
    action = session.wait_for(lambda e: e["event"] == "action" and e["action"] == "stop")
    assert action["reason"] == "stop word"
    # the natural voice itself said "stop" and "press s" in the welcome: never taken as an answer
    answers = [e for e in session.events if e["event"] == "answer"]
    assert all(a["at"] >= glide["index"] for a in answers if a["intent"] in ("stop", "symptom"))
    cue = session.wait_for(lambda e: e["event"] == "segment" and e.get("sound") == "stop")
    assert cue["t"] - action["t"] < 0.3
    session.proc.terminate()
    session.finish()
