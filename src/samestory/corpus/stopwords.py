"""Frequent function words (English, Russian and a few other European languages).

They are never content terms or names: they say nothing about which story a text tells.
"""

from __future__ import annotations

STOPWORDS = frozenset(
    """
    a about above according after again against all also am an and any are as at auf back be because
    been before being below between both but by can cent con could das day days de dem den der des did
    die do does doing down du during each ein eine el en est et even few first for from further für get
    got had has have having he her here hers herself him himself his how however i if il im in including
    into is ist it its itself just la las last le les like los made make many may me might mit more most
    mr mrs ms much must my myself new nicht no nor not now of off on once one only or other our ours
    ourselves out over own para pas per por pour que said same say says shall she should sich since so
    some still such than that the their theirs them themselves then there these they this those through
    time to told too two un una und under une until up us very von was we week well were what when where
    which while who whom why will with would year years you your yours yourself yourselves zu а без
    более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот впрочем все всегда
    всего всех всю вы где года году да даже два для до другой его ее ей ему если есть еще ж же за зачем
    заявил здесь и из или им иногда их к как какая какой когда конечно кто куда ли лучше между меня мне
    много может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь никогда
    ним них ничего но ну о об один он она они опять от перед по под после потом потому почти при про раз
    разве с сам свою себе себя сейчас со совсем сообщает так также такой там тебя тем теперь то тогда
    того тоже только том тот три тут ты у уж уже хорошо хоть чего чем через что чтобы чуть эти это этого
    этой этом этот эту я
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
