"""Mentions in a text: quotes, names, numbers and dates, with character offsets.

Everything here is rule-based and language-light (English first, Russian/Cyrillic names and months understood),
so that `samestory.diff` can say which quote, name, number or date changed between two versions of a story.

>>> [q.text for q in quotes('He said: "We are ready to cooperate with France now." Then he left.')]
['We are ready to cooperate with France now.']
>>> same_entity("Pierre de Villiers", "de Villje")
True
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler

from samestory.text.months import MONTHS, RUSSIAN_MONTH_STEMS
from samestory.text.stopwords import ALL as ALL_STOPWORDS
from samestory.text.stopwords import NUMBER_CONTEXT_STOPWORDS
from samestory.text.translit import transliterate

__all__ = [
    "DateMention",
    "NameMention",
    "NumberMention",
    "Quote",
    "capitalised_mid_sentence",
    "dates",
    "group_names",
    "name_key",
    "names",
    "numbers",
    "quotes",
    "same_entity",
    "transliterate",
    "wordset",
]


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a set (for word lists kept readable in the source)."""
    return frozenset(text.split())


# --- quotes ---------------------------------------------------------------------------------------------------

_OPEN = {"“": "”", "«": "»", "„": "“", "‟": "”"}
_MIN_QUOTE_WORDS = 4  # shorter quoted strings are names or scare quotes ("Islamic state"), not speech


@dataclass(frozen=True, slots=True)
class Quote:
    """Quoted speech: ``text`` without the quote marks and edge punctuation; ``start``/``end`` its offsets."""

    text: str
    start: int
    end: int


def quotes(text: str) -> list[Quote]:
    """Outermost quoted passages of at least four words, paragraph by paragraph (nesting understood)."""
    found: list[Quote] = []
    pos = 0
    for para in re.split(r"(\n\s*\n)", text):
        found.extend(_quotes_in(para, pos))
        pos += len(para)
    return found


def _quotes_in(para: str, offset: int) -> list[Quote]:
    out: list[Quote] = []
    stack: list[tuple[str, int]] = []  # (expected closer, start offset of the quoted text)
    for i, ch in enumerate(para):
        if stack and ch == stack[-1][0] and not (ch == '"' and _opens_straight(para, i)):
            _closer, start = stack.pop()
            if not stack:
                out.append(Quote(para[start:i], offset + start, offset + i))
        elif ch in _OPEN:
            stack.append((_OPEN[ch], i + 1))
        elif ch == '"':
            stack.append(('"', i + 1))
        elif ch == "”" and stack and stack[-1][0] == '"':  # mixed straight/curly marks
            _, start = stack.pop()
            if not stack:
                out.append(Quote(para[start:i], offset + start, offset + i))
    cleaned: list[Quote] = []
    for q in out:
        inner = q.text.strip(" ,.–—-")
        if len(inner.split()) >= _MIN_QUOTE_WORDS:
            lead = q.text.index(inner[0]) if inner else 0
            cleaned.append(Quote(inner, q.start + lead, q.start + lead + len(inner)))
    return cleaned


def _opens_straight(para: str, i: int) -> bool:
    """A straight quote preceded by a space and followed by a letter opens a (nested) quote."""
    before = para[i - 1] if i else " "
    after = para[i + 1] if i + 1 < len(para) else " "
    return before.isspace() and after.isalnum()


# --- names ----------------------------------------------------------------------------------------------------

_PARTICLES = wordset("de du des la le van von der den al el bin ibn da di del dos das ter ten mc")
_NOT_NAMES = wordset("""a an the this that these those there their then than he she it we they i you his her its our your my
    in on at of for from with by to as and or but if when while after before since during under over about
    according however meanwhile also yet so not no yes mr mrs ms dr gen lt col sgt president minister general
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december today yesterday tomorrow read see more photo video advertisement
    special project news update updated related share comments army gen prime deputy chief head commander
    colonel admiral secretary chancellor king queen prince pope sir lord mayor governor senator judge captain
    major sergeant lieutenant marshal premier""")
_CAP = r"[A-ZА-ЯЁ][\w’'\-]*\w|[A-ZА-ЯЁ]"
_PART = "|".join(sorted(_PARTICLES))
_SP = r"[ \t\u00a0]+"  # names never run across a line break
_NAME_RE = re.compile(rf"(?:\b(?:{_PART}){_SP})?(?:{_CAP})(?:{_SP}(?:(?:{_PART}){_SP})?(?:{_CAP}))*")
_GENERIC_HEADS = wordset("""ministry staff east west north south forces force state general president army government council committee
    party union republic federation city university court department office agency service navy police""")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:]\s+|\n\s*|[\"“«]\s*)$")


