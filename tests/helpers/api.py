"""The API built in process, for tests."""

from __future__ import annotations

from typing import Any

from functions.api.settings import ApiSettings
from tests.helpers.settings import settings_from

# Bodies no request may be answered with a 5xx: broken JSON, odd types, odd Unicode, deep nesting.
JUNK_BODIES: list[bytes] = [
    b"", b" ", b"null", b"true", b"0", b"-1e999", b"[]", b"{}", b'""', b"{", b"}", b"[[[[", b'{"text"}',
    b'{"text": }', b'{"text": "a",}', b"\xff\xfe\xfd", b"\x00\x00\x00", b'{"text": "\xff"}',
    b'{"text": NaN}', b'{"text": "a", "include_scores": Infinity}', b'{"text": 1e400}',
    b'{"text": "a", "text": 1}', b'{"texts": [null]}', b'{"texts": [[]]}', b'{"texts": {"0": "a"}}',
    b"[" * 3000 + b"]" * 3000, b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b'{"text": "\\ud83d"}', b'{"text": "\\udc00\\ud800"}', b'{"text": "\\u0000\\u0001\\u001f"}',
    b'{"texts": ["\\ud800"]}', b"text=hello", b"--boundary\r\nContent-Disposition: form-data\r\n\r\nhi",
    '{"text": "ｆｕｌｌ ｗｉｄｔｈ 😀🙏🏽 \u202e reversed \u200b"}'.encode(),
    b'{"text": "' + "😀".encode() * 399 + b'"}',
    b'{"texts": ["", "  ", "\\n"]}', b'{"include_scores": true}',
]


def api_settings(**values: Any) -> ApiSettings:
    """ApiSettings from `values` and the defaults only (see settings_from)."""
    return settings_from(ApiSettings, **values)
