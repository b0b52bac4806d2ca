"""The companion page in a real browser (Debian's chromium, headless, driven by selenium): it shows
the step that is playing and its map; a tap is an answer like a key (journaled with source
`companion`, held to the cap); STOP ends the session with exit 7; a reload keeps working; a
request without the token gets 403.

Sessions run with --output null (no waiting between questions) and wait at each question for a
tap; the test answers the questions it sees in `play --json`, as a person would on the phone.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from map_helpers import write_mapped_techniques

from voiceguide import domain, paths
from voiceguide import library as lib

ALL_NO = "no\n" * 19
SESSION = ("--mode", "partner", "--stage", "subacute", "--minutes", "8", "--output", "null")
WAIT = 20.0  # seconds: the most any step of these tests may take
STARTUP = 180.0


class Session:
    """`voiceguide play --companion --json` in a subprocess; its events read by a thread as they come."""

    def __init__(self, home, *args: str) -> None:
        script = shutil.which("voiceguide", path=os.path.dirname(os.sys.executable)) or "voiceguide"
        env = dict(os.environ, VOICEGUIDE_HOME=str(home))
        self.proc = subprocess.Popen(
            [script, "play", *args, "--companion", "--json"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.events: queue.Queue[dict] = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()
        # the first session of a test run renders its speech (the cache is shared by the run)
        self.url = self.next(lambda e: e["event"] == "companion", STARTUP)["url"]

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.strip():
                self.events.put(json.loads(line))

    def next(self, wanted, within: float = WAIT) -> dict:
        deadline = time.monotonic() + within
        while True:
            try:
                event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                last = [
                    e.get("event") + ":" + str(e.get("index", e.get("intent", ""))) for e in self.seen[-8:]
                ]
                pytest.fail(
                    f"no such event within {within} s after {last}; stderr: {self.proc.stderr.read()[-500:]}"
                )
            self.seen.append(event)
            if wanted(event):
                return event

    def question(self, within: float = WAIT) -> dict:
        return self.next(lambda e: "question" in e, within)

    def finish(self, press) -> int:
        """Answer what is still asked (no to the gentle offer, a low rating for pain) until the end."""
        while True:
            event = self.next(lambda e: "question" in e or e["event"] == "end")
            if event["event"] == "end":
                return self.wait()
            press("2" if event["question"] == "pain" else "no")

    def press(self, button: str) -> None:
        """A button pressed without the page: one POST, as the page's script sends it."""
        data = f"button={button}".encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + "press", data=data), timeout=5):
            pass

    def wait(self) -> int:
        code = self.proc.wait(timeout=WAIT)
        for line in self.proc.stdout or []:
            if line.strip():
                self.events.put(json.loads(line))
        while not self.events.empty():
            self.seen.append(self.events.get())
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def home(cli, voiceguide_home):
    assert cli("screen", input=ALL_NO).exit_code == 0
    write_mapped_techniques(paths.user_techniques_dir())
    return voiceguide_home


@pytest.fixture
def session(home) -> Iterator:
    started: list[Session] = []

    def start(*args: str) -> Session:
        s = Session(home, *args)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from browser import headless_chromium

    web = headless_chromium(390, 844, tmp_path_factory.mktemp("chromium-profile"))  # a phone in portrait
    web.set_page_load_timeout(WAIT)
    yield web
    web.quit()


def text(browser, element_id: str) -> str:
    return browser.find_element("id", element_id).text


def until(browser, check, what: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, WAIT, poll_frequency=0.05).until(lambda b: check(b), message=what)


