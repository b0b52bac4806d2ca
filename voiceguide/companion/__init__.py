"""The companion page: the session live on a phone, and a remote in the hand.

`Companion.open("local" | "lan")` serves the page from this machine (the standard library's
http.server in a thread) under a random token; the session hands it every journaled event
(`observe`) and merges its taps with its own answers (`wrap`). `close` ends the server with
the session. "local" listens on 127.0.0.1 only; "lan" on every interface, but answers only
requests from loopback, private and link-local addresses, and the URL uses this machine's
address on the local network.
"""

from __future__ import annotations

import secrets
import socket
import threading
from typing import Any

from voiceguide.errors import UsageProblem

WHERE = ("local", "lan")
CLOSE_WAIT = 1.0  # seconds the end of a session waits for open pages to be sent it


def lan_address() -> str | None:
    """This machine's address on the local network, or None. Connecting a UDP socket sends nothing:
    it only asks the kernel which interface would be used."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


class Companion:
    def __init__(self, server: Any, url: str, live: Any, taps: Any) -> None:
        self.server = server
        self.url = url
        self.live = live
        self.taps = taps
        self.thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @classmethod
    def open(cls, where: str, library: Any, port: int = 0) -> Companion:
        """Start serving; `port` 0 takes any free one."""
        from voiceguide.companion.feedback import Taps
        from voiceguide.companion.live import LiveState
        from voiceguide.companion.server import CompanionServer

        if where not in WHERE:
            raise UsageProblem(f"--companion {where}: use --companion alone, or --companion lan.")
        host = "127.0.0.1"
        bind = "127.0.0.1"
        if where == "lan":
            found = lan_address()
            if found is None:
                raise UsageProblem(
                    "This machine is on no local network, so a phone cannot reach the page.",
                    hint="Join the phone's Wi-Fi network, or use --companion alone for this machine.",
                )
            host, bind = found, "0.0.0.0"
        token = secrets.token_urlsafe(16)
        live, taps = LiveState(library), Taps()
        try:
            server = CompanionServer((bind, port), token, live, taps)
        except OSError as e:
            raise UsageProblem(f"Cannot serve the companion page: {e.strerror or e}.") from e
        page = cls(server, f"http://{host}:{server.server_address[1]}/{token}/", live, taps)
        page.thread.start()
        return page

    def wrap(self, feedback: Any) -> Any:
        """The session's feedback source with this page's taps merged in."""
        from voiceguide.companion.feedback import WithCompanion

        return WithCompanion(feedback, self.taps)

    def observe(self, event: str, data: dict, segments: list) -> None:
        """A journaled event: the page shows it. Never lets a page problem reach the session."""
        try:
            self.live.observe(event, data, segments)
        except Exception:  # the page is a view; the session goes on without it
            return

    def close(self) -> None:
        """End the server with the session (open pages see the end first)."""
        if self.live.snapshot()[1]["status"] != "ended":
            self.live.observe("end", {"reason": "interrupted"}, [])
        self.server.closing.set()
        self.server.streams_done(timeout=CLOSE_WAIT)  # under load the end was once never sent
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=2)

    def qr_text(self) -> str:
        """The URL as a QR code drawn with text blocks, for a terminal."""
        import io

        import qrcode

        code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
        code.add_data(self.url)
        out = io.StringIO()
        code.print_ascii(out=out, invert=True)
        return out.getvalue()
