"""Debris marking and dateline parsing: page furniture is *marked* with `Span`s, never deleted.

Rules work on lines (news pages put one paragraph per line) and are general, not fitted to one site:

=================  ==========================================================================================
kind               what
=================  ==========================================================================================
``repeated_title`` a line that repeats the title: pages print the headline again above the body, and the ``.txt``
                   reader keeps the title line itself in the text

``duplicate``      a paragraph printed twice (the second copy), e.g. a lead paragraph repeated below a photo
``related``        a "See also" / "Read also" / "Related" / "Most read" block: the label line and the headline
                   lines (no sentence punctuation) that follow it; or a one-line "Read also: <headline>"
``promo``          a promo or sponsor label ("SPECIAL project", "Advertisement", "Спецпроект") and the teaser
                   headline lines that follow it
``label``          a bare section label line ("VIDEO", "Breaking news", "Opinion"), a tag list ("Tags: …")
``feed``           agency and feed headers: "TASS 12412151" at a line's end, breadcrumb / feed lines such as
                   "Defence & Security News - France/Russia" before the first paragraph
``share``          share / follow / subscribe lines ("Share on Facebook", "Подписывайтесь на наш канал"), comment counters
``credit``         photo credit lines ("Photo: Getty Images", "Фото: пресс-служба")
``boilerplate``    copyright lines ("© 2020 Reuters", "All rights reserved") and bare URL lines
=================  ==========================================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from samestory.article import Dateline, Span
from samestory.text.months import MONTHS

# --- line model -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """A non-empty line of the text: its trimmed span and text."""

    start: int
    end: int
    text: str
    blank_before: bool


_NONWORD = re.compile(r"[\W_]+")


def line_key(text: str) -> str:
    """Case- and punctuation-insensitive key for comparing lines ("Hello, World!" -> "hello world")."""
    return _NONWORD.sub(" ", text).strip().casefold()


def split_lines(text: str) -> list[Line]:
    """The non-empty lines of ``text`` with trimmed spans, in order."""
    lines: list[Line] = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            s = pos + len(raw) - len(raw.lstrip())
            lines.append(Line(s, s + len(stripped), stripped, blank))
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
    return lines


# --- vocabularies (whole-line labels, many languages) ---------------------------------------------------

_RELATED = re.compile(
    r"(?:see also|read also|also read|read more|more on this(?: story)?|more on this topic|related(?: articles| stories| news| content| coverage| links)?|"
    r"recommended(?: for you)?|you (?:may|might) also like|more from [\w ]{1,30}|most (?:read|popular|viewed)|top stories|trending(?: now)?|"
    r"смотрите также|см\. также|читайте также|читайте еще|читайте ещё|по теме|другие новости|новости по теме|популярное|"
    r"lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|das könnte sie auch interessieren|meistgelesen|"
    r"voir aussi|lire aussi|à lire aussi|a lire aussi|sur le même sujet|les plus lus|"
    r"ver también|vea también|lea también|le puede interesar|noticias relacionadas|lo más leído|"
    r"leggi anche|vedi anche|potrebbe interessarti anche|articoli correlati|i più letti|"
    r"czytaj także|czytaj też|zobacz też|zobacz także|przeczytaj także|najczęściej czytane|"
    r"ayrıca bakınız|ilgili haberler|bunlar da ilginizi çekebilir|en çok okunanlar|"
    r"اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|مواضيع ذات صلة|أخبار ذات صلة|"
    r"相关新闻|相关阅读|延伸阅读|相关报道|推荐阅读)",
    re.IGNORECASE,
)
_RELATED_LINE = re.compile(rf"^[\W_]*{_RELATED.pattern}[\s:：.…»>\-–—]*$", re.IGNORECASE)
_RELATED_INLINE = re.compile(rf"^[\W_]*{_RELATED.pattern}\s*[:：\-–—]\s*\S", re.IGNORECASE)

# promo labels that introduce teaser headlines ("SPECIAL project" + its teaser) ...
_PROMO_LINE = re.compile(
    r"^[\W_]*(?:special project|special report|sponsored(?: content| post| by [\w .&]{1,40})?|"
    r"promoted(?: content)?|partner content|paid (?:content|post)|presented by [\w .&]{1,40}|"
    r"спецпроект|специальный проект|партнерский материал|партнёрский материал|"
    r"contenu sponsorisé|contenu partenaire|contenido patrocinado|contenuto sponsorizzato|"
    r"materiał sponsorowany|artykuł sponsorowany|materiał partnera|sponsorlu içerik|محتوى مدفوع|推广)[\W_]*$",
    re.IGNORECASE,
)
# ... and ad-slot labels, which stand alone (the article resumes after them)
_AD_LINE = re.compile(
    r"^[\W_]*(?:advertisement|advertising|ad|реклама|на правах рекламы|anzeige|werbung|publicité|publicidad|"
    r"pubblicità|reklama|reklam|إعلان|广告)[\W_]*$",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(
    r"^[\W_]*(?:video|videos|photo|photos|gallery|photo gallery|live|live updates|breaking(?: news)?|exclusive|opinion|"
    r"analysis|editorial|update|updated|watch|listen|podcast|infographic|"
    r"видео|фото|фотогалерея|эксклюзив|мнение|молния|срочно|"
    r"eilmeldung|exklusiv|meinung|kommentar|vidéo|exclusif|tribune|vídeo|exclusiva|última hora|esclusivo|"
    r"wideo|galeria|pilne|tylko u nas|son dakika|özel haber|فيديو|عاجل|视频|图集|独家)[\W_]*$",
    re.IGNORECASE,
)
# section names printed above an article ("Politics", "В мире", "Wirtschaft"): debris only before the first paragraph
_SECTION_LINE = re.compile(
    r"^[\W_]*(?:politics|world|world news|economy|business|society|sports?|culture|science|technology|tech|health|"
    r"international|national|local|military|defen[cs]e|incidents|news|top news|latest news|"
    r"политика|в мире|мир|экономика|общество|спорт|культура|наука|происшествия|армия|международная панорама|новости|"
    r"politik|wirtschaft|panorama|kultur|ausland|inland|nachrichten|"
    r"politique|monde|économie|société|actualités|política|mundo|economía|sociedad|deportes|noticias|"
    r"politica|esteri|economia|cronaca|notizie|polityka|świat|gospodarka|kraj|wiadomości|"
    r"siyaset|dünya|ekonomi|gündem|spor|kültür|haberler|سياسة|اقتصاد|رياضة|أخبار|国际|国内|财经|体育|新闻)[\W_]*$",
    re.IGNORECASE,
)
# tag / topic lists and comment counters at a page's foot: "Tags: Syria, Russia", "Теги: …", "12 comments"
_TAGS_LINE = re.compile(
    r"^(?:tags|topics|keywords|themen|schlagworte|schlagwörter|теги|тэги|темы|ключевые слова|étiquettes|mots-clés|"
    r"etiquetas|temas|palabras clave|tag|argomenti|parole chiave|tagi|tematy|słowa kluczowe|etiketler|konular|"
    r"anahtar kelimeler|الوسوم|كلمات مفتاحية|标签|关键词|关键字)\s*[:：]",
    re.IGNORECASE,
)
_COMMENTS_LINE = re.compile(
    r"^(?:\d+\s+)?(?:comments?|add (?:a )?comment|leave a (?:comment|reply)|show comments|комментарии|комментариев|"
    r"kommentare|commentaires|comentarios|commenti|komentarze|yorumlar|yorum yap|تعليقات|评论)[\W\d_]*$",
    re.IGNORECASE,
)
_SHARE_LINE = re.compile(
    r"^[\W_]*(?:share(?: this| on| via| article| story)?|tweet|follow us|follow (?:@|on )|subscribe|sign up|click here|"
    r"join us on|get (?:our|the) (?:newsletter|app)|download (?:our|the) app|"
    r"поделиться|поделитесь|подписывайтесь|подпишитесь|присоединяйтесь|следите за нами|"
    r"teilen|folgen sie|abonnieren sie|jetzt abonnieren|partager|partagez|abonnez-vous|suivez-nous|"
    r"compartir|comparte|suscríbete|síguenos|condividi|iscriviti|seguici|"
    r"udostępnij|subskrybuj|obserwuj nas|zapisz się|paylaş|abone ol|takip edin|bizi takip|"
    r"شارك|تابعونا|اشترك|分享|关注我们|订阅)\b",
    re.IGNORECASE,
)
_SHARE_TOKENS = frozenset(
    {
        "facebook", "twitter", "x", "whatsapp", "telegram", "email", "e-mail", "mail", "linkedin", "pinterest",
        "reddit", "vk", "vkontakte", "ok", "odnoklassniki", "viber", "messenger", "print", "copy", "link", "share",
        "tweet", "pin", "weibo", "wechat", "line", "flipboard",
    }
)  # fmt: skip
_BOILERPLATE_LINE = re.compile(
    r"^(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}|[:\-–—])|all rights reserved|все права защищены|alle rechte vorbehalten|tous droits réservés|"
    r"todos los derechos reservados|tutti i diritti riservati|wszelkie prawa zastrzeżone|tüm hakları saklıdır|"
    r"جميع الحقوق محفوظة|版权所有)",
    re.IGNORECASE,
)

# a bare URL line (also detokenised: "http: / / www. site. com / 2013 / may / 03")
_URL_LINE = re.compile(r"^(?:https?\s?:\s?/\s?/|www\s?\.)\s?\S")
# photo credits and captions' credit lines: "Photo: Getty Images", "Фото: пресс-служба", "Foto: dpa"
_CREDIT_LINE = re.compile(
    r"^[\W_]*(?:photo|photos|photograph|image|picture|credit|illustration|foto|fotos|фото|фотография|иллюстрация|"
    r"bild|crédit photo|crédits photo|immagine|zdjęcie|fot\.|fotoğraf|görsel|صورة|图片|图)\s*[:/©|]",
    re.IGNORECASE,
)

# "TASS 12412151", "Reuters 20151223" at the end of a line: an agency name and a long story number.
_AGENCY_SUFFIX = re.compile(
    r"(?:^|\s)([A-ZА-ЯЁ][A-Za-zА-Яа-яЁё&.\-]{1,19}(?:\s[A-Z][A-Za-z&.\-]{1,19})?\s+\d{5,})\s*$"
)
# Breadcrumbs and feed headers: short Title-Case chunks joined by separators.
_FEED_SEP = re.compile(r"\s(?:[-–—|»>·•]|::)\s|\s?[»>|]\s?")
_STRONG_SEP = re.compile(r"\s?[»>|·•]\s?|::")
_NEWS_WORD = re.compile(
    r"\b(?:news|newswire|wire|feed|nachrichten|новости|лента|actualités|noticias|notizie|wiadomości|haberler|أخبار|新闻)\b",
    re.IGNORECASE,
)
_SLASH_WORDS = re.compile(r"[^\W\d_]{2,}/[^\W\d_]{2,}")

_TERMINAL = re.compile(r"[.!?…。！？;:](?:[\s\"'”’»)\]]*)$")
_INNER_STOP = re.compile(r"[.!?。！？]\s+[\"“«]?[A-ZА-ЯЁ]")
_MAX_BLOCK_LINE = 150


def is_headline_like(text: str) -> bool:
    """A short line that does not end like a sentence: a headline, a label, a teaser."""
    return len(text) <= 200 and _TERMINAL.search(text) is None


def _is_block_headline(text: str) -> bool:
    """A line a related/promo block takes with it: a short headline, no sentence break inside or at its end."""
    return len(text) <= _MAX_BLOCK_LINE and is_headline_like(text) and _INNER_STOP.search(text) is None


_NEWSLETTER = re.compile(
    r"newsletter|inbox|subscri|sign up|abonn|suscr|iscriv|подпис|рассылк|bülten|biuletyn|النشرة|订阅",
    re.IGNORECASE,
)


def _is_share_line(text: str) -> bool:
    if len(text) > 150:
        return False
    if _SHARE_LINE.match(text):
        # a sentence that merely starts with such a verb ("Teilen sich die Parteien …") is body text
        return is_headline_like(text) or _NEWSLETTER.search(text) is not None
    tokens = [t for t in re.split(r"[\s|•·,/]+", text.casefold()) if t]
    return len(tokens) >= 2 and all(t in _SHARE_TOKENS for t in tokens)


def _is_feed_line(text: str) -> bool:
    """A breadcrumb / feed header: short chunks joined by separators, naming a feed or a section path."""
    if len(text) > 100 or not is_headline_like(text):
        return False
    chunks = [c for c in _FEED_SEP.split(text) if c.strip()]
    if len(chunks) < 2 or any(len(c.split()) > 4 for c in chunks):
        return False
    strong = len(_STRONG_SEP.findall(text))
    return strong >= 2 or _NEWS_WORD.search(text) is not None or _SLASH_WORDS.search(text) is not None


def _is_paragraph(line: Line) -> bool:
    return not is_headline_like(line.text) and len(line.text.split()) >= 8


# --- debris ---------------------------------------------------------------------------------------------

_MAX_BLOCK = 10  # headline lines a related/promo label can take with it
_MIN_DUP_CHARS = 40  # a shorter repeated line ("Photo", "Reuters") is not a duplicated paragraph
_MAX_CAPTION = 100  # a duplicated paragraph may carry a short caption tail without sentence punctuation


def _line_kind(t: str, in_head: bool) -> tuple[str, bool]:
    """The debris kind of a whole line by its own text ("" if none), and whether it opens a block."""
    n = len(t)
    if n <= 60:
        if _RELATED_LINE.match(t):
            return "related", True
        if _PROMO_LINE.match(t):
            return "promo", True
        if n <= 40 and _AD_LINE.match(t):
            return "promo", False
        if n <= 40 and (_LABEL_LINE.match(t) or (in_head and _SECTION_LINE.match(t))):
            return "label", False
        if n <= 40 and _COMMENTS_LINE.match(t):
            return "share", False
    if n <= 200:
        if (
            (":" in t or "：" in t or " - " in t or "–" in t or "—" in t)
            and _RELATED_INLINE.match(t)
            and is_headline_like(t)
        ):
            return "related", False
        if _is_share_line(t):
            return "share", False
        if _TAGS_LINE.match(t) and _INNER_STOP.search(t) is None:
            return "label", False
        if _BOILERPLATE_LINE.match(t) or (_URL_LINE.match(t) and _INNER_STOP.search(t) is None):
            return "boilerplate", False
        if n <= 120 and _CREDIT_LINE.match(t) and _INNER_STOP.search(t) is None:
            return "credit", False
        if in_head and _is_feed_line(t):
            return "feed", False
    return "", False


def find_debris(text: str, title: str = "", lines: list[Line] | None = None) -> list[Span]:
    """Debris spans of ``text`` (sorted, non-overlapping; same-kind neighbours merged).

    ``title`` is the article's title as printed; a line repeating it is marked ``repeated_title``.
    """
    if lines is None:
        lines = split_lines(text)
    title_keys = {line_key(title), line_key(_AGENCY_SUFFIX.sub("", title))} - {""} if title else set()
    max_title = max((len(k) for k in title_keys), default=0) + 20
    spans: list[Span] = []
    seen: set[str] = set()
    by_head: dict[str, list[str]] = {}  # earlier paragraphs by their first characters
    in_head = True
    block_kind = ""
    block_left = 0
    for line in lines:
        t = line.text
        kind = ""
        if block_kind and block_left > 0 and _is_block_headline(t) and not _line_kind(t, False)[1]:
            kind = block_kind
            block_left -= 1
        else:
            block_kind = ""
            head = _title_head(t, title_keys, max_title)
            if head:
                feed = len(t) - len(t[head:].lstrip())  # where a trailing agency number starts
                spans.append(
                    Span(line.start, line.start + (feed if head < len(t) else head), "repeated_title")
                )
                if head < len(t):
                    spans.append(Span(line.start + feed, line.end, "feed"))
                continue
            else:
                kind, opens = _line_kind(t, in_head)
                if opens:
                    block_kind, block_left = kind, _MAX_BLOCK
                if not kind and len(t) >= _MIN_DUP_CHARS and t in seen:
                    kind = "duplicate"
        if kind:
            spans.append(Span(line.start, line.end, kind))
            continue
        dup = _duplicated_prefix(t, by_head.get(t[:_MIN_DUP_CHARS], ())) if len(t) >= _MIN_DUP_CHARS else 0
        if dup:
            spans.append(Span(line.start, line.start + dup, "duplicate"))
            continue
        if t[-1].isdigit() and (in_head or is_headline_like(t)):
            suffix = _AGENCY_SUFFIX.search(t)
            if suffix is not None:
                spans.append(Span(line.start + suffix.start(1), line.end, "feed"))
        if in_head and _is_paragraph(line):
            in_head = False
        if len(t) >= _MIN_DUP_CHARS:
            seen.add(t)
            by_head.setdefault(t[:_MIN_DUP_CHARS], []).append(t)
    return merge_spans(text, spans)


def _title_head(line: str, title_keys: set[str], max_len: int) -> int:
    """Length of the headline at the start of ``line`` when the line repeats the title (perhaps followed by an
    agency number such as "TASS 12412151"); 0 when it does not."""
    if not title_keys or len(line) > max_len:
        return 0
    if line_key(line) in title_keys:
        return len(line)
    m = _AGENCY_SUFFIX.search(line)
    if m is not None and line_key(line[: m.start(1)]) in title_keys:
        return len(line[: m.start(1)].rstrip())
    return 0


def _duplicated_prefix(text: str, earlier: Iterable[str]) -> int:
    """Length of ``text`` to mark as a copy of an earlier paragraph: all of it when it is a (truncated) copy or a
    copy plus a short caption tail; the copied part when a copy runs on into new text; 0 when it is no copy."""
    for prev in earlier:
        if prev.startswith(text):
            return len(text)
        if not text.startswith(prev):
            continue
        tail = text[len(prev) :].strip()
        if len(tail) <= _MAX_CAPTION and is_headline_like(tail):
            return len(text)
        return len(prev)
    return 0


def merge_spans(text: str, spans: list[Span]) -> list[Span]:
    """Sort spans and merge same-kind neighbours separated only by whitespace."""
    out: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.start, s.end)):
        if (
            out
            and out[-1].kind == sp.kind
            and (out[-1].end >= sp.start or not text[out[-1].end : sp.start].strip())
        ):
            out[-1] = Span(out[-1].start, max(out[-1].end, sp.end), sp.kind)
        elif out and sp.start < out[-1].end:
            if sp.end > out[-1].end:
                out.append(Span(out[-1].end, sp.end, sp.kind))
        else:
            out.append(sp)
    return out


def clean_title(title: str) -> str:
    """The title without a trailing agency/feed number ("… terrorism TASS 12412151" -> "… terrorism")."""
    return split_title_debris(title)[0]


def split_title_debris(title: str) -> tuple[str, list[Span]]:
    """``(clean title, debris spans of the raw title)``: a trailing agency/feed number is marked ``feed``."""
    raw = title.strip()
    m = _AGENCY_SUFFIX.search(raw)
    if m is None or not raw[: m.start(1)].strip():
        return raw, []
    return raw[: m.start(1)].strip(), [Span(m.start(1), m.end(1), "feed")]


# --- datelines ------------------------------------------------------------------------------------------

_MONTHS = "(?i:" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
_DATE = rf"(?:{_MONTHS}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\.?\s+{_MONTHS}(?:\s+\d{{4}})?|\d{{1,2}}[./]\d{{1,2}}(?:[./]\d{{2,4}})?)"
_UP = r"A-ZÀ-ÖØ-ÞА-ЯЁĄĆĘŁŃÓŚŹŻÇĞİÖŞÜ"
_PLACE_UPPER = rf"[{_UP}][{_UP}'’.\-]+(?:[ /][{_UP}][{_UP}'’.\-]+){{0,3}}(?:,\s*[A-Z][a-z]{{1,5}}\.)?"
_PLACE_TITLE = r"[A-ZА-ЯЁ][^\W\d_]+(?:[ \-][A-ZА-ЯЁ][^\W\d_]+){0,2}"
_AGENCY = r"(?:\s*\([^()\n]{1,40}\)|\s*/[^/\n]{1,20}/)"
_END = r"(?:\s*[.:]|\s+[-–—])(?:\s*/[^/\n]{1,20}/\.?)?(?=\s)"
_DATELINE = re.compile(
    rf"(?P<place>{_PLACE_UPPER})(?:,\s*(?P<date>{_DATE}))?{_AGENCY}?{_END}"
    rf"|(?P<tplace>{_PLACE_TITLE}),\s*(?P<tdate>{_DATE}){_AGENCY}?{_END}"
)


def find_dateline(text: str, lines: list[Line], debris: list[Span]) -> Dateline | None:
    """The dateline at the start of the first non-debris line(s), e.g. ``MOSCOW, December 23.``."""
    checked = 0
    for line in lines:
        if any(d.start <= line.start < d.end for d in debris):
            continue
        m = _DATELINE.match(text, line.start, line.end + 1 if line.end < len(text) else line.end)
        if m is None and line.end == len(text):
            m = _DATELINE.match(text + " ", line.start)
        if m is not None:
            place = m.group("place") or m.group("tplace") or ""
            date = m.group("date") or m.group("tdate")
            if date is not None and date.endswith(".") and len(date.rstrip(".").split()[-1]) > 4:
                date = date[:-1]  # the dateline's full stop, not an abbreviated month's ("Dec.")
            matched = m.group(0)
            after_place = matched[len(place) :]
            bare = date is None and "(" not in after_place and "/" not in after_place  # no date, no agency
            # "ROUNDUP:", "USA:", "POSTED:" are kickers: a bare place needs a dash (or full stop) and a new sentence
            kicker = bare and (
                matched.rstrip().endswith(":") or not _starts_sentence(text, m.end(), line.end)
            )
            if not kicker and _plausible_place(place):
                return Dateline(place=place.strip(), date=date, start=m.start(), end=min(m.end(), line.end))
        checked += 1
        if checked >= 2:
            break
    return None


_NOT_PLACES = re.compile(
    r"(?:breaking(?: news)?|update[ds]?|exclusive|report|note|editor'?s note|correction|warning|alert|flash|urgent|"
    r"bulletin|watch|video|photos?|live|analysis|opinion|editorial|review|interview|comment|srochno|срочно|молния|"
    r"eilmeldung|exklusiv|exclusif|última hora|pilne|son dakika|posted|published|updated|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\.?",
    re.IGNORECASE,
)


def _plausible_place(place: str) -> bool:
    letters = [c for c in place if c.isalpha()]
    return len(letters) >= 3 and _NOT_PLACES.fullmatch(place.strip()) is None


def _starts_sentence(text: str, pos: int, end: int) -> bool:
    """True when the text after a bare dateline (no date, no agency) opens a sentence: uppercase, digit, quote."""
    while pos < end and text[pos].isspace():
        pos += 1
    return pos < end and (text[pos].isupper() or text[pos].isdigit() or text[pos] in "\"“«„'‘")