def tap(browser, button: str) -> None:
    """Scroll the button to the middle of the screen (as a thumb would) and tap it."""
    element = browser.find_element("css selector", f'button[data-b="{button}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_the_page_shows_the_step_and_its_map_a_tap_is_an_answer_and_stop_ends_the_session(session, browser):
    s = session(*SESSION, "--answer-timeout", "30")
    asked = s.question(STARTUP)
    assert asked["question"] == "ready"  # "say ready, or press Enter" comes first
    browser.get(s.url)
    until(browser, lambda b: text(b, "status") == "QUESTION: TAP AN ANSWER", "the first question is shown")
    tap(browser, "good")  # ready
    asked = s.question()
    assert asked["question"] == "pain" and asked["technique"] == "P01"
    until(browser, lambda b: text(b, "status") == "QUESTION: TAP AN ANSWER", "the question is shown")
    assert text(browser, "technique") == lib.load().techniques["P01"].name
    spoken = [e for e in s.seen if e["event"] == "segment" and e["kind"] == "speech"][-1]
    assert text(browser, "step") == spoken["text"]  # the step that was playing, in words
    assert text(browser, "question") == asked["text"]
    svg = browser.find_element("css selector", "#map svg")
    screen = browser.execute_script("return window.innerHeight")
    assert svg.size["height"] > 0.35 * screen  # drawn big enough to see on a phone
    desc = browser.find_element("css selector", "#map svg desc").get_attribute("textContent")
    assert "lower back" in desc
    tap(browser, "3")
    answer = s.next(lambda e: e["event"] == "answer")
    assert (answer["source"], answer["intent"], answer["value"]) == ("companion", "number", 3)
    until(browser, lambda b: text(b, "heard") == "3 (companion)", "the answer heard is shown")
    # the phone slept: the page is loaded again and goes on working
    browser.refresh()
    until(browser, lambda b: text(b, "heard") == "3 (companion)", "the state after a reload")
    until(browser, lambda b: "Connected" in text(b, "link"), "the stream after a reload")
    s.question()
    tap(browser, "stop")
    assert s.finish(lambda b: tap(browser, b)) == 7
    stop = next(e for e in s.seen if e["event"] == "answer" and e["intent"] == "stop")
    assert stop["source"] == "companion"
    assert any(e["event"] == "action" and e["action"] == "stop" for e in s.seen)
    assert s.seen[-1]["event"] == "end" and s.seen[-1]["reason"] == "stopped"
    until(browser, lambda b: text(b, "status") == "SESSION OVER", "the end is shown")
    # from a change of state in the session to the page holding it, over server-sent events
    delays = browser.execute_script("return window.vgLatency")
    assert delays and sorted(delays)[len(delays) // 2] < 100, delays


def test_more_at_the_cap_is_said_and_does_not_raise_the_pressure(session, browser):
    s = session(*SESSION, "--max-pressure", "1", "--answer-timeout", "30")
    browser.get(s.url)
    while True:
        asked = s.question(STARTUP)
        if asked.get("question") == "pressure":
            break
        answer = {"pain": "2", "side": "left"}.get(asked.get("question") or "", "good")
        tap(browser, answer)
    tap(browser, "more")
    action = s.next(lambda e: e["event"] == "action")
    assert action["cap_reached"] and action["rule"] == "firmer-at-cap"
    assert action["pressure"] == 1 and action["cap"] == 1
    until(browser, lambda b: "Already at the most pressure allowed here (1 of 5)" in text(b, "said"), "said")
    assert domain.PRESSURE_WORDS[1] in text(browser, "pressure")
    tap(browser, "stop")
    assert s.finish(lambda b: tap(browser, b)) == 7
    pressures = [e["pressure"] for e in s.seen if e["event"] == "segment" and e.get("pressure")]
    assert pressures and max(pressures) == 1


def test_requests_without_the_token_are_refused(session):
    s = session(*SESSION, "--answer-timeout", "30")
    s.question(STARTUP)
    base = s.url.rsplit("/", 2)[0]
    for path, data in (("/", None), ("/events", None), ("/wrong-token/", None), ("/press", b"button=stop")):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=5)
        assert refused.value.code == 403, path
    assert s.proc.poll() is None  # nothing was pressed: the session still waits
    with urllib.request.urlopen(s.url + "state", timeout=5) as page:
        assert json.load(page)["status"] == "question"
    with pytest.raises(urllib.error.HTTPError) as refused:
        s.press("louder")
    assert refused.value.code == 400
    s.press("stop")
    assert s.finish(s.press) == 7
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(s.url + "state", timeout=5)


@pytest.mark.slow
def test_stop_on_the_page_silences_the_sound_within_300_ms(pulse, session, browser):
    """Played aloud (the shared PulseAudio null sink, under its lock): the player times the silence
    after STOP from the moment the tap reached the session, on the device clock."""
    s = session("--mode", "partner", "--stage", "subacute", "--minutes", "5", "--output", "device")
    browser.get(s.url)
    s.next(lambda e: e["event"] == "segment" and e["kind"] == "speech", STARTUP)
    until(browser, lambda b: text(b, "status") == "PLAYING", "the page follows the sound")
    time.sleep(1.0)  # well into the words
    tap(browser, "stop")
    response = s.next(lambda e: e["event"] == "response")
    assert (response["intent"], response["source"], response["what"]) == ("stop", "companion", "silence")
    assert response["ms"] < 300, response
    assert s.finish(lambda b: tap(browser, b)) == 7
