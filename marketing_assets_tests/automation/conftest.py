"""Fixtures of the automation tests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from marketing_assets import config


@pytest.fixture
def alerts(tmp_path, monkeypatch):
    """The alerts log in tmp_path and a webhook on 127.0.0.1 that records what it receives."""
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log = tmp_path / "alerts.log"
    monkeypatch.setenv(config.ALERTS_LOG_ENV, str(log))
    monkeypatch.setenv(config.ALERT_WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook")
    yield log, received
    server.shutdown()
