from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.gitrepo import GitRepo

# CI explores the same examples every run (a red main must mean a change broke something);
# developers' runs explore new ones, and a falsifying example found there becomes an
# ``@example`` beside the property.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Whole folders or files whose tests start real language servers, editors or browsers: seconds
# each. `pytest -m "not slow"` is the developer's fast loop; CI runs everything.
SLOW_PATHS = ("tests/lsp/", "tests/editors/", "tests/report/test_chromium.py")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts real servers, editors or browsers")
    config.addinivalue_line(
        "markers", "untrusted_workspace: the user has not trusted the repositories' own config"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent.parent
    for item in items:
        relative = Path(item.path).resolve().relative_to(root).as_posix()
        if relative.startswith(SLOW_PATHS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[None]:
    """No test sees the developer's git config, API keys or user config file.

    Test repositories' own ``.deep-review.toml`` stands for the user's setup (scripted model
    servers, allowlists), so the user has trusted it — except in tests marked
    ``untrusted_workspace``, which check what an untrusted branch cannot do.
    """
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.endswith("_API_KEY") or key.startswith("DEEP_REVIEW_"):
            del os.environ[key]
    os.environ["HOME"] = str(home)
    os.environ["XDG_CONFIG_HOME"] = str(home / ".config")
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    if request.node.get_closest_marker("untrusted_workspace") is None:
        os.environ["DEEP_REVIEW_TRUST_ALL_REPOSITORIES"] = "1"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty git repository on branch ``main``."""
    return GitRepo(tmp_path / "repo")
