"""Countries from words: "Brazil's", "the Korean chipmaker", "Germany's economy minister", "Shenzhen".

Events need the country of each actor (the correlator pairs a launch by a company of country A
with a visit *to* A by an official of country B). The watchlist gives it where it can; otherwise
the words around a mention do. A small table (names, demonyms, a few capitals and business
cities) covers the countries news talks about most; anything else stays ``None`` (unknown).
"""

from __future__ import annotations

import re
import unicodedata

# ISO 3166-1 alpha-2 -> (names, demonyms, cities). Lower-case; possessives are handled by the regex.
_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "US": (("united states", "u.s.", "us", "usa", "america", "washington"), ("american", "u.s."),
           ("new york", "san francisco", "chicago", "houston", "seattle", "detroit")),
    "CN": (("china", "people's republic of china", "prc", "beijing"), ("chinese",),
           ("shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu", "wuhan", "tianjin", "nanjing", "dongguan")),
    "BR": (("brazil", "brasilia", "brasília"), ("brazilian",), ("sao paulo", "são paulo", "rio de janeiro", "manaus")),
    "DE": (("germany", "berlin"), ("german",), ("munich", "frankfurt", "hamburg", "stuttgart", "cologne")),
    "FR": (("france", "paris"), ("french",), ("lyon", "marseille", "toulouse")),
    "GB": (("britain", "united kingdom", "u.k.", "uk", "london", "great britain"), ("british",),
           ("manchester", "birmingham", "edinburgh")),
    "JP": (("japan", "tokyo"), ("japanese",), ("osaka", "yokohama", "nagoya", "kyoto")),
    "KR": (("south korea", "korea", "republic of korea", "seoul"), ("south korean", "korean"), ("busan", "incheon")),
    "KP": (("north korea", "pyongyang"), ("north korean",), ()),
    "IN": (("india", "new delhi"), ("indian",), ("mumbai", "bangalore", "bengaluru", "chennai")),
    "RU": (("russia", "moscow"), ("russian",), ("st petersburg", "saint petersburg")),
    "IT": (("italy", "rome"), ("italian",), ("milan", "turin")),
    "ES": (("spain", "madrid"), ("spanish",), ("barcelona",)),
    "CA": (("canada", "ottawa"), ("canadian",), ("toronto", "montreal", "vancouver")),
    "MX": (("mexico", "mexico city"), ("mexican",), ("monterrey",)),
    "AR": (("argentina", "buenos aires"), ("argentine", "argentinian"), ()),
    "CL": (("chile", "santiago"), ("chilean",), ()),
    "AU": (("australia", "canberra"), ("australian",), ("sydney", "melbourne")),
    "NZ": (("new zealand", "wellington"), ("new zealander",), ("auckland",)),
    "ZA": (("south africa", "pretoria"), ("south african",), ("johannesburg", "cape town")),
    "NG": (("nigeria", "abuja"), ("nigerian",), ("lagos",)),
    "EG": (("egypt", "cairo"), ("egyptian",), ()),
    "KE": (("kenya", "nairobi"), ("kenyan",), ()),
    "SA": (("saudi arabia", "riyadh"), ("saudi",), ("jeddah",)),
    "AE": (("united arab emirates", "uae", "abu dhabi"), ("emirati",), ("dubai",)),
    "IR": (("iran", "tehran"), ("iranian",), ()),
    "IQ": (("iraq", "baghdad"), ("iraqi",), ()),
    "IL": (("israel", "jerusalem"), ("israeli",), ("tel aviv",)),
    "TR": (("turkey", "türkiye", "ankara"), ("turkish",), ("istanbul",)),
    "NL": (("netherlands", "holland", "the hague", "amsterdam"), ("dutch",), ("rotterdam", "eindhoven")),
    "BE": (("belgium", "brussels"), ("belgian",), ("antwerp",)),
    "CH": (("switzerland", "bern"), ("swiss",), ("zurich", "geneva")),
    "SE": (("sweden", "stockholm"), ("swedish",), ("gothenburg",)),
    "NO": (("norway", "oslo"), ("norwegian",), ()),
    "FI": (("finland", "helsinki"), ("finnish",), ()),
    "DK": (("denmark", "copenhagen"), ("danish",), ()),
    "PL": (("poland", "warsaw"), ("polish",), ()),
    "UA": (("ukraine", "kyiv", "kiev"), ("ukrainian",), ()),
    "AT": (("austria", "vienna"), ("austrian",), ()),
    "PT": (("portugal", "lisbon"), ("portuguese",), ()),
    "GR": (("greece", "athens"), ("greek",), ()),
    "IE": (("ireland", "dublin"), ("irish",), ()),
    "TW": (("taiwan", "taipei"), ("taiwanese",), ("hsinchu",)),
    "HK": (("hong kong",), (), ()),
    "SG": (("singapore",), ("singaporean",), ()),
    "MY": (("malaysia", "kuala lumpur"), ("malaysian",), ()),
    "ID": (("indonesia", "jakarta"), ("indonesian",), ()),
    "TH": (("thailand", "bangkok"), ("thai",), ()),
    "VN": (("vietnam", "viet nam", "hanoi"), ("vietnamese",), ("ho chi minh city",)),
    "PH": (("philippines", "manila"), ("philippine", "filipino"), ()),
    "PK": (("pakistan", "islamabad"), ("pakistani",), ("karachi",)),
    "BD": (("bangladesh", "dhaka"), ("bangladeshi",), ()),
    "CO": (("colombia", "bogota", "bogotá"), ("colombian",), ()),
    "PE": (("peru", "lima"), ("peruvian",), ()),
    "VE": (("venezuela", "caracas"), ("venezuelan",), ()),
    "CU": (("cuba", "havana"), ("cuban",), ()),
    "KZ": (("kazakhstan", "astana"), ("kazakh",), ()),
    "MA": (("morocco", "rabat"), ("moroccan",), ()),
    "DZ": (("algeria", "algiers"), ("algerian",), ()),
    "KW": (("kuwait",), ("kuwaiti",), ()),
    "QA": (("qatar", "doha"), ("qatari",), ()),
    "EU": (("european union", "eu", "e.u."), ("european",), ()),
}