@dataclass(frozen=True, slots=True)
class NameMention:
    """A proper-name mention (person, place, organisation) as written, with its offsets."""

    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return name_key(self.text)


def name_key(name: str) -> str:
    """Comparable form of a name: transliterated, lower-case, possessive and punctuation dropped."""
    key = transliterate(name).lower().replace("’", "'")
    key = re.sub(r"'s\b", "", key)
    return " ".join(re.findall(r"[a-z0-9]+", key))


_MID_SENTENCE_CAP = re.compile(r"(?<![.!?…:\n\"“«])[ \t]([A-ZА-ЯЁ][\w’'-]*\w)\b")


def capitalised_mid_sentence(text: str) -> set[str]:
    """Capitalised words of ``text`` that follow a space not after sentence punctuation (so not a first word),
    possessive ending dropped: the words the text itself writes as names."""
    return {_strip_possessive(w) for w in _MID_SENTENCE_CAP.findall(text)}


def _strip_possessive(word: str) -> str:
    return re.sub(r"[’']s$", "", word)


def names(text: str, known: Iterable[str] = ()) -> list[NameMention]:
    """Capitalised word sequences that look like proper names.

    A capitalised word alone at the start of a sentence counts only when it is not a common word, the text
    never uses it in lower case, and it is a name elsewhere: capitalised mid-sentence in ``text`` or in
    ``known`` (the words another version of the story writes capitalised mid-sentence, see
    `capitalised_mid_sentence`), or possessive ("Israel's experience shows…"). All-capital words of more than
    five letters (shouting headlines) are skipped.
    """
    lower_words = {w for w in re.findall(r"\b[a-zа-яё][\w’'-]*", text)}
    mid_sentence = capitalised_mid_sentence(text) | set(known)
    out: list[NameMention] = []
    for m in _NAME_RE.finditer(text):
        tokens = m.group().split()
        start = m.start()
        # drop leading tokens that are common words (sentence-initial "The", "In", …)
        while tokens and (
            (low := _strip_possessive(tokens[0]).lower()) in _NOT_NAMES
            or tokens[0].lower() in _NOT_NAMES
            or ((tokens[0].lower() in lower_words or low in lower_words) and low not in _PARTICLES)
        ):
            start = text.index(tokens[0], start) + len(tokens[0])
            tokens = tokens[1:]
            while start < len(text) and text[start].isspace():
                start += 1
        while tokens and tokens[-1].lower() in _PARTICLES:
            tokens = tokens[:-1]
        if (
            not tokens
            or all(t.lower() in _PARTICLES for t in tokens)
            or re.match(r"I[’'](?:d|ll|m|ve)\b", tokens[0])
        ):
            continue
        if (
            len(tokens) == 1
            and _SENTENCE_START.search(text[max(0, start - 3) : start])
            and _strip_possessive(tokens[0]) not in mid_sentence
            and (
                _strip_possessive(tokens[0]) == tokens[0]
                or _strip_possessive(tokens[0]).lower() in ALL_STOPWORDS
            )
        ):
            continue  # a capitalised first word never seen capitalised mid-sentence: not a name
        if len(tokens) == 1 and (len(tokens[0]) < 2 or (tokens[0].isupper() and len(tokens[0]) > 5)):
            continue
        surface = " ".join(tokens)
        end = start + len(text[start:].split(tokens[-1], 1)[0]) + len(tokens[-1])
        out.append(NameMention(surface, start, end))
    return out


def _core(key: str) -> list[str]:
    return [t for t in key.split() if t not in _PARTICLES]


def same_entity(a: str, b: str) -> bool:
    """Whether two name strings plausibly denote one entity.

    Equal after transliteration; one a shorter form of the other sharing the last word ("Gerasimov" /
    "Valery Gerasimov"); or the last words spelled alike (Jaro-Winkler ≥ 0.85 with the same first three letters)
    when the names carry the same particle or first name ("de Villiers" / "de Villje" / "de Villa"), or are long
    single words in two scripts that differ only in an ending ("Герасимова" / "Gerasimov").
    """
    return _same_keys(_NameKey.of(a), _NameKey.of(b))


