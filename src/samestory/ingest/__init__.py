"""Readers that turn files, streams and strings into `Article`s.

`from_text` builds one article from a string; `read_paths` reads files, directories and stdin (yielding
errors instead of raising them, so a batch continues); `read_rows` reads table rows (a DataFrame's); `load` reads one single-article file and raises.
"""

from samestory.ingest.build import from_text
from samestory.ingest.options import ReadOptions
from samestory.ingest.readers import load, read_paths
from samestory.ingest.records import read_rows

__all__ = ["ReadOptions", "from_text", "load", "read_paths", "read_rows"]