NAME_TO_CODE: dict[str, str] = {}
DEMONYM_TO_CODE: dict[str, str] = {}
CITY_TO_CODE: dict[str, str] = {}
for _code, (_names, _dems, _cities) in _TABLE.items():
    for _n in _names:
        NAME_TO_CODE.setdefault(_n, _code)
    for _d in _dems:
        DEMONYM_TO_CODE.setdefault(_d, _code)
    for _c in _cities:
        CITY_TO_CODE.setdefault(_c, _code)

_CAPITALS = {n for c, (names, _, _) in _TABLE.items() for n in names[1:] if " " not in n or n in ("new delhi",)}


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# "Brazil's", "China’s": a possessive country name marks whose the next noun phrase is.
_POSSESSIVE_RE = re.compile(rf"\b({_alt(list(NAME_TO_CODE))})(?:'s|’s|')(?=\s)", re.I)
# "the Korean chipmaker", "Brazilian", "German"
_DEMONYM_RE = re.compile(rf"\b({_alt(list(DEMONYM_TO_CODE))})\b", re.I)
_NAME_RE = re.compile(rf"\b({_alt(list(NAME_TO_CODE) + list(CITY_TO_CODE))})\b", re.I)


def code_for(name: str | None) -> str | None:
    """ISO code of a country, capital, demonym or business city named exactly (any case); else None."""
    if not name:
        return None
    raw = re.sub(r"^(?:the|The)\s+", "", name.strip())
    if raw.lower() in ("us", "uk", "eu") and not raw.isupper():
        return None  # the pronoun "us", not the country
    key = re.sub(r"(?:'s|’s)$", "", raw.lower())
    return (NAME_TO_CODE.get(key) or DEMONYM_TO_CODE.get(key) or CITY_TO_CODE.get(key)
            or NAME_TO_CODE.get(key.rstrip(".")))