@dataclass(frozen=True, slots=True)
class _NameKey:
    key: str
    core: tuple[str, ...]
    particles: tuple[str, ...]
    cyrillic: bool

    @staticmethod
    def of(name: str) -> _NameKey:
        key = name_key(name)
        words = key.split()
        return _NameKey(
            key,
            tuple(w for w in words if w not in _PARTICLES),
            tuple(w for w in words if w in _PARTICLES),
            _has_cyrillic(name),
        )


def _same_keys(x: _NameKey, y: _NameKey) -> bool:
    if not x.key or not y.key:
        return False
    if x.key == y.key:
        return True
    ca, cb = x.core, y.core
    if not ca or not cb:
        return False
    last_a, last_b = ca[-1], cb[-1]
    rest_a, rest_b = ca[:-1], cb[:-1]
    if last_a == last_b:
        if not rest_a or not rest_b:
            return last_a not in _GENERIC_HEADS  # "Ministry" is not "French Defense Ministry"
        return _compatible(rest_a, rest_b)
    if last_a[:3] != last_b[:3] or JaroWinkler.similarity(last_a, last_b) < 0.85:
        return False
    if x.particles and x.particles == y.particles:
        return True
    if rest_a and rest_b and _compatible(rest_a, rest_b):
        return True
    # a single word in two scripts differing in its ending: a Russian case form ("Герасимова" / "Gerasimov")
    long_enough = min(len(last_a), len(last_b)) >= 6
    return x.cyrillic != y.cyrillic and long_enough and JaroWinkler.similarity(last_a, last_b) >= 0.92


def _has_cyrillic(text: str) -> bool:
    return re.search("[а-яёА-ЯЁ]", text) is not None


def _compatible(rest_a: Sequence[str], rest_b: Sequence[str]) -> bool:
    """The words before the surname agree: the first name (the word just before it) has the same initial,
    or one side's words are all in the other ("Vladimir Putin" / "Russian President Vladimir Putin")."""
    return rest_a[-1][0] == rest_b[-1][0] or set(rest_a) <= set(rest_b) or set(rest_b) <= set(rest_a)


