"""One page in, one ``extract`` answer out: page type, title, body text, byline, date, language, product.

``extract_page`` follows the ``extract`` contract of CONTRACTS.md (minus ``id``). It never raises:
a bad page (empty, binary, not HTML, JavaScript-only, undecodable) gives the best it can plus
``warnings``, each starting with a short class (``input:``, ``encoding:``, ``text:``, ``date:``,
``product:``, ``lang:``) so that callers can count them.

One job per module: ``decode`` (bytes to text), ``structured`` (JSON-LD / microdata / RDFa),
``metadata`` (title, byline, date, language, canonical URL), ``article`` (main text), ``product``
(offer), ``patterns`` (prices, currencies, availability), ``pagetype`` (listing signals), ``forum`` and
``listing`` (posts, items), ``engines`` (every main-text library behind one fail-soft call), ``vote``
(agreement between engines), ``feed``;
``core`` runs them in order. Order of evidence: structured data first, then the extractors' main
text and metadata, then plain-HTML heuristics.
"""

from crawlers.extract.article import drop_boilerplate_lines
from crawlers.extract.core import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    PAGE_TYPES,
    empty_answer,
    extract_bytes,
    extract_page,
    extract_version,
)
from crawlers.extract.decode import decode_html, detect_encoding, looks_binary
from crawlers.extract.metadata import normalize_date
from crawlers.extract.patterns import AVAILABILITY, CURRENCY_SYMBOLS, parse_price
from crawlers.extract.text import html_to_text, iter_text_blocks

__all__ = [
    "AVAILABILITY", "CURRENCY_SYMBOLS", "EXTRACTOR_NAME", "EXTRACTOR_VERSION", "PAGE_TYPES", "decode_html",
    "detect_encoding", "drop_boilerplate_lines", "empty_answer", "extract_bytes", "extract_page", "extract_version",
    "html_to_text", "iter_text_blocks", "looks_binary", "normalize_date", "parse_price",
]
