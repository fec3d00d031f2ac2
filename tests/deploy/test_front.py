"""nginx as deploy/ configures it, in front of a stand-in for the site.

Server-Sent Events must leave nginx as the site sends them: a stream that
nginx buffered would reach the browser only when the buffer filled or the
stream ended.
"""

from __future__ import annotations

import http.client
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

PAUSE = 3.0  # seconds between the stand-in's first event and its second


class Streams(http.server.BaseHTTPRequestHandler):
    """Answers with an event, then another after PAUSE seconds; outside /events it
    asks nginx not to buffer, with X-Accel-Buffering."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        if not self.path.startswith("/events"):
            self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        for number in (1, 2):
            self.wfile.write(f"data: event {number}\n\n".encode())
            self.wfile.flush()
            if number == 1:
                time.sleep(PAUSE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def front(run_local: ModuleType, open_folder: Path) -> Iterator[int]:
    """nginx's port, in front of the stand-in."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Streams)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port, process = run_local.start_nginx(open_folder / "nginx", [server.server_address[1]])
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/events", "/challenges/some/stream"])
def test_server_sent_events_pass_through_nginx_at_once(front: int, path: str) -> None:
    """Under /events by nginx's configuration; elsewhere because the response says
    ``X-Accel-Buffering: no``."""
    connection = http.client.HTTPConnection("127.0.0.1", front, timeout=PAUSE * 3)
    try:
        started = time.monotonic()
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        assert response.headers["Content-Encoding"] is None
        first = response.readline()
        arrived = time.monotonic() - started
        assert first == b"data: event 1\n"
        assert arrived < PAUSE / 2, f"the first event took {arrived:.1f}s: nginx held it back"
        assert response.read().strip() == b"data: event 2"
    finally:
        connection.close()