def group_names(mentions: Iterable[str]) -> list[list[str]]:
    """Cluster name strings into entities (single link over `same_entity`), stable in first-seen order.

    Only names whose last words share their first three letters can match, so candidates are blocked on that
    prefix: the cost grows with the size of the blocks, not with the square of the number of names.
    """
    uniq = list(dict.fromkeys(mentions))
    keys = [_NameKey.of(m) for m in uniq]
    parent = list(range(len(uniq)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocks: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k.core:
            blocks.setdefault(k.core[-1][:3], []).append(i)
    for members in blocks.values():
        for n, i in enumerate(members):
            for j in members[:n]:
                if find(i) != find(j) and _same_keys(keys[i], keys[j]):
                    ri, rj = find(i), find(j)
                    parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[str]] = {}
    for i, m in enumerate(uniq):
        groups.setdefault(find(i), []).append(m)
    return list(groups.values())


# --- dates ----------------------------------------------------------------------------------------------------

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in (*MONTHS, *RUSSIAN_MONTH_STEMS)), key=len, reverse=True))
_MONTH = rf"(?P<month>(?:{_MONTH_ALT})[а-яё]*)\.?"
_DATE_RES = (
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>(?:1[89]|20)\d\d))?\b",
        re.I,
    ),
    re.compile(
        rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:1[89]|20)\d\d)\b)?", re.I
    ),
    re.compile(r"\b(?P<year>(?:1[89]|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
    re.compile(rf"\b{_MONTH}\s+(?P<year>(?:1[89]|20)\d\d)\b", re.I),
    re.compile(r"(?<![\d.,])(?P<year>(?:1[89]|20)\d\d)(?![\d.,]\d)"),
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A calendar date or year: ``value`` is ``YYYY-MM-DD`` with unknown parts as ``??``."""

    text: str
    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None

    @property
    def value(self) -> str:
        y = f"{self.year:04d}" if self.year else "????"
        m = f"{self.month:02d}" if self.month else "??"
        d = f"{self.day:02d}" if self.day else "??"
        return f"{y}-{m}-{d}"

    def agrees(self, other: DateMention) -> bool:
        """Equal on every part that both mention."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        known = [(x, y) for x, y in pairs if x is not None and y is not None]
        return bool(known) and all(x == y for x, y in known)


def _month_number(word: str) -> int | None:
    w = word.lower().rstrip(".")
    if w.isdigit():
        return int(w)
    if w in MONTHS:
        return MONTHS[w]
    if not w.isascii():  # a Russian case form ("январе", "мае")
        for n, stem in sorted(enumerate(RUSSIAN_MONTH_STEMS, 1), key=lambda x: -len(x[1])):
            if w.startswith(stem):
                return n
    return None


#: the patterns of `_DATE_RES` that start with a month name: a whole word, then an optional dot, spaces and a
#: digit. Trying their large case-insensitive alternation at every word of a text was most of the time of
#: `dates`; they are tried only where a word is followed by a number (`_month_first`).
_MONTH_FIRST = frozenset({1, 3})
_WORD_BEFORE_DIGIT = re.compile(r"(?<!\w)\w++\.?\s+(?=\d)")


def _month_first(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``rx.finditer(text)`` for a pattern of `_MONTH_FIRST`: every match starts at a word
    followed by an optional dot, spaces and a digit, so only those words are tried (leftmost first, never
    overlapping, as `re.finditer`)."""
    end = 0
    for word in _WORD_BEFORE_DIGIT.finditer(text):
        if word.start() < end:
            continue
        m = rx.match(text, word.start())
        if m is not None:
            end = m.end()
            yield m


def dates(text: str) -> list[DateMention]:
    """Dates ("14 November", "December 23", "15 October 2006", "2020-06-01") and bare years, in text order."""
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for k, rx in enumerate(_DATE_RES):
        for m in _month_first(rx, text) if k in _MONTH_FIRST else rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            groups = m.groupdict()
            month = _month_number(groups["month"]) if groups.get("month") else None
            if groups.get("month") and month is None:
                continue
            day = int(groups["day"]) if groups.get("day") else None
            if day is not None and not 1 <= day <= 31:
                continue
            year = int(groups["year"]) if groups.get("year") else None
            taken.append((m.start(), m.end()))
            out.append(DateMention(m.group(), m.start(), m.end(), year, month, day))
    return sorted(out, key=lambda d: d.start)


# --- numbers --------------------------------------------------------------------------------------------------

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "тыс": 1e3,
    "млн": 1e6,
    "млрд": 1e9,
}
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:[ ,\u00a0]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|тыс|млн|млрд)\b\.?)?(?P<pct>\s*(?:%|percent|per cent|процент\w*))?"
    r"|\b(?P<word>" + "|".join(_WORD_NUMBERS) + r")\b",
    re.I,
)
_STOP_CONTEXT = NUMBER_CONTEXT_STOPWORDS


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A quantity: its value, the text as written, and up to three content words around it (``context``)."""

    text: str
    start: int
    end: int
    value: float
    context: tuple[str, ...]

    def same_kind(self, other: NumberMention) -> bool:
        """Whether the two quantities count the same thing (they share a context word)."""
        return bool(set(self.context) & set(other.context))


def _context(text: str, start: int, end: int) -> tuple[str, ...]:
    before = re.findall(r"[^\W\d_]+", text[max(0, start - 40) : start].lower())[-2:]
    after = re.findall(r"[^\W\d_]+", text[end : end + 40].lower())[:2]
    return tuple(
        transliterate(w)[:5] for w in (*after, *before) if w not in _STOP_CONTEXT and w not in _SCALES
    )


def numbers(text: str, found_dates: Sequence[DateMention] | None = None) -> list[NumberMention]:
    """Quantities written in digits or as words ("130", "1.5 million", "nine", "20%"), dates and years excluded.

    ``found_dates``: the result of ``dates(text)`` when the caller has it already.
    """
    date_spans = [(d.start, d.end) for d in (dates(text) if found_dates is None else found_dates)]
    out: list[NumberMention] = []
    date_spans.sort()
    starts = [s for s, _ in date_spans]
    for m in _NUMBER_RE.finditer(text):
        k = bisect.bisect_left(starts, m.end())  # date spans starting before this number ends
        if k and max(e for _, e in date_spans[max(0, k - 2) : k]) > m.start():
            continue
        if m.group("word"):
            value = float(_WORD_NUMBERS[m.group("word").lower()])
        else:
            raw = m.group("num").replace("\u00a0", "").replace(" ", "")
            raw = (
                raw.replace(",", "")
                if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw)
                else raw.replace(",", ".")
            )
            try:
                value = float(raw)
            except ValueError:
                continue
            if m.group("scale"):
                value *= _SCALES[m.group("scale").lower()]
        out.append(
            NumberMention(m.group().strip(), m.start(), m.end(), value, _context(text, m.start(), m.end()))
        )
    return out
