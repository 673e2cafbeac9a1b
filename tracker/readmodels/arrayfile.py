"""A file of flat arrays: a magic line, a JSON header, then the arrays' raw bytes.

The outline and the state index are saved this way in the user cache directory, so that opening
an unchanged large log again reads them back instead of building them. Arrays are written and
read as they are (``tofile``/``fromfile``): no copy of the whole file is held in memory.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any, BinaryIO

import orjson


def write_arrays(out: BinaryIO, magic: bytes, header: dict[str, Any],
                 arrays: Sequence[array]) -> None:
    """Write ``header`` (with the arrays' type codes and lengths added) and the arrays."""
    head = orjson.dumps({**header, "arrays": [[a.typecode, len(a)] for a in arrays]})
    out.write(b"".join([magic, str(len(head)).encode(), b"\n", head]))
    for a in arrays:
        a.tofile(out)


def read_arrays(inp: BinaryIO, magic: bytes, expected: dict[str, Any]
                ) -> tuple[dict[str, Any], list[array]] | None:
    """The header and arrays written by :func:`write_arrays`, or None if the file is not one,
    is damaged, or its header differs from ``expected`` in any key given there (the log state it
    was built from, the format version)."""
    try:
        if inp.read(len(magic)) != magic:
            return None
        length = int(inp.readline(32))
        header = orjson.loads(inp.read(length))
        if any(header.get(k) != v for k, v in expected.items()):
            return None
        arrays: list[array] = []
        for typecode, count in header["arrays"]:
            a = array(typecode)
            a.fromfile(inp, count)  # EOFError when the file is short
            arrays.append(a)
        if inp.read(1):
            return None
        return header, arrays
    except (ValueError, KeyError, TypeError, EOFError, orjson.JSONDecodeError):
        return None
