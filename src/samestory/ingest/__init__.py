"""Readers that turn files, streams and strings into `Article`s.

`from_text` builds one article from a string; readers for each file format come in this package.
"""

from samestory.ingest.build import from_text

__all__ = ["from_text"]
