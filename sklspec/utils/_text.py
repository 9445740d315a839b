"""Text from files, made safe to print or to put in a message."""

import re

# Terminal control sequences start with these: a file's text never reaches a terminal raw.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def printable(value: object, limit: int = 200, *, lines: bool = False) -> str:
    """``str(value)`` with control characters shown as ``?`` (newlines kept with ``lines``), cut
    to ``limit`` characters (then ending in ``...``)."""
    text = (_CONTROL_BUT_NEWLINES if lines else _CONTROL).sub("?", str(value))
    return text if len(text) <= limit else text[:limit] + "..."
