"""Gzip decompression with a cap on the output, checked while decompressing.

A sitemap of 1 MB may expand to 1 GiB: ``gzip.decompress`` would build all of it in memory
before anyone could look at its size. Here at most ``max_size + chunk`` bytes ever exist.
"""

from __future__ import annotations

import zlib

_CHUNK = 64 * 1024


class TooLarge(ValueError):
    """The decompressed body would exceed the cap (``limit`` bytes)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"decompresses to more than {limit} bytes (the page size cap)")
        self.limit = limit


def gunzip_capped(data: bytes, max_size: int) -> bytes:
    """Decompress gzip ``data`` (all members), refusing output beyond ``max_size`` bytes (0: no cap).

    Raises ``TooLarge`` past the cap and ``zlib.error`` / ``EOFError`` on a corrupt stream.
    """
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunk = inflater.decompress(rest, _CHUNK)
        while True:
            out += chunk
            if max_size and len(out) > max_size:
                raise TooLarge(max_size)
            if inflater.eof or not inflater.unconsumed_tail and not chunk:
                break
            chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
        if not inflater.eof:
            raise EOFError("gzip stream ends before its end marker")
        rest = inflater.unused_data.lstrip(b"\x00")  # padding between members is allowed
    return bytes(out)
