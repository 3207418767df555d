"""What a JSON body would take in memory once parsed, estimated from its bytes before it is.

Python's objects cost far more than the JSON that makes them: `{}` is 2 bytes of JSON and a
64-byte dict, so 48 MiB of `[{},{},...]` parses into about 1.2 GB. A route that takes large
bodies (a snapshot) asks `parsed_bytes` first and refuses a body whose parse would cost more
than a few times its size, so that its peak stays proportional to what it accepts.

The estimate counts bytes (`bytes.count` runs at memory speed), so braces, commas and quotes
inside strings count too: it errs on the high side, never on the low one, for every shape
measured (`bench/snapshot_memory.py`). A real snapshot estimates at about 4.7 times its size
and parses to about 3.7.
"""

from __future__ import annotations

# Bytes each thing costs once parsed, CPython 3.11 on 64 bits (measured with tracemalloc).
DICT_BYTES = 184  # a dict with its first few keys
LIST_BYTES = 64  # an empty list and its slot in the parent
ENTRY_BYTES = 40  # a key's share of its dict's table, resizes included
ITEM_BYTES = 8  # a list item's pointer
STRING_BYTES = 56  # a string value's header (keys are shared by the parser: not counted)
NUMBER_BYTES = 32  # an int or a float (null, true and false are shared)
# The decoded text: one byte a character for ASCII; up to four where any character is not.
WIDEST_CHAR_BYTES = 4


def parsed_bytes(raw: bytes) -> int:
    """An upper estimate of what `json.loads(raw)` holds at its end, text included."""
    dicts, lists = raw.count(b"{"), raw.count(b"[")
    entries = raw.count(b'":')  # a key, then its colon
    items = max(raw.count(b",") - entries + dicts, 0) + lists
    strings = max(raw.count(b'"') // 2 - entries, 0)
    literals = raw.count(b"null") + raw.count(b"true") + raw.count(b"false")
    numbers = max(entries + items - strings - literals - dicts - lists, 0)
    text = len(raw) if raw.isascii() else WIDEST_CHAR_BYTES * len(raw)
    return (
        text
        + DICT_BYTES * dicts
        + LIST_BYTES * lists
        + ENTRY_BYTES * entries
        + ITEM_BYTES * items
        + STRING_BYTES * strings
        + NUMBER_BYTES * numbers
    )