def is_country(name: str) -> bool:
    """Whether ``name`` is a country's name (not a city, a state or a demonym): "India", "the Philippines"."""
    key = re.sub(r"^(?:the|The)\s+", "", name.strip()).lower()
    return key in NAME_TO_CODE


def is_city(name: str) -> bool:
    key = name.strip().lower()
    return key in CITY_TO_CODE or key in _CAPITALS


def country_before(text: str, start: int, window: int = 48) -> str | None:
    """Country marked just before ``start``: "Brazil's Trade Minister |Helena Duarte", "the Korean |Hanwa".

    Only the closest marker within the same clause counts, so "China's ... said Brazil's X" gives BR for X.
    """
    lo = max(0, start - window)
    seg = text[lo:start]
    cut = max(seg.rfind(","), seg.rfind(";"), seg.rfind(". "), seg.rfind(" and "), seg.rfind(" said "))
    if cut >= 0:
        seg = seg[cut + 1:]
    found: list[tuple[int, str]] = []
    for m in _POSSESSIVE_RE.finditer(seg):
        code = code_for(m.group(1))
        if code:
            found.append((m.start(), code))
    for m in _DEMONYM_RE.finditer(seg):
        if m.group(1)[0].isupper():
            code = DEMONYM_TO_CODE.get(m.group(1).lower())
            if code:
                found.append((m.start(), code))
    return max(found)[1] if found else None




# Sub-national places ("met ... in California", "a plant in Guangdong", "in Uttar Pradesh") from ISO 3166-2
# as pycountry ships it (the iso-codes data, kept by Debian), not a hand list. Only the first-level units of
# countries whose states or provinces news names without their country; a unit's name that is also a
# country's ("Georgia") or a unit of two of these countries ("Punjab" is not among them, but could be) is
# left out: a place is given a country only when the name says which.
_SUBDIVISION_COUNTRIES = ("US", "CN", "IN", "CA", "AU", "BR", "MX")
_SUBDIVISION_TYPES = {"state", "province", "municipality", "autonomous region", "district", "territory",
                      "union territory", "federal district"}
# ISO 3166-2 gives Chinese units with their kind in pinyin: "Guangdong Sheng", "Beijing Shi", "Xizang Zizhiqu"
_PINYIN_KIND_RE = re.compile(r"\s+(?:Sheng|Shi|Zizhiqu|Zhuangzu|Huizu|Weiwu'?er|Uygur)\b.*$")


def _plain(name: str) -> str:
    """Lower case without accents: ISO writes "Gujarāt", news writes "Gujarat"."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).lower()


def _subdivisions() -> dict[str, str]:
    try:
        import pycountry  # deferred on purpose: ~1 MB of tables, read once on first use
    except ImportError:  # optional data: without it a state or province simply gives no country
        return {}
    countries = {_plain(c.name) for c in pycountry.countries} | set(NAME_TO_CODE)
    seen: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.country_code not in _SUBDIVISION_COUNTRIES or sub.parent_code is not None:
            continue
        if sub.type.lower() not in _SUBDIVISION_TYPES:
            continue
        name = _plain(_PINYIN_KIND_RE.sub("", sub.name)).strip()
        if name and name not in countries and "(" not in name:
            seen.setdefault(name, set()).add(sub.country_code)
    return {n: next(iter(cs)) for n, cs in seen.items() if len(cs) == 1}


_SUBDIVISION_TO_CODE: dict[str, str] | None = None


def place_code(name: str | None) -> str | None:
    """Country of a place: a country, capital or city (``code_for``), else a state or province ("California")."""
    code = code_for(name)
    if code or not name:
        return code
    global _SUBDIVISION_TO_CODE
    if _SUBDIVISION_TO_CODE is None:
        _SUBDIVISION_TO_CODE = _subdivisions()
    key = _plain(re.sub(r"^(?:the|The)\s+", "", name.strip()))
    key = re.sub(r"(?:'s|’s)$", "", key).removesuffix(" state").removesuffix(" province")
    return _SUBDIVISION_TO_CODE.get(key)
