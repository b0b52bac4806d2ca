"""Screenshots of the companion page at three moments of a real session, for docs/screenshots/.

    python scripts/screenshots.py [--out docs/screenshots]

Plays a partner session (`--output null --companion`) in a scratch data folder, opens the page in
Debian's headless chromium (selenium with chromium-driver, as the browser tests do), answers by tapping
as a person on the phone would, and saves a phone-sized PNG: at the opening pain question (with the
first map), after "+" at the pressure cap, and after STOP. Needs `bash scripts/setup.sh test` first.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREEN = "no\n" * 19


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))  # tests/browser.py: the browser tests' Chromium
    from browser import headless_chromium

    script = str(Path(sys.executable).parent / "voiceguide")
    home = Path(tempfile.mkdtemp(prefix="vg-shots-"))
    env = dict(os.environ, VOICEGUIDE_HOME=str(home))
    subprocess.run([script, "screen"], input=SCREEN, text=True, env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [
            script,
            "play",
            "--mode",
            "partner",
            "--stage",
            "subacute",
            "--minutes",
            "8",
            "--output",
            "null",
            "--max-pressure",
            "1",
            "--answer-timeout",
            "60",
            "--companion",
            "--json",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    events: queue.Queue[dict] = queue.Queue()
    threading.Thread(
        target=lambda: [events.put(json.loads(x)) for x in proc.stdout if x.strip()], daemon=True
    ).start()

    def until(wanted, within: float = 120.0) -> dict:
        deadline = time.monotonic() + within
        while True:
            event = events.get(timeout=max(0.1, deadline - time.monotonic()))
            if wanted(event):
                return event

    web = headless_chromium(412, 915, Path(tempfile.mkdtemp(prefix="vg-chromium-")))

    def tap(button: str) -> None:
        element = web.find_element("css selector", f'button[data-b="{button}"]')
        web.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def shot(name: str) -> None:
        time.sleep(0.8)  # the page has the new state (server-sent events, a few ms)
        web.execute_script("window.scrollTo(0, 0)")
        path = args.out / name
        web.save_screenshot(str(path))
        print(f"wrote {path}")

    args.out.mkdir(parents=True, exist_ok=True)
    try:
        url = until(lambda e: e["event"] == "companion")["url"]
        web.get(url)
        until(lambda e: e.get("question") == "ready")
        tap("good")
        until(lambda e: e.get("question") == "pain")
        shot("companion-1-first-question.png")
        tap("3")
        while (asked := until(lambda e: "question" in e))["question"] != "pressure":
            tap({"side": "left", "pain": "3"}.get(asked["question"], "good"))
        tap("more")
        until(lambda e: e["event"] == "action")
        shot("companion-2-more-at-the-cap.png")
        tap("stop")
        until(lambda e: e["event"] == "action" and e["action"] == "stop")
        shot("companion-3-stopped.png")
    finally:
        web.quit()
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
