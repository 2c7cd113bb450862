"""One way to show text taken from the input (file names, configuration keys
and values) in a message on stderr or a terminal: every character that could
start a new line, drive the terminal, or reorder what is shown becomes a
visible escape, so a value can never forge a line (`::error::...`, a CI
workflow command) or an ESC sequence."""

from __future__ import annotations

import re

from .lazyre import lazy_compile

# C0 controls (tab, line feed, ESC...), DEL, C1 controls (NEL...), the
# Unicode line and paragraph separators, bidirectional marks and overrides,
# zero-width characters and the byte-order mark.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
                     "\ud800-\udfff]")


def _escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSAFE_BUT_TAB = lazy_compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x08\x0a-\x1f"))


def shown(value, keep_tabs: bool = False) -> str:
    """``value`` (any object, via str) safe to print on one line. No text may
    hold a GitHub Actions command in its legacy form either (`##[command]data`,
    which the runner finds anywhere in a line)."""
    text = (_UNSAFE_BUT_TAB if keep_tabs else _UNSAFE).sub(_escape, value if isinstance(value, str) else str(value))
    return text.replace("##[", "##\\x5b") if "##[" in text else text


def quoted(value) -> str:
    """``value`` in backticks, escaped."""
    return f"`{shown(value)}`"
