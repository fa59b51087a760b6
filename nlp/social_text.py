"""Does a text read as a social post (a tweet, a comment) rather than edited prose?

The news NER model reads edited text: names capitalised, no handles, hashtags or emoji. Posts break
each of those habits, and a model tuned on posts (``nlp.train_ner_social``) reads them better; it is
used only where a text shows the habits of a post, so news keeps the news model's reading.

The signals are about the writing, never about the words of a data set: handles and hashtags, links,
emoji and emoticons, elongated words ("soooo"), runs of "!!"/"??", the lower-case pronoun "i", chat
abbreviations and contractions written without the apostrophe.
Weaker habits count only outside quotation marks ("!"; first person, "you" and "?"
two together in a short text). The rules were chosen on WNUT-17 *train* posts against news from
Reuters (documents 2,001-8,000: 3 of 6,000 read as posts) and NewsMTSC sentences (2.4%, most of
them tweets the article embeds).
A long text is prose whatever it contains (a press release may carry a link or a handle), and so is
a text that merely starts in lower case (wire copy cut mid-sentence, lower-cased wire items): the
news model reads those better.
"""

from __future__ import annotations

import re

MAX_POST_CHARS = 2000
_TAG = re.compile(r"(?<![\w@#])[#@][A-Za-z0-9_]{2,60}")
_LINK = re.compile(r"https?://|www\.\w", re.I)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")
# "sooooo", "!!": lower case ("CCCC" is an acronym), four or more (a typo triples a letter: "asssets")
_ELONGATED = re.compile(r"([a-z])\1{3,}|[!?]{2,}")
# (a lone "i" at the very end is a word cut short: "contributed all of i", a snippet's last letter)
_LOWER_I = re.compile(r"(?<![\w'’.-])i(?:'m|’m|'ve|'ll|'d)?(?![\w'’.-])(?!\s*$)")
# Spellings of chat, never of edited news copy: whole words in any case, or (where the capitalised
# form is a word or an abbreviation of news: "U.S.", "IM", "AF") in lower case only.
_CHAT = re.compile(r"\b(?:lol|lmao|lmfao|rofl|omg|omfg|wtf|smh|tbh|idk|imho|btw|pls|plz|"
                   r"gonna|wanna|gotta|kinda|sorta|yall|haha\w*|lmk|ikr)\b", re.I)
_CHAT_LOWER = re.compile(r"(?<![\w.])(?:u|ur|im|ya|imo|tonite|(?:do|does|did|ca|wo|is|was|are|were|have|has|had|"
                         r"could|would|should)nt|thats|youre|theyre|ive)(?![\w.])")
# Emoticons: ":)", ":-(", ";D", "=)", ":P", "xD", "<3", ":'(" (a colon before a letter needs a nose or a
# capital D/P, so "note:the" and "ratio 3:2" are not faces).
_EMOTICON = re.compile(r"(?<![\w:;=])[:;=]'?-?[()\[\]DPp/\\|3]+(?![\w])|(?<!\w)(?:xD|XD|<3)(?!\w)")


# Weaker habits, read only in the writer's own words (quoted words are someone else's: news quotes
# people who exclaim). "!" alone (chat's ".." is also a typo of wire copy: not read); first person,
# the reader addressed and questions only two together in a text no longer than a comment (a news
# sentence quotes or asks one, rarely both outside quotes).
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|^[^“"]*”|"[^"]*$|“[^”]*$')
_EXCLAIM = re.compile(r"!")
_FIRST_PERSON = re.compile(r"(?<![\w'’.-])I(?:'m|’m|'ve|’ve|'ll|'d)?(?![\w'’.-])")
_ME = re.compile(r"\b(?:me|my|myself)\b")
_YOU = re.compile(r"(?<![\w'’.-])(?:you|your|you're|yours)(?![\w'’-])", re.I)
_QUESTION = re.compile(r"\?")
PAIR_MAX_CHARS = 400


def looks_social(text: str) -> bool:
    """True when ``text`` shows at least one habit of a post (see the module docstring)."""
    if not text or len(text) > MAX_POST_CHARS:
        return False
    if any(rx.search(text) for rx in (_TAG, _LINK, _EMOJI, _ELONGATED, _LOWER_I, _CHAT, _CHAT_LOWER, _EMOTICON)):
        return True
    own = _QUOTED.sub(" ", text)
    if _EXCLAIM.search(own):
        return True
    pair = (_FIRST_PERSON, _ME, _YOU, _QUESTION)
    return len(text) <= PAIR_MAX_CHARS and sum(bool(rx.search(own)) for rx in pair) >= 2
