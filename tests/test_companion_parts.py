"""The companion's parts without a browser: taps as answers merged with the session's own source,
and the live state built from journal events."""

from __future__ import annotations

import io
import time

import pytest
from map_helpers import library_with_maps

from voiceguide import domain
from voiceguide.companion.feedback import Taps, WithCompanion
from voiceguide.companion.live import LiveState
from voiceguide.feedback.sources import LineFeedback, NoFeedback
from voiceguide.plan import Segment


def test_a_tap_reads_like_its_key_with_source_companion_and_its_time():
    taps = Taps()
    before = time.monotonic()
    assert taps.press("10") and taps.press("more") and taps.press("stop")
    assert not taps.press("louder")
    ten = taps.take("number")
    assert (ten.intent, ten.value, ten.source) == ("number", 10, "companion")
    assert ten.at >= before
    assert taps.take("pressure").intent == "more"
    assert taps.take("any").intent == "stop"
    assert taps.take("any") is None


def test_stop_tapped_and_not_yet_read_is_seen_by_both_sources():
    taps = Taps()
    both = WithCompanion(NoFeedback(), taps)
    assert taps.press("3") and taps.press("right") and not both.stop_waiting()
    assert taps.press("stop") and both.stop_waiting()
    assert [taps.take("any").value, taps.take("side").intent, taps.take("any").intent] == [3, "right", "stop"]
    assert not both.stop_waiting()


def test_a_stop_key_pressed_and_not_yet_read_is_seen():
    """keys on a terminal (here a pipe): "s" (or Ctrl-C) waiting cuts short what is being said."""
    import os

    from voiceguide.feedback.sources import KeyFeedback

    read, write = os.pipe()
    keys = KeyFeedback(os.fdopen(read))
    try:
        os.write(write, b"3")
        deadline = time.monotonic() + 2.0
        while keys.keys.empty() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not keys.stop_waiting()
        os.write(write, b"s")
        while keys.keys.qsize() < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert keys.stop_waiting()
        assert keys.poll().value == 3 and keys.poll().intent == "stop" and not keys.stop_waiting()
    finally:
        os.close(write)
        keys.close()


def test_taps_and_the_session_s_own_answers_are_both_heard():
    taps = Taps()
    lines = WithCompanion(LineFeedback(io.StringIO("7\n")), taps)
    assert lines.name == "stdin"
    assert lines.answer("number", 5.0, realtime=False).value == 7  # the line first: it was there
    taps.press("3")
    start = time.monotonic()
    got = lines.answer("number", 5.0, realtime=False)
    assert (got.value, got.source) == (3, "companion") and time.monotonic() - start < 0.5
    # at the end of stdin, a question waits for a tap until its window closes
    start = time.monotonic()
    assert lines.answer("number", 0.3, realtime=False) is None
    assert 0.25 < time.monotonic() - start < 1.0
    taps.press("stop")
    assert lines.poll().intent == "stop"


def test_with_no_other_source_questions_still_wait_for_a_tap():
    both = WithCompanion(NoFeedback(), Taps())
    assert both.name == "companion"  # the player asks and waits instead of playing on


def test_the_live_state_follows_segments_answers_actions_and_the_end():
    library = library_with_maps()
    segments = [
        Segment(
            0,
            0.0,
            6.0,
            "speech",
            technique="P05",
            area="piriformis",
            side="left",
            pressure=2,
            text="Thumbs on the outer edge of the sacrum.",
            step=0,
        ),
        Segment(1, 6.0, 30.0, "hold", technique="P05", area="piriformis", side="left", pressure=2, step=0),
        Segment(
            2,
            36.0,
            8.0,
            "checkpoint",
            technique="P05",
            area="piriformis",
            question="pain",
            text="How strong is the pain?",
        ),
    ]
    live = LiveState(library)
    live.observe("segment", {"index": 0}, segments)
    _, state = live.snapshot()
    assert state["status"] == "playing" and state["side"] == "left"
    assert state["step"] == "Thumbs on the outer edge of the sacrum."
    assert state["technique"] == library.techniques["P05"].name
    assert state["pressure_words"] == domain.PRESSURE_WORDS[2]
    assert (state["step_left"], state["session_left"]) == (36.0, 44.0)
    assert "piriformis" in state["map"] and "LEFT side" in state["map"]
    assert state["next"] == "A question: How strong is the pain?"
    version = live.snapshot()[0]
    live.observe("answer", {"intent": "more", "source": "companion"}, segments)
    assert live.wait(version, 0.1)
    live.observe("action", {"action": "extend", "cap_reached": True, "cap": 2, "pressure": 2}, segments)
    _, state = live.snapshot()
    assert state["heard"] == {"text": "firmer", "source": "companion"}
    assert state["said"].startswith("Already at the most pressure allowed here (2 of 5)")
    live.observe("end", {"reason": "stopped"}, segments)
    assert live.snapshot()[1]["status"] == "ended"


def test_only_devices_at_home_are_served():
    from voiceguide.companion.server import local_client

    assert local_client("127.0.0.1") and local_client("192.168.1.20") and local_client("10.0.0.7")
    assert local_client("fe80::1") and local_client("::1")
    assert not local_client("8.8.8.8") and not local_client("2a00:1450::1") and not local_client("nonsense")


def test_lan_serves_on_this_machine_s_network_address_with_a_qr_code():
    import urllib.request

    from voiceguide.companion import Companion, lan_address
    from voiceguide.errors import UsageProblem

    address = lan_address()
    if address is None:  # a machine on no network says so instead of serving
        with pytest.raises(UsageProblem, match="no local network"):
            Companion.open("lan", library_with_maps())
        return
    page = Companion.open("lan", library_with_maps())
    try:
        assert page.url.startswith(f"http://{address}:") and len(page.url.rsplit("/", 2)[1]) >= 20
        with urllib.request.urlopen(page.url, timeout=5) as got:
            assert b"STOP" in got.read()
        qr = page.qr_text()
        assert len(qr.splitlines()) > 12 and set(qr) <= {" ", "\xa0", "\n", "█", "▀", "▄"}  # two rows a line
    finally:
        page.close()
    with pytest.raises(OSError):
        urllib.request.urlopen(page.url, timeout=2)


def test_an_open_page_is_sent_the_end_even_when_the_server_closes_at_once():
    """Found by a clean-clone CI run under load: the session ended and closed the server in the
    same moment, and the open page's stream returned before sending the end ("session over")."""
    import json
    import urllib.request

    from voiceguide.companion import Companion

    for _ in range(5):
        page = Companion.open("local", library_with_maps())
        stream = urllib.request.urlopen(page.url + "events", timeout=10)
        first = stream.readline()  # the state as it is: the stream is open and waiting
        assert first.startswith(b"data: ")
        page.live.observe("end", {"reason": "finished"}, [])
        page.close()
        states = [json.loads(line[6:]) for line in stream.read().splitlines() if line.startswith(b"data: ")]
        assert states and states[-1]["status"] == "ended"
