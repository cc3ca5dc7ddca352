"""Event cues: *when* (weekday, day of the month) and *how many* (a number with the word it counts).

Two articles on one topic but about different events (a 2005 earthquake and a 2008 one on the same island;
one boxer's fights against two opponents) share vocabulary and most names; what tells them apart is that
they disagree on the day and on the figures ("5.6 magnitude" / "6.1 magnitude", "five hurt" / "ten
killed"). Each cue is a *kind* (``weekday``, ``date``, or the unit a number counts, cut to six letters so
"injured"/"injuries" meet) and a *value*; two articles agree on a kind when they share one of its values and
conflict when both give the kind but no common value.

Cues are packed into uint64 (kind hash in the high 32 bits, value hash in the low 32), sorted and unique.
Month and weekday names are listed for English, German, French, Spanish and Russian; number words for
English only (digits work in every language).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from samestory.corpus.stopwords import STOPWORDS
from samestory.fingerprint import HashSet, TokenArrays, token_hash, token_hashes
from samestory.text.months import MONTH_LISTS, WEEKDAY_LISTS

_MONTHS: dict[str, int] = {}
for _names in (" ".join(_n) for _lang, _n in MONTH_LISTS if _lang in ("en", "de", "fr", "es", "ru")):
    for _i, _m in enumerate(_names.split(), 1):
        _MONTHS.setdefault(_m, _i)
for _m, _i in list(_MONTHS.items()):
    if _m.isascii() and len(_m) > 4:
        _MONTHS.setdefault(_m[:3], _i)  # "Dec 15", "Sept." is cut to "sep"
_MONTHS.pop("mar", None)  # also a verb ("mar the day"); "March" stays
_MONTHS.pop("jun", None)

_WEEKDAYS: dict[str, int] = {}
for _names in (" ".join(_n) for _lang, _n in WEEKDAY_LISTS):
    for _i, _d in enumerate(_names.split()):
        _WEEKDAYS.setdefault(_d, _i)

_COUNTS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
_NUMBER_WORDS = {w: i for i, w in enumerate(_COUNTS.split())}
_NUMBER_WORDS.update({w: i for i, w in enumerate(_ORDINALS.split(), 1)})
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "dozens": 24})
# "one", "first" and "second" are mostly not counts ("one of the", "first time", "a second look")
for _w in ("zero", "one", "first", "second"):
    _NUMBER_WORDS.pop(_w)

_TRIGGERS = frozenset(_WEEKDAYS) | frozenset(_MONTHS) | frozenset(_NUMBER_WORDS)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching exactly ``words``, as a trie (an alternation of ~150 words is tried word by word at
    every position; the trie tries one character)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict[str, Any]) -> str:
        end = "" in node
        alts = [re.escape(ch) + walk(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return walk(trie)


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
# what starts a cue: a number token, or a whole word that names a weekday, a month or a count. Each match
# is exactly one `_TOKEN` token: a number token starts at a digit that no earlier number token ("1.5",
# "15,000") takes in; a word is a whole run of letters
_FIRST = "".join(sorted({w[0] for w in _TRIGGERS}))
_NUMBER_SOURCE = r"\d(?<!\d\d)(?<!\d[.,]\d)\d*(?:[.,]\d+)*"
_WORD_SOURCE = rf"(?<![^\W\d_])(?:{_trie_pattern(_TRIGGERS)})(?![^\W\d_])"
# each branch starts with one character class, so the scan skips quickly to the possible starts; the
# look-behinds then check that the match starts a token (placed after that first character)
_TRIGGER = re.compile(rf"{_NUMBER_SOURCE}|(?=[{_FIRST}]){_WORD_SOURCE}")
UNIT_CHARS = 6  # a unit is the first six letters of the counted word: "injured" / "injuries" -> "injure"
MAX_GAP = 2  # a number counts the first content word at most this many words after it ("10 more people")


def _value(token: str) -> str | None:
    """The number a token states, normalised ("15,000" -> "15000", "6th" -> "6", "ten" -> "10")."""
    if token[0].isdecimal():
        digits = token.replace(",", "")
        if digits.count(".") > 1:
            digits = digits.replace(".", "")  # "15.000" written with dots as thousands separators
        return digits.rstrip("0").rstrip(".") if "." in digits else digits.lstrip("0") or "0"
    n = _NUMBER_WORDS.get(token)
    return None if n is None else str(n)


def _is_year(value: str) -> bool:
    return len(value) == 4 and value.isdecimal() and 1800 <= int(value) <= 2099


def _day(token: str | None) -> int | None:
    """The day of the month a token states (a plain number 1-31), else ``None``."""
    if token is None or not token.isdecimal():
        return None
    day = int(token)
    return day if 1 <= day <= 31 else None


def _token_before(text: str, start: int) -> str | None:
    """The number token ending before ``start`` when the token before it is a plain number ("24 May"), else
    ``None``. (Only a plain number is asked for, so only a digit run needs reading backwards.)"""
    q = start - 1
    while q >= 0 and not text[q].isalnum():
        q -= 1
    if q < 0 or not text[q].isdecimal():
        return None
    r = q
    while r > 0 and text[r - 1].isdecimal():
        r -= 1
    if r >= 2 and text[r - 1] in ".," and text[r - 2].isdecimal():
        return None  # the end of "1.5" or "15,000": not a plain number
    return text[r : q + 1]


def cue_strings(text: str) -> set[tuple[str, str]]:
    """The (kind, value) cues of ``text``: weekdays, month-days, and numbers with their units.

    Tokens are `_TOKEN` runs of the lower-cased text; only the few that start a cue (`_TRIGGER`) and the
    tokens next to them are read."""
    low = text.lower()
    return _cues_at(low, (m.span() for m in _TRIGGER.finditer(low)))


# the batch path (`cue_strings_many`) finds the two kinds of cue start apart: numbers with this pattern
# (its leading digit class lets the scan skip to digits), trigger words among the tokens by hash
_NUMBER_START = re.compile(_NUMBER_SOURCE)
_WORD_START = re.compile(_WORD_SOURCE)
_TRIGGER_HASHES = HashSet(token_hashes(sorted(_TRIGGERS)))
_DIGIT_OR_UNDERSCORE = np.zeros(256, dtype=np.bool_)
_DIGIT_OR_UNDERSCORE[list(b"0123456789_")] = True


def cue_strings_many(
    lowered: Sequence[str],
    buf: bytes,
    toks: TokenArrays,
    tok_doc: npt.NDArray[np.int64],
    spans: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> list[set[tuple[str, str]]]:
    """`cue_strings` of each text, given the texts lower-cased (``lowered``), their word bytes
    (`samestory.fingerprint.word_bytes`, joined by single spaces into ``buf``), the tokens of ``buf``, each
    token's text (``tok_doc``) and its character span in that text (`samestory.fingerprint.char_spans`).

    A trigger word is a whole run of letters, so it is either a whole token of ``buf`` (found by hash, for
    all texts at once) or a run inside a token that mixes letters with digits or ``_`` ("3may"; such tokens
    are read with the trigger pattern). Numbers are found with a pattern that skips to digits. What is left
    per cue is the same reading of the neighbouring tokens as in `cue_strings`."""
    a = np.frombuffer(buf, dtype=np.uint8)
    c_start, c_end = spans
    word = _TRIGGER_HASHES.contains(toks.hashes)
    flagged = np.zeros(a.size + 1, dtype=np.int32)
    np.cumsum(_DIGIT_OR_UNDERSCORE[a], out=flagged[1:])
    mixed = ~toks.digits & (flagged[toks.starts + toks.lengths] > flagged[toks.starts])
    found: list[list[tuple[int, int]]] = [[] for _ in lowered]
    for d, s, e in zip(tok_doc[word].tolist(), c_start[word].tolist(), c_end[word].tolist(), strict=True):
        found[d].append((s, e))
    for d, s, e in zip(tok_doc[mixed].tolist(), c_start[mixed].tolist(), c_end[mixed].tolist(), strict=True):
        found[d].extend(m.span() for m in _WORD_START.finditer(lowered[d], s, e))
    return [
        _cues_at(low, [*at, *(m.span() for m in _NUMBER_START.finditer(low))])
        for low, at in zip(lowered, found, strict=True)
    ]


def _cues_at(low: str, starts: Iterable[tuple[int, int]]) -> set[tuple[str, str]]:
    """The cues that start at the spans ``starts`` of the lower-cased text ``low`` (each one token: a number,
    or a weekday, month or count word)."""
    cues: set[tuple[str, str]] = set()
    for start, stop in starts:
        tok = low[start:stop]
        if tok in _WEEKDAYS:
            cues.add(("weekday", str(_WEEKDAYS[tok])))
            continue
        month = _MONTHS.get(tok)
        if month is not None:
            nxt = _TOKEN.search(low, stop)
            day = _day(nxt.group() if nxt else None)  # "May 24", else "24 May"
            if day is None:
                day = _day(_token_before(low, start))
            if day is not None:
                cues.add(("date", f"{month}-{day}"))
            continue
        value = _value(tok)
        if value is None or _is_year(value):
            continue
        pos = stop
        for _ in range(1 + MAX_GAP):
            following = _TOKEN.search(low, pos)
            if following is None:
                break
            unit, pos = following.group(), following.end()
            if unit[0].isdecimal() or unit in _MONTHS or _value(unit) is not None:
                break  # "24 May" is a date, "3 - 2" a score: no unit
            if unit in STOPWORDS or len(unit) < 3:
                continue
            cues.add((unit[:UNIT_CHARS], value))
            break
    return cues


def pack(cues: Iterable[tuple[str, str]]) -> npt.NDArray[np.uint64]:
    """Cues as sorted unique uint64: kind hash (high 32 bits) | value hash (low 32 bits)."""
    return pack_many([cues])[0]


def pack_many(cue_sets: Sequence[Iterable[tuple[str, str]]]) -> list[npt.NDArray[np.uint64]]:
    """`pack` of each cue set, with one hashing call for all of them (hashing one token at a time costs a
    numpy round trip per token)."""
    listed = [list(c) for c in cue_sets]
    flat = [x for c in listed for x in c]
    hashes = token_hashes(["cue:" + kind for kind, _ in flat] + [value for _, value in flat]) >> np.uint64(32)
    packed = (hashes[: len(flat)] << np.uint64(32)) | hashes[len(flat) :]
    out: list[npt.NDArray[np.uint64]] = []
    start = 0
    for c in listed:
        out.append(np.unique(packed[start : start + len(c)]).astype(np.uint64))
        start += len(c)
    return out


def event_cues(text: str) -> npt.NDArray[np.uint64]:
    """`pack` of `cue_strings`."""
    return pack(cue_strings(text))


_DATE_KINDS = frozenset((token_hash("cue:weekday") >> 32, token_hash("cue:date") >> 32))


def compare_cues(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> dict[str, float]:
    """Agreement of two cue sets: ``date_match`` / ``date_conflict`` (1.0 when both give a weekday or a
    month-day and share one / share none) and ``quantity_agree`` / ``quantity_conflict`` (log1p of the units
    both count with a common value / with none)."""
    out = {"date_match": 0.0, "date_conflict": 0.0, "quantity_agree": 0.0, "quantity_conflict": 0.0}
    if a.size == 0 or b.size == 0:
        return out
    # a handful of cues per text: Python sets beat numpy's set routines at this size (called for every pair)
    la, lb = a.tolist(), b.tolist()
    both = {x >> 32 for x in la} & {x >> 32 for x in lb}
    if not both:
        return out
    agreeing = {x >> 32 for x in set(la).intersection(lb)}
    dates = both & _DATE_KINDS
    if dates:
        matched = bool(dates & agreeing)
        out["date_match"] = 1.0 if matched else 0.0
        out["date_conflict"] = 0.0 if matched else 1.0
    quantities = both - _DATE_KINDS
    n_agree = len(quantities & agreeing)
    out["quantity_agree"] = float(np.log1p(n_agree))
    out["quantity_conflict"] = float(np.log1p(len(quantities) - n_agree))
    return out
