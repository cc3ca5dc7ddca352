"""Names and numbers of a featurised batch: who (capitalised words) and how many (digit runs), per document.

A name is a token of the original-case text that starts with an upper-case character, is longer than one
character and is not a function word (hashed lower-cased); a number is a run of ASCII digits other than "0"
(decimal digits of other scripts are read as ASCII digits), years 1800-2099 apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from samestory.corpus.runs import EMPTY64, STOPWORD_HASHES, log_weights, unique_per_doc
from samestory.fingerprint import TokenArrays, token_hashes, tokens, word_bytes


def names_of_text(full: str) -> tuple[list[str], list[str]]:
    """Names (lower-cased words that start with a capital) and numbers (digit runs) of a non-ASCII text, one
    entry per occurrence (the name weights count them).

    The same definition as the vectorised paths of `names_and_numbers`: a token of the original-case text
    is a name when its first character is upper case and it is longer than one character; a number when it
    is all decimal digits (read as ASCII) other than "0".
    """
    names: list[str] = []
    numbers: list[str] = []
    for t in tokens(full, lower=False):
        if t[0].isupper():
            low = t.lower()
            if len(low) > 1:
                names.append(low)
        elif t.isascii() and t.isdigit() and t != "0":
            numbers.append(t)
    return names, numbers


@cache
def _upper_bmp() -> npt.NDArray[np.bool_]:
    """``chr(c).isupper()`` for every code point of the Basic Multilingual Plane (built once)."""
    return np.array([chr(c).isupper() for c in range(0x10000)], dtype=np.bool_)


@cache
def _irregular() -> re.Pattern[str]:
    """Characters whose lower-casing is not one character that is a word character exactly when they are
    (or depends on the neighbours: the Greek capital sigma), and everything beyond the BMP."""

    def word(c: str) -> bool:
        return c.isalnum() or c == "_"

    bad = [
        c for c in map(chr, range(0x80, 0x10000))
        if not 0xD800 <= ord(c) < 0xE000 and (len(c.lower()) != 1 or word(c) != word(c.lower()))
    ]  # fmt: skip
    return re.compile("[" + "".join(map(re.escape, [*bad, "\u03a3"])) + "\U00010000-\U0010ffff]")


def _upper_initials(
    full: Sequence[str],
    is_ascii: Sequence[bool],
    tok_doc: npt.NDArray[np.int64],
    char_start: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For the non-ASCII texts that lower-case regularly: which of the (lower-cased) tokens start with an
    upper-case character in the original, and which texts these are.

    Regularly: every character lower-cases to one character, a word character exactly when it is one, and
    without looking at its neighbours (`_irregular` lists the others). Then the original-case text and the
    lower-cased one have the same tokens at the same character offsets, and a token's original first
    character is the original text's character at the token's offset (read from its UTF-32 form). The other
    texts are left to `names_of_text`."""
    n = len(full)
    upper = np.zeros(tok_doc.size, dtype=np.bool_)
    aligned = np.zeros(n, dtype=np.bool_)
    irregular = _irregular()
    cand = [
        d for d, (f, a) in enumerate(zip(full, is_ascii, strict=True)) if not a and not irregular.search(f)
    ]
    if not cand:
        return upper, aligned
    aligned[cand] = True
    code = np.frombuffer("".join(full[d] for d in cand).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    base = np.zeros(n, dtype=np.int64)
    base[cand] = np.cumsum([0] + [len(full[d]) for d in cand[:-1]], dtype=np.int64)
    at = aligned[tok_doc]
    upper[at] = _upper_bmp()[code[base[tok_doc[at]] + char_start[at]]]  # BMP: the rest is irregular
    return upper, aligned


def names_and_numbers(
    full: Sequence[str],
    is_ascii: Sequence[bool],
    low: Sequence[bytes],
    buf: bytes,
    toks: TokenArrays,
    tok_doc: npt.NDArray[np.int64],
    char_start: npt.NDArray[np.int64],
    stop: npt.NDArray[np.bool_],
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.float32],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint16],
    npt.NDArray[np.int64],
    npt.NDArray[np.uint32],
    npt.NDArray[np.int64],
]:
    """Per document (with offsets): sorted 32-bit hashes of names and numbers, with their L2-normalised
    ``1 + log count`` weights; years (1800-2099) among the
    numbers; the 32-bit hashes of the other numbers.

    A name is a token of the original-case text that starts with an upper-case letter, is longer than one
    character and is not a function word (hashed lower-cased); a number is a run of digits other than "0".
    ASCII texts are read from the original-case bytes, which are aligned byte for byte with the lower-cased
    ones; other texts, when they lower-case regularly, from their original characters at the tokens' offsets
    (`_upper_initials`), else through `names_of_text`.
    """
    n = len(full)
    h = toks.hashes
    orig = b" ".join(
        word_bytes(f, lower=False) if a else x for f, a, x in zip(full, is_ascii, low, strict=True)
    )
    first = np.frombuffer(orig, dtype=np.uint8)[toks.starts]
    ascii_tok = np.asarray(is_ascii, dtype=np.bool_)[tok_doc]
    upper, aligned = _upper_initials(full, is_ascii, tok_doc, char_start)
    read = ascii_tok | aligned[tok_doc]
    is_name = ((ascii_tok & (first >= 65) & (first <= 90)) | upper) & (toks.chars > 1) & ~stop
    is_num = read & toks.digits & ~((toks.lengths == 1) & (first == 48))
    num_text = [
        buf[s : s + k]
        for s, k in zip(toks.starts[is_num].tolist(), toks.lengths[is_num].tolist(), strict=True)
    ]
    other_names: list[str] = []
    other_nums: list[str] = []
    name_doc: list[int] = []
    num_doc: list[int] = []
    for d in (i for i, a in enumerate(is_ascii) if not a and not aligned[i]):
        names_d, nums_d = names_of_text(full[d])
        other_names += names_d
        name_doc += [d] * len(names_d)
        other_nums += nums_d
        num_doc += [d] * len(nums_d)
    o_names = token_hashes(other_names)
    o_keep = ~STOPWORD_HASHES.contains(o_names)
    o_nums = token_hashes(other_nums)
    num_text += [x.encode() for x in other_nums]
    nums_h = np.concatenate([h[is_num], o_nums])
    nums_doc = np.concatenate([tok_doc[is_num], np.array(num_doc, dtype=np.int64)])
    names, name_counts, n_off = unique_per_doc(
        np.concatenate([tok_doc[is_name], np.array(name_doc, dtype=np.int64)[o_keep], nums_doc]),
        np.concatenate([h[is_name], o_names[o_keep], nums_h]) >> np.uint64(32),
        32,
        n,
    )
    values = [int(x) if len(x) == 4 else 0 for x in num_text]
    is_year = np.array([1800 <= v <= 2099 for v in values], dtype=np.bool_)
    years, _, y_off = unique_per_doc(
        nums_doc[is_year], np.array(values, dtype=np.uint64)[is_year] if values else EMPTY64, 16, n
    )
    numbers, _, m_off = unique_per_doc(nums_doc[~is_year], nums_h[~is_year] >> np.uint64(32), 32, n)
    return (
        names.astype(np.uint32),
        log_weights(name_counts, n_off),
        n_off,
        years.astype(np.uint16),
        y_off,
        numbers.astype(np.uint32),
        m_off,
    )
