"""One way to show text taken from the input (file names, configuration keys
and values) in a message on stderr or a terminal: every character that could
start a new line, drive the terminal, or reorder what is shown becomes a
visible escape, so a value can never forge a line (`::error::...`, a CI
workflow command) or an ESC sequence."""

from __future__ import annotations

from .lazyre import lazy_compile

# C0 controls (tab, line feed, ESC...), DEL, C1 controls (NEL...), the
# Unicode line and paragraph separators, bidirectional marks and overrides,
# zero-width characters and the byte-order mark. Each is a character
# str.isprintable() refuses (tests/test_output_injection.py checks), so text
# that is printable holds none and needs no regex (which is then never compiled).
UNSAFE_CHARACTERS = ("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
                     "\ud800-\udfff]")
_UNSAFE = lazy_compile(UNSAFE_CHARACTERS)


def _escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSAFE_BUT_TAB = lazy_compile(UNSAFE_CHARACTERS.replace("\x00-\x1f", "\x00-\x08\x0a-\x1f"))


def shown(value, keep_tabs: bool = False) -> str:
    """``value`` (any object, via str) safe to print on one line. No text may
    hold a GitHub Actions command in its legacy form either (`##[command]data`,
    which the runner finds anywhere in a line)."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = (_UNSAFE_BUT_TAB if keep_tabs else _UNSAFE).sub(_escape, text)
    return text.replace("##[", "##\\x5b") if "##[" in text else text


def quoted(value) -> str:
    """``value`` in backticks, escaped."""
    return f"`{shown(value)}`"
