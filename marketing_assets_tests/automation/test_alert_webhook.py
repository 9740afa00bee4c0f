"""The webhook request: a login in the URL becomes a Basic header, never part of the host."""

import base64

import pytest

from marketing_assets import config
from marketing_assets.automation.alerts import webhook_request


def test_a_login_in_the_url_is_sent_as_a_basic_header():
    request = webhook_request("http://al%40ops:p%3Aw@127.0.0.1:8080/hook?team=mkt", b"{}")
    assert request.full_url == "http://127.0.0.1:8080/hook?team=mkt"
    scheme, token = request.headers["Authorization"].split()
    assert (scheme, base64.b64decode(token).decode()) == ("Basic", "al@ops:p:w")
    assert request.data == b"{}" and request.get_method() == "POST"


def test_a_url_without_login_is_posted_as_is():
    request = webhook_request("https://hooks.example/alerts", b"{}")
    assert request.full_url == "https://hooks.example/alerts"
    assert "Authorization" not in request.headers


@pytest.mark.parametrize("value", ["1GB'; DROP TABLE redods.quarantine; --", "lots", "4 G"])
def test_a_memory_limit_that_is_not_a_size_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(config.DUCKDB_MEMORY_ENV, value)
    with pytest.raises(ValueError, match=config.DUCKDB_MEMORY_ENV):
        config.duckdb_memory_limit()
