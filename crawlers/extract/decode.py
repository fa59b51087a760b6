"""Bytes to text: the page's encoding (BOM, HTTP header, ``<meta charset>``, detection) and what kind of input it is."""

from __future__ import annotations

import json
import re

_WESTERN_PUNCT = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u20ac\u00a0\u00b7\u00ab\u00bb\u00a3\u00b0"


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Decode HTML bytes: BOM, then HTTP header, then ``<meta charset>``, then detection."""
    from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom

    warnings: list[str] = []
    if read_bom(data)[0] is not None:
        return html_to_unicode(content_type, data)[1], warnings
    declared = html_body_declared_encoding(data)
    if declared is None and content_type and "charset" in content_type.lower():
        declared = content_type.lower().split("charset", 1)[1].strip(" =\"';")
    if declared:
        enc, text = html_to_unicode(content_type, data, default_encoding="utf-8")
        if "\ufffd" not in text or _strict_decodes(data, enc):
            return text, warnings
        detected = detect_encoding(data)
        if detected and detected.replace("-", "").lower() != enc.replace("-", "").lower():
            warnings.append(
                f"encoding: page declares {declared} but its bytes are not; decoded as {detected}"
            )
            return data.decode(detected, errors="replace"), warnings
        warnings.append(f"encoding: bytes do not match the declared {declared}; undecodable bytes replaced")
        return text, warnings
    detected = detect_encoding(data) or "utf-8"
    if detected != "utf-8":
        warnings.append(f"encoding: no charset declared; detected {detected}")
    return data.decode(detected, errors="replace"), warnings


def _strict_decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(data: bytes) -> str | None:
    """Best guess at the encoding of undeclared bytes: UTF-8 if valid, else the likeliest legacy codec."""
    if _strict_decodes(data, "utf-8"):
        return "utf-8"
    # Candidates that cover most undeclared legacy pages; score each by how plausible its text is.
    best: tuple[float, str] | None = None
    for enc in ("gb18030", "big5", "shift_jis", "euc-kr", "cp1252", "cp1251", "iso-8859-2"):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, enc)
    if best is not None:
        return best[1]
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
        return match.encoding if match is not None else None
    except Exception:
        return None


def _plausibility(text: str) -> float:
    """Higher for text whose non-ASCII characters look like one real script."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    common_cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
                     or "\uff00" <= c <= "\uffef")
    kana = sum(1 for c in non_ascii if "\u3040" <= c <= "\u30ff")
    hangul = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7af")
    latin = sum(1 for c in non_ascii if "\u00c0" <= c <= "\u017f" or c in _WESTERN_PUNCT)
    cyr = sum(1 for c in non_ascii if "\u0400" <= c <= "\u04ff")
    # CJK codecs decode as double-byte pairs: each character stands for two bytes, so a text that
    # is really Latin-1 rarely decodes into frequent hanzi; Latin letters next to ASCII letters are
    # the signal for single-byte codecs.
    cjk_score = (common_cjk + kana + hangul) / len(non_ascii)
    latin_score = (latin + cyr) / len(non_ascii)
    # A Latin letter glued to ASCII letters ("caf\xe9", "na\xefve") is the usual case in Western text.
    glued = len(re.findall(r"[A-Za-z][\u00c0-\u017f]|[\u00c0-\u017f][A-Za-z]", text))
    latin_score += min(glued / max(len(non_ascii), 1), 1.0) * 0.5
    # Rare CJK (extension blocks) and private-use code points are a sign of a wrong CJK guess.
    odd = sum(1 for c in non_ascii if "\ue000" <= c <= "\uf8ff" or "\u3400" <= c <= "\u4dbf"
              or "\u0080" <= c <= "\u009f")
    return max(cjk_score, latin_score) - odd / len(non_ascii)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text at all (images, archives, random data), whatever the header said."""
    head = data[:4096]
    if not head:
        return False
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 BOM: text with NULs
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.05


def _kind_of_text(text: str) -> str:
    """``feed``, ``json``, ``html`` or ``text`` for decoded input."""
    head = text.lstrip("\ufeff \t\r\n")[:2048].lower()
    if re.match(r"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:rdf)\b", head, re.DOTALL):
        return "feed"
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
            return "json"
        except ValueError:
            pass
    if re.search(r"<(html|head|body|p|div|article|title|meta|span|h1|main|section|!doctype)\b", head):
        return "html"
    if "<" in head and ">" in head:
        return "html"
    return "text"
