"""The companion page's web server: the standard library's http.server, one thread per request.

Routes, all under the session's random token (anything else gets 403):
  GET  /TOKEN/         the page (everything inline: no request leaves the machine or the network)
  GET  /TOKEN/events   server-sent events: the live state, sent whole at each change
  GET  /TOKEN/state    the live state once, as JSON
  POST /TOKEN/press    a button (form field `button`): queued as an answer
Requests from outside the local network (not loopback, private or link-local) get 403 too.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from voiceguide.companion.feedback import Taps
from voiceguide.companion.live import LiveState
from voiceguide.companion.page import page_html

KEEPALIVE = 10.0  # seconds between comments on a quiet event stream (shows a lost phone quickly)
MAX_BODY = 1024


def local_client(address: str) -> bool:
    """Loopback, private or link-local: a device at home, never one from the internet."""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return client.is_loopback or client.is_private or client.is_link_local


class CompanionServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never keep the session's process alive
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], token: str, live: LiveState, taps: Taps) -> None:
        super().__init__(address, Handler)
        self.token = token
        self.live = live
        self.taps = taps
        self.closing = threading.Event()
        self.streams = 0  # open event streams: the session's end waits (briefly) for them to show it
        self.streams_changed = threading.Condition()

    def streams_done(self, timeout: float) -> bool:
        with self.streams_changed:
            return self.streams_changed.wait_for(lambda: self.streams == 0, timeout=timeout)


class Handler(BaseHTTPRequestHandler):
    server: CompanionServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: the terminal belongs to the session."""

    def _route(self) -> str | None:
        """The path after the token, or None (and a 403 sent) when the request may not be served."""
        if not local_client(self.client_address[0]):
            self._send(403, "text/plain", b"Forbidden\n")
            return None
        prefix = f"/{self.server.token}/"
        path = self.path.split("?", 1)[0]
        if path == prefix[:-1]:
            path = prefix
        if not path.startswith(prefix):
            self._send(403, "text/plain", b"Forbidden: this page needs the link shown by voiceguide.\n")
            return None
        return path[len(prefix) :]

    def _send(self, code: int, kind: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        route = self._route()
        if route is None:
            return
        if route == "":
            body = page_html().encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            # the page's one inline script and style; nothing may be fetched from anywhere else
            self.send_header(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
            )
            self.end_headers()
            self.wfile.write(body)
        elif route == "state":
            _, state = self.server.live.snapshot()
            self._send(200, "application/json", json.dumps(state).encode("utf-8"))
        elif route == "events":
            self._events()
        else:
            self._send(404, "text/plain", b"Not found\n")

    def do_POST(self) -> None:
        route = self._route()
        if route is None:
            return
        if route != "press":
            self._send(404, "text/plain", b"Not found\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, "text/plain", b"Too large\n")
            return
        fields = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        button = (fields.get("button") or [""])[0]
        if self.server.live.snapshot()[1]["status"] == "ended":
            self._send(409, "application/json", b'{"ok": false, "why": "the session has ended"}')
        elif self.server.taps.press(button):
            self._send(200, "application/json", b'{"ok": true}')
        else:
            self._send(400, "application/json", b'{"ok": false, "why": "no such button"}')

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        live = self.server.live
        version = -1
        with self.server.streams_changed:
            self.server.streams += 1
        try:
            while True:  # the latest state goes out before closing is heard: a page sees the end
                now, state = live.snapshot()
                if now != version:
                    version = now
                    self.wfile.write(b"data: " + json.dumps(state).encode("utf-8") + b"\n\n")
                    self.wfile.flush()
                    if state["status"] == "ended":
                        return
                elif self.server.closing.is_set():
                    return
                elif not live.wait(version, KEEPALIVE):
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            with self.server.streams_changed:
                self.server.streams -= 1
                self.server.streams_changed.notify_all()
