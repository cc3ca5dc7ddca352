"""`samestory serve`: the web viewer over an index (thin wrapper over `samestory.web.create_app`)."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape

from samestory.cli.app import app, handles_errors, stderr, warn
from samestory.cli.corpus_cmd import DbOption
from samestory.errors import InputError, MissingDependencyError


@app.command("serve")
@handles_errors
def serve(
    db: str = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    encoder: str = typer.Option("auto", "--encoder", "-e", help="Encoder for /compare (as `compare`)."),
    workers: int = typer.Option(
        1,
        "--workers",
        "-w",
        help="Server processes (0: one per core). Each opens the store read-only and keeps its own story "
        "list and caches (memory and start-up time grow with each).",
    ),
) -> None:
    """Browse an index in a web browser: stories, timelines, claims, side-by-side versions (read-only)."""
    from samestory.web import DB_ENV, ENCODER_ENV, create_app

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, got {port}")
    if workers < 0:
        raise InputError(f"--workers must be 0 (one per core) or more, got {workers}")
    processes = workers or os.cpu_count() or 1
    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError("samestory serve", "uvicorn", "web") from None
    application = create_app(db, encoder=encoder)  # refuses a missing or unreadable store now
    if host not in ("127.0.0.1", "localhost", "::1"):
        warn(
            f"listening on {escape(host)}: anyone who can reach this machine can read the index "
            "(the viewer has no login); use the default 127.0.0.1 to keep it local"
        )
    stderr.print(
        f"samestory viewer on http://{escape(host)}:{port}/"
        + (f" ({processes} processes)" if processes > 1 else "")
        + " (Ctrl-C to stop)",
        highlight=False,
    )
    if processes == 1:
        uvicorn.run(application, host=host, port=port, log_level="warning")
        return
    # each worker process imports the app from `samestory.web.app.app_from_env`, which reads these
    os.environ[DB_ENV] = str(Path(db).resolve())
    os.environ[ENCODER_ENV] = encoder
    uvicorn.run(
        "samestory.web.app:app_from_env",
        factory=True,
        workers=processes,
        host=host,
        port=port,
        log_level="warning",
    )
