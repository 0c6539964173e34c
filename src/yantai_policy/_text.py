"""The rules for plan text: what it may not hold, what counts as empty, which names are one.

One place for each rule, used by the loader (every text field of a plan file), by the
model (looking up a unit by name) and by the exports (a policy built by hand, which
never went through the loader):

- `text_problem`: text no output can hold. A lone surrogate cannot be encoded as
  UTF-8 at all, and XML 1.0 forbids the C0 controls other than tab, line feed and
  carriage return, and U+FFFE and U+FFFF. The C1 controls (U+007F-U+009F) are allowed
  by XML 1.0 but are terminal escapes (U+009B is CSI) and never occur in published
  text, so they are refused too.
- `is_blank`: text made only of whitespace (U+3000, the ideographic space, included)
  and invisible characters (zero-width spaces and joiners, U+2060, U+FEFF, direction
  marks, variation selectors: the default-ignorable code points) is empty.
- `name_key`: two names are the same when they differ only by invisible characters,
  by the kind or number of spaces, by NFKC width (full-width ``ＡＢＣ``) or by case.

Examples:
    >>> text_problem("市财政局"), text_problem("市财" + chr(0xD800) + "政局")
    (None, 'lone surrogate U+D800 at offset 2')
    >>> is_blank(chr(0x200B) + chr(0x3000) + " "), is_blank("财")
    (True, False)
    >>> name_key("市财" + chr(0x200B) + "政局") == name_key("市财政局")
    True
    >>> name_key("Ｆｉｎａｎｃｅ" + chr(0x3000) + "Bureau")
    'finance bureau'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["escape_forbidden", "is_blank", "name_key", "text_problem", "without_invisible"]

# Text no output can hold: C0 controls but tab, LF and CR; DEL and the C1 controls;
# lone surrogates; the noncharacters U+FFFE and U+FFFF (XML 1.0's Char production).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# The default-ignorable code points (Unicode's DerivedCoreProperties): shown as nothing.
_INVISIBLE = (
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3"
    r"\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_IGNORABLE = re.compile(f"[{_INVISIBLE}]+")
_BLANK = re.compile(rf"[\s{_INVISIBLE}]*")


def text_problem(text: str) -> str | None:
    """Return why no output can hold this text, or None where it is fine.

    The reason names the first offending character and its offset (0-based, in code
    points), such as ``lone surrogate U+D800 at offset 12``.
    """
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        kind = "lone surrogate"
    elif char in "\ufffe\uffff":
        kind = "noncharacter"
    else:
        kind = "control character"
    return f"{kind} U+{ord(char):04X} at offset {match.start()}"


def escape_forbidden(text: str) -> str:
    r"""Return the text with each character `text_problem` refuses written as ``\uXXXX``.

    For key paths in error messages, which must be printable whatever the key holds.

    Examples:
        >>> print(escape_forbidden("a" + chr(0) + "b"))
        a\u0000b
    """
    return _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def is_blank(text: str) -> bool:
    """Return whether the text shows nothing: only whitespace and invisible characters."""
    return _BLANK.fullmatch(text) is not None


def without_invisible(text: str) -> str:
    """Return the text without its invisible characters (those `is_blank` ignores).

    Examples:
        >>> without_invisible("市" + chr(0xFEFF) + "财政局" + chr(0x200B))
        '市财政局'
    """
    return _IGNORABLE.sub("", text)


def name_key(name: str) -> str:
    """Return the form of a name under which names that look the same compare equal.

    Invisible characters are removed, the text is NFKC-normalised (full-width letters and
    the ideographic space become ASCII), runs of whitespace become one space, the ends
    are stripped and the case is folded.
    """
    name = unicodedata.normalize("NFKC", without_invisible(name))
    return " ".join(name.split()).casefold()
