"""Shared fixtures: the example pair, the shared data sets (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from samestory.eval.data import ENV_VAR, data_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLE_A = EXAMPLES / "000_c15b2c954df542e4.txt"
EXAMPLE_B = EXAMPLES / "001_3b3a645dc43cac4c.txt"


def shared(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with a reason naming it."""
    path = data_file(*parts)
    if path is None:
        pytest.skip(f"shared data {'/'.join(parts)} not found (set {ENV_VAR} to the shared/data folder)")
    return path


@pytest.fixture
def example_a() -> Path:
    return EXAMPLE_A


@pytest.fixture
def example_b() -> Path:
    return EXAMPLE_B


@pytest.fixture
def wmt_xml() -> Path:
    return shared("wmt21-ru-en", "newstest2021.ru-en.all.xml")


@pytest.fixture
def semeval_csv() -> Path:
    return shared("semeval2022-task8", "train.csv")


@pytest.fixture
def ecb_jsonl() -> Path:
    return shared("ecbplus", "topics-01-22.jsonl")


@pytest.fixture
def msrp_txt() -> Path:
    return shared("msrp", "msr_paraphrase_train.txt")
