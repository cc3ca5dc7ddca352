"""Stopwords (frequent function words) per language: the one lexicon for names, alignment and the corpus.

``STOPWORDS[lang]`` (``stopwords(lang)``) are hand lists for en, de, fr, es, it, pt, nl, ru, pl, tr, ar and zh
(SemEval-2022 Task 8's languages among them), each the frequent function words of the language; ``ALL`` is their
union. Three *frozen* sets keep the behaviour that trained weights and tuned thresholds depend on:

* `CORPUS_STOPWORDS`: what the corpus clustering's hashed fast paths and its pair model were built on (the
  first part of the en, de, fr, es and ru lists, `_CORPUS`);
* `ALIGN_STOPWORDS`: dropped from the aligner's lexical tokens (its calibration was tuned with them);
* `NUMBER_CONTEXT_STOPWORDS`: skipped when the words around a number say what it counts.

The similarity model (`samestory.match`) uses no stopword list.

>>> "nie" in stopwords("pl"), "the" in CORPUS_STOPWORDS, "nie" in CORPUS_STOPWORDS
(True, True, False)
"""

from __future__ import annotations

__all__ = [
    "ALIGN_STOPWORDS",
    "ALL",
    "CORPUS_STOPWORDS",
    "NUMBER_CONTEXT_STOPWORDS",
    "STOPWORDS",
    "stopwords",
]

