"""What a cached result depends on: reused only when everything that shapes it is the same.

One key per reviewer (the change, and that reviewer's provider, model, effort, endpoint, every
other setting, the prompts, the command allowlist, the repository's instructions, and whether
its API key is set) and one for the reconciliation (the panel's keys, the lead and its settings,
the reconcile prompts). Key *values* never enter a key, only whether a key is present: a run
without a key must never stand in for one with it, and nothing secret is written to disk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from deep_review import __version__
from deep_review.change.model import Change
from deep_review.config import MODEL_PROVIDERS, ReviewerConfig, Settings
from deep_review.panel.prompting import INSTRUCTION_FILES
from deep_review.panel.providers import DEFAULT_KEY_ENV

# Bump when what a key covers changes meaning: old entries then simply miss.
KEY_FORMAT = 2


def digest(payload: object) -> str:
    """A stable hex digest of JSON-shaped ``payload``."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:48]


@cache
def prompts_digest(package: str) -> str:
    """Digest of every prompt file of ``package`` (its ``prompts/*.md``): the prompt version.

    The text itself, not a declared version number: an edited prompt that forgot to bump its
    version still changes the key.
    """
    folder = resources.files(package).joinpath("prompts")
    files = sorted(
        (item.name, item.read_text("utf-8"))
        for item in folder.iterdir()
        if item.name.endswith(".md")
    )
    return digest(files)


def change_identity(change: Change) -> dict[str, Any]:
    """The reviewed state: base, head, the exact diff, and what was included."""
    return {
        "base": change.base_sha,
        "head": change.head_sha,
        "diff": change.diff_hash,
        "uncommitted": change.include_uncommitted,
        "files": [f.path for f in change.reviewed_files],
    }


def key_presence(reviewer: ReviewerConfig, env: Mapping[str, str]) -> dict[str, bool]:
    """Whether each variable this reviewer may take its key from is set (never the value)."""
    names = {reviewer.api_key_env, DEFAULT_KEY_ENV.get(reviewer.provider)}
    return {name: bool(env.get(name)) for name in sorted(n for n in names if n)}


def instructions_digest(root: Path) -> str:
    """Digest of the repository's reviewer instruction files as they are on disk."""
    texts: list[tuple[str, str | None]] = []
    for name in INSTRUCTION_FILES:
        try:
            texts.append((name, hashlib.sha256((root / name).read_bytes()).hexdigest()))
        except OSError:
            texts.append((name, None))
    return digest(texts)


def reviewer_key(
    change: Change, reviewer: ReviewerConfig, settings: Settings, env: Mapping[str, str]
) -> str:
    """The key of one reviewer's review of ``change``."""
    payload: dict[str, Any] = {
        "format": KEY_FORMAT,
        "version": __version__,
        "change": change_identity(change),
        "reviewer": reviewer.model_dump(mode="json"),
        "keys": key_presence(reviewer, env),
    }
    if reviewer.provider in MODEL_PROVIDERS:
        payload["prompts"] = prompts_digest("deep_review.panel")
        payload["commands"] = settings.commands.model_dump(mode="json")
        payload["instructions"] = instructions_digest(Path(change.repo_root))
    return digest(payload)


def reconcile_key(
    change: Change,
    reviewer_keys: Sequence[str],
    lead: ReviewerConfig | None,
    settings: Settings,
    env: Mapping[str, str],
) -> str:
    """The key of the reconciled review: the panel's keys, the lead and reconcile settings."""
    payload: dict[str, Any] = {
        "format": KEY_FORMAT,
        "version": __version__,
        "change": change_identity(change),
        "panel": list(reviewer_keys),
        "reconcile": settings.reconcile.model_dump(mode="json"),
    }
    if lead is not None:
        payload["lead"] = lead.model_dump(mode="json")
        payload["lead_keys"] = key_presence(lead, env)
        payload["prompts"] = prompts_digest("deep_review.reconcile")
    return digest(payload)
