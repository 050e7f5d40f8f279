"""Log lines never carry keys or cookies."""

from __future__ import annotations

import json
import logging

from registry.logs import JsonFormatter, RedactingFilter, redact


def test_authorization_values_are_redacted() -> None:
    line = redact("GET / Authorization: ApiKey abc.def-123 and AdminKey XYZ")
    assert "abc.def-123" not in line
    assert "XYZ" not in line
    assert "ApiKey [REDACTED]" in line


def test_api_key_fields_and_cookies_are_redacted() -> None:
    line = redact('{"api_key": "s3cr3t", "id": 1} cookie=sessionid=42')
    assert "s3cr3t" not in line
    assert "sessionid=42" not in line
    assert '"id": 1' in line


def test_json_lines_are_redacted_including_extras() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "key %s", ("ApiKey k1",), None)
    record.header = "AdminKey k2"
    RedactingFilter().filter(record)
    payload = json.loads(JsonFormatter().format(record))
    assert payload["message"] == "key ApiKey [REDACTED]"
    assert payload["header"] == "AdminKey [REDACTED]"
