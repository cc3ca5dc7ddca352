"""The thin command-line layer: parse arguments, call the library, render."""

from samestory.cli.app import app, main

__all__ = ["app", "get_app", "main"]


def get_app() -> object:
    """The typer app with every command registered (for tests and embedding)."""
    from samestory.cli import commands  # noqa: F401

    return app
