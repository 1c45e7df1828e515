"""Test images built without decoding them first: a huge PNG of one colour costs a few hundred KB, not its pixels."""

from __future__ import annotations

import struct
import zlib
from functools import cache


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def flat_png(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """An RGB PNG of ``width`` x ``height`` pixels of one colour, written row by row (never whole in memory)."""
    row = b"\0" + bytes(colour) * width
    packer = zlib.compressobj(9)
    idat = bytearray()
    for _ in range(height):
        idat += packer.compress(row)
    idat += packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", bytes(idat)) + _chunk(b"IEND", b"")
