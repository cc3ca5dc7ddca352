"""Frequent function words (English, Russian and a few other European languages), from `samestory.text.stopwords`.

They are never content terms or names: they say nothing about which story a text tells.
"""

from __future__ import annotations

from samestory.text.stopwords import ALL as STOPWORDS

__all__ = ["STOPWORDS"]
