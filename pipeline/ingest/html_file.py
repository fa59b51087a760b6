"""Reading an ``extract`` request's ``html_path``: regular files only, at most a byte cap, optionally confined.

Paths are read as the caller gives them (absolute, or relative to the folder of IN.jsonl), with
this process's permissions: whoever writes IN.jsonl chooses which files are read and echoed back
as extracted text. ``confine_to`` (``extract --confine-paths``) refuses any path that resolves,
symbolic links followed, outside the input's folder, for input from someone less trusted.

The file is opened non-blocking (a FIFO would otherwise wait forever for a writer) and checked
with ``fstat`` on the open descriptor, not the name, so nothing can be swapped in between. The
cap is applied while reading: ``/dev/zero`` and files that grow report a size of 0 or less.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_HTML_BYTES = 20 * 1024 * 1024
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


class HtmlPathError(OSError):
    """``html_path`` cannot be read; the message names the path and why (an error line, not a crash)."""


def read_html_file(given: str, base: Path, confine_to: Path | None = None,
                   max_bytes: int = MAX_HTML_BYTES) -> bytes:
    """The bytes of ``given`` (relative to ``base``); raises ``HtmlPathError`` saying why not."""
    path = Path(given)
    if not path.is_absolute():
        path = base / path
    if confine_to is not None:
        real, root = Path(os.path.realpath(path)), Path(os.path.realpath(confine_to))
        if real != root and root not in real.parents:
            raise HtmlPathError(f"html_path {given!r} is outside the input file's folder {str(root)!r} "
                                "(--confine-paths)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise HtmlPathError(f"html_path {given!r}: file not found") from None
    except OSError as exc:
        raise HtmlPathError(f"html_path {given!r}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise HtmlPathError(f"html_path {given!r} is {kind}; only regular files are read")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise HtmlPathError(f"html_path {given!r} is over the {max_bytes} byte limit")
        return b"".join(chunks)
    except HtmlPathError:
        raise
    except OSError as exc:
        raise HtmlPathError(f"html_path {given!r}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
