"""`samestory serve`: the web viewer over an index (thin wrapper over `samestory.web.create_app`)."""

from __future__ import annotations

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
) -> None:
    """Browse an index in a web browser: stories, timelines, claims, side-by-side versions (read-only)."""
    from samestory.web import create_app

    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, got {port}")
    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError("samestory serve", "uvicorn", "web") from None
    application = create_app(db, encoder=encoder)
    if host not in ("127.0.0.1", "localhost", "::1"):
        warn(
            f"listening on {escape(host)}: anyone who can reach this machine can read the index "
            "(the viewer has no login); use the default 127.0.0.1 to keep it local"
        )
    stderr.print(f"samestory viewer on http://{escape(host)}:{port}/ (Ctrl-C to stop)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")
