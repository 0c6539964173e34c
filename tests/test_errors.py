"""The error hierarchy: one base, each subclass also a built-in error."""

from __future__ import annotations

import yantai_policy as yp


def test_hierarchy() -> None:
    """PolicyDataError is a ValueError and UnknownNameError a LookupError, both PolicyErrors."""
    assert issubclass(yp.PolicyDataError, yp.PolicyError)
    assert issubclass(yp.PolicyDataError, ValueError)
    assert issubclass(yp.UnknownNameError, yp.PolicyError)
    assert issubclass(yp.UnknownNameError, LookupError)
    assert not issubclass(yp.PolicyError, ValueError)


def test_data_error_message_names_the_location() -> None:
    """The message is file:line: path: reason, and the parts stay available."""
    error = yp.PolicyDataError("missing", file="plan.toml", path="measures[0].title", line=12)
    assert str(error) == "plan.toml:12: measures[0].title: missing"
    assert (error.file, error.line, error.path, error.reason) == (
        "plan.toml",
        12,
        "measures[0].title",
        "missing",
    )
    assert str(yp.PolicyDataError("bad")) == "<data>: bad"


def test_unknown_name_error_str_is_unquoted() -> None:
    """str() gives the message itself, not LookupError's quoted repr."""
    error = yp.UnknownNameError("no unit named 'x'", name="x", suggestions=("y",))
    assert str(error) == "no unit named 'x'; did you mean: y?"
    assert error.name == "x"
