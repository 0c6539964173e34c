"""The library's errors: one base class, and subclasses that are also built-in errors.

Every error this library raises on purpose is a [`PolicyError`][yantai_policy.errors.PolicyError], so callers can
catch everything from us with one ``except``. Each subclass also derives from the
built-in exception a Python programmer would expect, so ``except ValueError`` around
``load_policy`` still works.

Examples:
    >>> import yantai_policy as yp
    >>> try:
    ...     yp.load_policy().measure(21)
    ... except LookupError as error:
    ...     print(error)
    no measure 21; the plan has measures 1-20
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["PolicyDataError", "PolicyError", "UnknownNameError"]


class PolicyError(Exception):
    """The base class of every error that yantai-policy raises on purpose."""


class PolicyDataError(PolicyError, ValueError):
    """A plan file is unreadable or invalid.

    The message names the file, the line where the parser gives one, and the key path
    (such as ``measures[6].actions[0].bureau``) of the offending value.

    Attributes:
        file: The plan file, or ``"<data>"`` for data given in memory.
        path: The key path of the offending value, or ``""`` for the whole file.
        line: The 1-based line number, where the parser gives one.
        reason: The bare reason, without the location.
    """

    def __init__(
        self, reason: str, *, file: str | Path = "<data>", path: str = "", line: int | None = None
    ) -> None:
        """Build the error from the reason and its location."""
        self.file = str(file)
        self.path = path
        self.line = line
        self.reason = reason
        where = self.file if line is None else f"{self.file}:{line}"
        if path:
            where = f"{where}: {path}"
        super().__init__(f"{where}: {reason}")


class UnknownNameError(PolicyError, LookupError):
    """A measure number or unit name that the plan does not have.

    Attributes:
        name: The name (or number) that was asked for.
        suggestions: Close matches, best first (possibly empty).
    """

    def __init__(self, message: str, *, name: object, suggestions: tuple[str, ...] = ()) -> None:
        """Build the error; the message lists the close matches when there are any."""
        self.name = name
        self.suggestions = suggestions
        if suggestions:
            message = f"{message}; did you mean: {', '.join(suggestions)}?"
        super().__init__(message)

    def __str__(self) -> str:
        """Return the message itself (LookupError would wrap it in quotes)."""
        return str(self.args[0])
