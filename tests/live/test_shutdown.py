"""Stopping the site does not wait for open pages: their streams end, and uvicorn's
graceful shutdown finishes at once."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.factories.browser import run_ideas, site_environ
from tests.support.ports import free_port


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(150):
        assert server.poll() is None, "the server stopped"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            answered = connection.getresponse().status == 200
            connection.close()
            if answered:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_the_site_stops_at_once_with_streams_open(tmp_path: Path) -> None:
    port = free_port()
    run_ideas(tmp_path, "migrate")
    run_ideas(tmp_path, "demo", "--no-crowd")
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "ideas", "serve", "--port", str(port)],
            env=site_environ(tmp_path),
            cwd=tmp_path,
            stdout=log,
            stderr=log,
        )
    connections: list[http.client.HTTPConnection] = []
    streams: list[http.client.HTTPResponse] = []
    try:
        wait_until_up(port, server)
        for _ in range(3):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connections.append(connection)
            connection.request("GET", "/events/challenges/food-waste-in-school-canteens")
            response = connection.getresponse()
            assert response.status == 200
            assert response.readline().startswith(b"retry: ")
            streams.append(response)

        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

        assert time.monotonic() - started < 3
        # uvicorn, done, raises the signal it was stopped by again.
        assert server.returncode in {0, -signal.SIGTERM}
        for response in streams:
            response.read()  # the stream was ended, not cut: the response is complete
    finally:
        for connection in connections:
            connection.close()
        if server.poll() is None:
            server.kill()
            server.wait()
