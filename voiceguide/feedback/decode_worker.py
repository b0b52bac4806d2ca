"""The recogniser's helper process: decodes what its recogniser sends it (protocol: decode_helper.py).

    python -m voiceguide.feedback.decode_worker

It says `"ready"` once its model is loaded, answers each request with one JSON line, and ends when
its input closes. Ctrl-C is left to the session it serves.
"""

from __future__ import annotations

import json
import signal
import sys

from voiceguide.errors import NoRecogniser
from voiceguide.feedback.recognise import PocketDecoder


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the session; this ends with its input

    out, source = sys.stdout.buffer, sys.stdin.buffer
    try:
        pocket = PocketDecoder()
    except NoRecogniser as e:
        out.write(json.dumps({"error": str(e)}).encode() + b"\n")
        out.flush()
        return 1
    out.write(b'"ready"\n')
    out.flush()
    while line := source.readline():
        looks = json.loads(line)["looks"]
        results = [pocket.decode(search, source.read(count)) for search, count in looks]
        out.write(json.dumps(results).encode() + b"\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
