"""The one alert path: a JSON line in the alerts log and, if MARKETING_ALERT_WEBHOOK is set,
the same JSON POSTed to it. Failed runs, landing folders that cannot be read as a day and
tables that turn late all go through ``send_alert``."""

import base64
import datetime as dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request

from marketing_assets import config


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def webhook_request(url: str, body: bytes) -> urllib.request.Request:
    """The POST of ``body`` to ``url``. A login in the URL (``https://user:pw@host/…``) is
    sent as a Basic ``Authorization`` header, never as part of the host (urllib would read
    ``user:pw@host`` as a host name and fail) and never in the body."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Content-Type": "application/json"}
    if parts.username is not None or parts.password is not None:
        login = f"{urllib.parse.unquote(parts.username or '')}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else (parts.hostname or "")
        netloc = host + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return urllib.request.Request(url, data=body, headers=headers, method="POST")


def send_alert(alert: dict, log) -> None:
    """Append ``alert`` to ``config.alerts_log()`` and POST it to the webhook. The line is
    written first, so a webhook that is down loses nothing (its error goes to ``log``)."""
    path = config.alerts_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(alert, ensure_ascii=False) + "\n")
    url = os.environ.get(config.ALERT_WEBHOOK_ENV)
    if not url:
        return
    request = webhook_request(url, json.dumps(alert).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (operator's URL)
            log.info(f"alert posted to the webhook: HTTP {response.status}")
    except (urllib.error.URLError, OSError) as exc:
        log.warning(f"alert written to {path}, but the webhook failed: {exc}")
