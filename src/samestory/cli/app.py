"""The typer application objects and the boundary that turns library errors into one-line CLI errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from samestory.errors import SamestoryError
from samestory.text.display import printable

app = typer.Typer(
    name="samestory",
    help="Find every version of a news story and show how the versions correspond and differ.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
eval_app = typer.Typer(help="Evaluate samestory on benchmark data sets.", no_args_is_help=True)
index_app = typer.Typer(help="Build and maintain a corpus index (SQLite).", no_args_is_help=True)
train_app = typer.Typer(help="Rebuild the small trained models shipped with samestory.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(index_app, name="index")
app.add_typer(train_app, name="train")

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_BAD_INPUT = 2


def show(text: str) -> str:
    """Input-supplied text (an id, a title, a path) ready for a rich print: control characters and bidi
    overrides made visible (`samestory.text.display.printable`), markup escaped."""
    return escape(printable(text))


def error(message: str) -> None:
    """Print one error line on stderr (no traceback); ``message`` is rich markup (escape what it quotes)."""
    stderr.print(f"[bold red]error:[/] {printable(message)}", highlight=False, markup=True)


def warn(message: str) -> None:
    stderr.print(f"[yellow]warning:[/] {printable(message)}", highlight=False, markup=True)


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so that a `SamestoryError` becomes one error line and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SamestoryError as exc:
            error(escape(str(exc)))
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


def main() -> None:
    """Console entry point."""
    from samestory.cli import commands  # noqa: F401  (registers every command on `app`)

    try:
        app()
    except SamestoryError as exc:  # a command that forgot @handles_errors still exits cleanly
        error(escape(str(exc)))
        sys.exit(EXIT_BAD_INPUT)
