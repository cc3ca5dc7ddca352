"""Month and weekday names: the one table for dates in mentions, datelines and the corpus's event cues.

``MONTH_LISTS`` has, per language (Russian twice: genitive "января" and nominative "январь"; Polish in the
genitive used in dates, "stycznia"), the twelve month names in order; ``WEEKDAY_LISTS`` the seven weekday
names from Monday (Russian in the accusative "в среду" and the genitive). ``MONTH_ABBREVIATIONS`` are the
English short forms ("Dec", "Sept").

>>> MONTHS["stycznia"], MONTHS["dezember"], MONTHS["sept"]
(1, 12, 9)
>>> RUSSIAN_MONTH_STEMS[4]
'ма'
"""

from __future__ import annotations

__all__ = [
    "MONTHS",
    "MONTH_ABBREVIATIONS",
    "MONTH_LISTS",
    "MONTH_WORDS",
    "RUSSIAN_MONTH_STEMS",
    "WEEKDAYS",
    "WEEKDAY_LISTS",
    "WEEKDAY_WORDS",
]

MONTH_LISTS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (lang, tuple(names.split()))
    for lang, names in (
        ("en", "january february march april may june july august september october november december"),
        ("de", "januar februar märz april mai juni juli august september oktober november dezember"),
        ("fr", "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"),
        ("es", "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"),
        ("ru", "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"),
        ("ru", "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"),
        (
            "it",
            "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
        ),
        ("pt", "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"),
        (
            "pl",
            "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
        ),
        ("tr", "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık"),
    )
)

MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip

MONTHS: dict[str, int] = {}
"""Every full month name of `MONTH_LISTS` (lower case) and the English abbreviations, to the month number."""
for _lang, _names in MONTH_LISTS:
    for _i, _m in enumerate(_names, 1):
        MONTHS.setdefault(_m, _i)
for _m, _i in MONTH_ABBREVIATIONS.items():
    MONTHS.setdefault(_m, _i)

MONTH_WORDS = frozenset(MONTHS)

RUSSIAN_MONTH_STEMS: tuple[str, ...] = tuple(
    gen[
        : next((k for k, (x, y) in enumerate(zip(gen, nom, strict=False)) if x != y), min(len(gen), len(nom)))
    ]
    for gen, nom in zip(*(names for lang, names in MONTH_LISTS if lang == "ru"), strict=True)
)
"""The part of each Russian month name that every case form shares ("январ", "ма", "март")."""

WEEKDAY_LISTS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (lang, tuple(names.split()))
    for lang, names in (
        ("en", "monday tuesday wednesday thursday friday saturday sunday"),
        ("de", "montag dienstag mittwoch donnerstag freitag samstag sonntag"),
        ("fr", "lundi mardi mercredi jeudi vendredi samedi dimanche"),
        ("es", "lunes martes miércoles jueves viernes sábado domingo"),
        ("ru", "понедельник вторник среду четверг пятницу субботу воскресенье"),
        ("ru", "понедельника вторника среды четверга пятницы субботы воскресенья"),
    )
)

WEEKDAYS: dict[str, int] = {}
"""Every weekday name of `WEEKDAY_LISTS` to its number (Monday 0)."""
for _lang, _names in WEEKDAY_LISTS:
    for _i, _d in enumerate(_names):
        WEEKDAYS.setdefault(_d, _i)

WEEKDAY_WORDS = frozenset(WEEKDAYS)
