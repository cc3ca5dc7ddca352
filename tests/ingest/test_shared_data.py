"""Every kind of text in ../shared/data loads with zero errors (a sample here; benchmarks/ingest.py reads it all)."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from samestory.article import Article
from samestory.errors import InputError
from samestory.eval.wmt import load_wmt
from samestory.ingest import ReadOptions, from_text, read_paths


def test_ecb_jsonl_loads_without_errors(ecb_jsonl: Path) -> None:
    results = list(read_paths([ecb_jsonl]))
    errors = [str(r) for r in results if isinstance(r, InputError)]
    assert errors == []
    assert len(results) == sum(1 for line in ecb_jsonl.open(encoding="utf-8") if line.strip())
    assert all(isinstance(r, Article) and r.lang == "en" and r.sentences for r in results)


def test_semeval_csv_sample_loads_without_errors(semeval_csv: Path) -> None:
    for field in ("text1", "text2"):
        results = list(
            islice(read_paths([semeval_csv], ReadOptions(text_field=field, id_field="pair_id")), 120)
        )
        assert [str(r) for r in results if isinstance(r, InputError)] == []
        assert len(results) == 120


def test_wmt_documents_build_with_exact_spans(wmt_xml: Path) -> None:
    for doc in load_wmt(wmt_xml)[:40]:
        for version in (doc.source, *doc.refs[:1]):
            a = from_text(version.text)
            assert a.lang == ("ru" if version.lang.startswith("ru") else "en")
            assert a.sentences and all(a.text[s.start : s.end] == s.text for s in a.sentences)
