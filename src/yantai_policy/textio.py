"""The encoding of an input file, told by its byte-order mark: one rule for plans and records.

Input text is UTF-8, with or without a byte-order mark. A file saved as UTF-16 or
UTF-32 (as some spreadsheet programs and Windows tools save "Unicode text") starts
with that encoding's byte-order mark, and is read in that encoding. UTF-16 text
without a mark cannot be told from UTF-8 for sure in general; text that starts with
the pattern of NUL bytes that ASCII characters in UTF-16 or UTF-32 leave is refused
up front, rather than read as UTF-8 into rows that all fail.

Examples:
    >>> bom_encoding("é".encode("utf-16"))
    'utf-16'
    >>> bom_encoding(b"id,groups")
    'utf-8-sig'
    >>> bom_encoding("id".encode("utf-16-le"))
    Traceback (most recent call last):
    ...
    ValueError: the text looks like UTF-16 (little-endian) without a byte-order mark: save it as UTF-8
"""

from __future__ import annotations

import codecs

__all__ = ["SNIFF_BYTES", "bom_encoding"]

SNIFF_BYTES = 4
"""How many leading bytes [bom_encoding][yantai_policy.textio.bom_encoding] looks at."""

_MARKS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _unmarked(head: bytes) -> str | None:
    """The encoding whose NUL bytes, for ASCII characters, a text without a mark shows."""
    nul = [byte == 0 for byte in head[:SNIFF_BYTES]]
    return {
        (False, True, True, True): "UTF-32 (little-endian)",
        (True, True, True, False): "UTF-32 (big-endian)",
        (False, True, False, True): "UTF-16 (little-endian)",
        (True, False, True, False): "UTF-16 (big-endian)",
    }.get((nul[0], nul[1], nul[2], nul[3]))


def bom_encoding(head: bytes) -> str:
    """The codec that reads a text whose first bytes are ``head``.

    Args:
        head: The text's first [SNIFF_BYTES][yantai_policy.textio.SNIFF_BYTES] bytes
            (fewer if the text is shorter).

    Returns:
        ``"utf-32"`` or ``"utf-16"`` for a text with that mark (the codec reads the
        mark, picks the byte order, and drops it), else ``"utf-8-sig"`` (UTF-8, its
        mark dropped if present).

    Raises:
        ValueError: The text starts with two ASCII characters in UTF-16 or one in
            UTF-32 but has no mark (UTF-8 text has no NUL bytes there).
    """
    for mark, codec in _MARKS:
        if head.startswith(mark):
            return codec
    name = _unmarked(head) if len(head) >= SNIFF_BYTES else None
    if name is not None:
        raise ValueError(f"the text looks like {name} without a byte-order mark: save it as UTF-8")
    return "utf-8-sig"
