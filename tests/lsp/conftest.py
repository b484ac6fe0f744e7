from __future__ import annotations

import pytest

from tests.lsp.editor import PROFILES
from tests.lsp.project import feature_project
from tests.support.gitrepo import GitRepo


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """The ``feature`` branch of the fixture project (see ``project.py``)."""
    return feature_project(repo)


@pytest.fixture(params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> str:
    """Each client capability profile in turn: VS Code-like and Neovim-like."""
    return str(request.param)
