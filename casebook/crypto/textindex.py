"""Keyed tokens for full-text search over encrypted text (issue #13 item 3).

A text is normalised, cut into *units* and indexed by keyed tokens; the database never sees the
text, only tokens that are HMACs under a system search key (separate from the blind-index key).

Normalisation (:func:`normalise`): NFKC (full-width letters and digits become ASCII), case
folding, and traditional → simplified folding character by character, from OpenCC's character
table (not its phrase rules: they depend on context, and a query must fold exactly like the text
it should find).

Units (:func:`units`): every CJK character (and kana, hangul) is one unit; a run of other
letters and digits is one unit (a word: ``ktv``, ``13812345678``). Whitespace and punctuation
separate words but are otherwise dropped, so units are adjacent across them: ``张三\\n在家`` and
``张三，在家`` both hold the units 张 三 在 家 and are found by the query ``张三在家``.

Tokens: unit *i* (1-based position) yields a unigram token ``U(unit_i)`` and, when it has a
successor, a bigram token ``B(unit_i, unit_i+1)``, both at position *i*. A query of one unit
matches its unigram anywhere; a query of *n* ≥ 2 units is the phrase of its *n − 1* bigrams at
consecutive positions — so a two-character name is one bigram, which a trigram index could not
find. Each token is ``HMAC(search key, kind || unit(s))`` truncated to :data:`TOKEN_BYTES` and
written in lower-case base32 (13 letters and digits): any full-text engine takes it as one word.

What the index reveals: for every record, how many units its text has (up to the cap), which
tokens it holds, how often and at which positions; across records, which share a token and how
frequent each token is — so someone holding the database and knowing the language's character
frequencies can guess the commonest characters and bigrams (frequency analysis), and can tell
that two records contain the same word. What it does not reveal: the text, or any unit, without
the search key (which lives wrapped in the key table, like every data key, and is unwrapped only
by the application); tokens of another deployment (another key) do not match. See
docs/architecture.md, "Search over encrypted text".
"""

import base64
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.db import models

from .services import system_mac_function

SEARCH_KEY_PURPOSE = "text-search"
TOKEN_BYTES = 8
#: Units indexed per text: PostgreSQL keeps tsvector positions up to 16383.
MAX_UNITS = 16383
#: A query longer than this many units is cut (its first units still must match as a phrase).
MAX_QUERY_UNITS = 64


@cache
def _folding() -> dict[int, str]:
    """Traditional → simplified, one character to one character: OpenCC's character table
    (``TSCharacters.txt`` of opencc-python-reimplemented, Apache-2.0), first choice of each."""
    table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    folding = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        traditional, _tab, simplified = line.partition("\t")
        simplified = simplified.split(" ")[0]
        if len(traditional) == 1 and len(simplified) == 1:
            folding[ord(traditional)] = simplified
    return folding


def normalise(text: str) -> str:
    """NFKC, case-folded, traditional characters folded to simplified."""
    return unicodedata.normalize("NFKC", text or "").casefold().translate(_folding())


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF  # CJK unified ideographs and extension A
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B and beyond
        or 0x3040 <= code <= 0x30FF  # kana
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
        or code == 0x3007  # 〇
    )


def units(text: str) -> list[str]:
    """The units of ``text`` after :func:`normalise`: CJK characters and words, in order."""
    out: list[str] = []
    word: list[str] = []
    for char in normalise(text):
        if _is_cjk(char):
            if word:
                out.append("".join(word))
                word = []
            out.append(char)
        elif char.isalnum():
            word.append(char)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


@dataclass(frozen=True)
class TextTokens:
    """The keyed tokens of one text: ``unigrams[i]`` and ``bigrams[i]`` sit at position i+1."""

    unigrams: list[str]
    bigrams: list[str]

    def as_tsvector(self) -> str:
        """A PostgreSQL ``tsvector`` literal: each token with its positions (``tok:1,7``)."""
        positions: dict[str, list[int]] = {}
        for tokens in (self.unigrams, self.bigrams):
            for position, token in enumerate(tokens, start=1):
                positions.setdefault(token, []).append(position)
        return " ".join(f"{t}:{','.join(map(str, p[:256]))}" for t, p in positions.items())

    def as_stream(self) -> str:
        """One token stream for an FTS5 column: the bigrams in order, then the unigrams (a
        phrase of bigrams stays consecutive; a unigram query matches anywhere)."""
        return " ".join(self.bigrams + self.unigrams)


def _encode(mac: bytes) -> str:
    return base64.b32encode(mac[:TOKEN_BYTES]).decode("ascii").rstrip("=").lower()


def _token_function(mac: Callable[[bytes], bytes] | None) -> Callable[[str, str], str]:
    mac = mac or system_mac_function(SEARCH_KEY_PURPOSE)

    @cache
    def token(kind: str, value: str) -> str:
        return _encode(mac(kind.encode() + b"\x00" + value.encode("utf-8")))

    return token


def text_tokens(text: str, *, mac: Callable[[bytes], bytes] | None = None) -> TextTokens:
    """The tokens of ``text`` under the search key (or ``mac``, for tests and benchmarks)."""
    token = _token_function(mac)
    us = units(text)[:MAX_UNITS]
    unigrams = [token("u", u) for u in us]
    bigrams = [token("b", a + "\x00" + b) for a, b in zip(us, us[1:], strict=False)]
    return TextTokens(unigrams, bigrams)


def query_tokens(query: str, *, mac: Callable[[bytes], bytes] | None = None) -> list[str]:
    """The tokens a text must hold at consecutive positions to match ``query``: its unigram for
    one unit, its bigrams for more; [] when the query has no letter, digit or character."""
    us = units(query)[:MAX_QUERY_UNITS]
    if not us:
        return []
    token = _token_function(mac)
    if len(us) == 1:
        return [token("u", us[0])]
    return [token("b", a + "\x00" + b) for a, b in zip(us, us[1:], strict=False)]


def as_tsquery(tokens: Iterable[str]) -> str:
    """The phrase ``t1 <-> t2 <-> …`` as PostgreSQL ``tsquery`` text."""
    return " <-> ".join(tokens)


def as_fts5_phrase(tokens: Iterable[str]) -> str:
    """The phrase ``"t1 t2 …"`` as an FTS5 MATCH expression."""
    return '"' + " ".join(tokens) + '"'


class TokenVectorField(models.TextField):
    """A column of keyed tokens (never text): ``tsvector`` on PostgreSQL (GIN-indexed by the
    migration that adds it), plain text on SQLite (an FTS5 external-content table indexes it).
    Assign a :class:`TextTokens`; it is written in the database's own format. Reading gives
    the stored form, opaque to everything but the search."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, TextTokens):
            return value.as_tsvector() if connection.vendor == "postgresql" else value.as_stream()
        return super().get_db_prep_value(value, connection, prepared)