_CORPUS: dict[str, str] = {  # frozen: the corpus features and its pair model were built on these
    "en": """
    a about above according after again against all also am an and any are as at back be because been before
    being below between both but by can cent could day days did do does doing down during each even few
    first for from further get got had has have having he her here hers herself him himself his how however
    i if in including into is it its itself just last like made make many may me might more most mr mrs ms
    much must my myself new no nor not now of off on once one only or other our ours ourselves out over own
    per said same say says shall she should since so some still such than that the their theirs them
    themselves then there these they this those through time to told too two under until up us very was we
    week well were what when where which while who whom why will with would year years you your yours
    yourself yourselves
    """,
    "de": """
    auf das dem den der des die ein eine für im ist mit nicht sich und von zu
    """,
    "fr": """
    de du est et il la le les pas pour que un une
    """,
    "es": """
    con el en las los para por una
    """,
    "ru": """
    а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот впрочем все всегда
    всего всех всю вы где года году да даже два для до другой его ее ей ему если есть еще ж же за зачем
    заявил здесь и из или им иногда их к как какая какой когда конечно кто куда ли лучше между меня мне
    много может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь никогда ним
    них ничего но ну о об один он она они опять от перед по под после потом потому почти при про раз разве с
    сам свою себе себя сейчас со совсем сообщает так также такой там тебя тем теперь то тогда того тоже
    только том тот три тут ты у уж уже хорошо хоть чего чем через что чтобы чуть эти это этого этой этом
    этот эту я
    """,
}
_MORE: dict[str, str] = {
    "en": """
    across almost along already although among another anyone anything around away became become becomes
    behind beside besides beyond cannot either else enough ever every everyone everything except hence least
    less may maybe meanwhile mine nobody none nothing often onto others otherwise perhaps rather several
    since someone something sometimes soon than thus toward towards unless upon whether whose within without
    yet
    """,
    "de": """
    aber als am an auch aus bei bis da damit dann dass dessen doch dort durch einem einen einer eines er es
    haben hat hatte ich ihr ihre in ins kann man mehr nach noch nur oder ohne schon sein seine sie sind so
    um uns unter vom vor war waren was weil wenn werden wie wir wird wurde wurden zum zur zwischen über
    """,
    "fr": """
    au aux avec ce ces cette comme dans des donc elle elles en encore entre leur leurs lui mais même ne ni
    nous on ont ou où par plus qui sa sans se ses son sont sur tous tout très vous y à été être
    """,
    "es": """
    al algo como cuando de del desde donde entre era es esta este esto estos ha hay la le les lo me mi muy
    más ni no nos o pero porque que se ser si sin sobre su sus también te un uno y ya él
    """,
    "ru": """
    без бы вдруг ведь весь всё где ещё её каждый кого которая которые который которых ли меж над нам наш нее
    ни обо оно при своей своих свой сих сказал та те тех чей чья эта
    """,
    "it": """
    a ad al alla alle anche che chi ci come con cui da dal dalla degli dei del della delle di e gli ha hanno
    i il in la le lo loro ma mi molto ne nei nel nella non o per più quale quando questa questo se si sono
    su sua sue suo suoi tra un una uno è
    """,
    "pt": """
    a ao aos as com como da das de do dos e ela ele eles em entre era essa esse está foi há isso já lhe mais
    mas mesmo muito na nas no nos não o os ou para pela pelo por que se sem ser seu seus sua suas também um
    uma é
    """,
    "nl": """
    aan al als bij dan dat de der deze die dit door een en er had heeft het hij hoe ik in is je maar met na
    naar niet nog of om ook op over te tot uit van veel voor was wat we werd wie wij worden wordt zal ze
    zich zijn zo
    """,
    "pl": """
    a aby ale bez bo by być był była było były co czy dla do gdy go i ich im jak jako jego jej jest już ku
    lub ma między mu na nad nie nim o od oraz po pod przez przy się są ta tak także te tego ten to tu tym w
    we według z za ze że żeby
    """,
    "tr": """
    acaba ama ancak artık aslında bana bazı belki ben beni benim bile bir biri birkaç biz bu buna bunlar
    bunu da daha de değil diye en gibi göre hem hep her hiç ile ise için ki kim mi mu mü mı ne neden o olan
    olarak oldu olduğu sonra ve veya ya yani şey şu
    """,
    "ar": """
    أن أو أي أيضا إلى إن التي الذي الذين بعد بين ثم حتى على عن عند غير في قد كان كانت كل لا لكن لم ما مع من
    منذ نحو هذا هذه هناك هو هي و وفي وقد ولا
    """,
    "zh": """
    一 上 不 与 个 中 为 之 也 了 于 人 从 他 以 们 但 你 其 及 和 在 她 它 对 将 就 并 我 或 所 把 是 有 此 由 的 等 而 被 该 这 那 都
    """,
}

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(_CORPUS.get(lang, "").split()) | frozenset(_MORE.get(lang, "").split())
    for lang in dict.fromkeys([*_CORPUS, *_MORE])
}
ALL: frozenset[str] = frozenset().union(*STOPWORDS.values())
CORPUS_STOPWORDS: frozenset[str] = frozenset(" ".join(_CORPUS.values()).split())


def stopwords(lang: str) -> frozenset[str]:
    """The stopwords of ``lang`` (ISO 639-1); an empty set for a language without a list."""
    return STOPWORDS.get(lang, frozenset())


ALIGN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "but",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "them",
        "him",
        "us",
        "not",
        "no",
        "so",
        "than",
        "then",
        "there",
        "here",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "said",
        "says",
        "also",
        "about",
        "after",
        "before",
        "into",
        "over",
        "under",
        "between",
        "up",
        "down",
        "out",
        "if",
        "all",
        "any",
        "some",
        "such",
        "only",
        "more",
        "most",
        "very",
        "just",
        "и",
        "в",
        "во",
        "на",
        "с",
        "со",
        "к",
        "ко",
        "по",
        "о",
        "об",
        "от",
        "до",
        "из",
        "за",
        "для",
        "не",
        "что",
        "это",
        "как",
        "а",
        "но",
        "же",
        "бы",
        "ли",
        "то",
        "он",
        "она",
        "они",
        "мы",
        "вы",
        "я",
        "его",
        "ее",
        "их",
    ]
)

NUMBER_CONTEXT_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "by",
        "for",
        "with",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "as",
        "about",
        "some",
        "than",
    ]
)
