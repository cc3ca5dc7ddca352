"""`samestory corpus` commands."""

from samestory.cli.app import app  # noqa: F401
