"""Shared fixtures: the built-in plan, its raw file, and the published text."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import yantai_policy as yp
from yantai_policy.loading import BUILTIN_PLAN


@pytest.fixture(scope="session")
def policy() -> yp.Policy:
    """The built-in Yantai plan."""
    return yp.load_policy()


@pytest.fixture(scope="session")
def plan_text() -> str:
    """The built-in plan file's text, as shipped in the package."""
    return resources.files("yantai_policy").joinpath("data", BUILTIN_PLAN).read_text("utf-8")


@pytest.fixture
def plan_data(plan_text: str) -> dict[str, Any]:
    """A fresh parse of the built-in plan file, safe to mutate."""
    data: dict[str, Any] = json.loads(plan_text)
    return data


@pytest.fixture(scope="session")
def source_bytes(policy: yp.Policy) -> bytes:
    """The published notice, as carried in the repository (inside the package)."""
    name = policy.provenance.source_file
    return resources.files("yantai_policy").joinpath("data", name).read_bytes()


@pytest.fixture(scope="session")
def other_city_path() -> Path:
    """A small plan for another city, written in TOML."""
    return Path(__file__).parent / "data" / "other-city.toml"
