"""Workspace trust: what a repository's own config may do only with the user's consent.

A branch under review is untrusted, and so is the ``.deep-review.toml`` (or
``[tool.deep-review]``) it carries. Repository config may choose among reviewers and tune
them, but settings that execute something (allowlisted commands, ``sarif-command`` analyzers)
or that send the code elsewhere (a reviewer's ``base_url``, with or without a key) apply only
once the user has trusted that exact config. Consent is recorded outside the repository, in
the user's config folder, keyed by the repository's path and a hash of its config; any change
to the config asks again. ``DEEP_REVIEW_TRUST_ALL_REPOSITORIES=1`` is the user's own blanket
consent (CI on one's own code).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deep_review.errors import ConfigError

TRUST_FILE = Path("deep-review") / "trusted-repositories.json"
TRUST_ALL_ENV = "DEEP_REVIEW_TRUST_ALL_REPOSITORIES"
_TRUE = {"1", "true", "yes", "on"}


def privileged_settings(layer: Mapping[str, Any]) -> list[str]:
    """What in one repository config layer needs consent, described for the user."""
    found: list[str] = []
    commands = layer.get("commands")
    if isinstance(commands, Mapping) and commands.get("allow"):
        allowed = ", ".join(repr(str(c)) for c in commands["allow"])
        found.append(f"lets reviewers run commands: {allowed}")
    for reviewer in _reviewers(layer):
        name = str(reviewer.get("name", "?"))
        if reviewer.get("provider") == "sarif-command" or reviewer.get("command"):
            found.append(f"runs the command {str(reviewer.get('command', ''))!r} ({name})")
        if reviewer.get("base_url"):
            key = reviewer.get("api_key_env")
            sends = f"your {key} and the code" if key else "the code"
            found.append(f"sends {sends} to {reviewer['base_url']} (reviewer {name})")
    return found


def without_privileged(layer: Mapping[str, Any]) -> dict[str, Any]:
    """The layer with every setting that needs consent left out."""
    kept = dict(layer)
    commands = kept.get("commands")
    if isinstance(commands, Mapping) and "allow" in commands:
        kept["commands"] = {k: v for k, v in commands.items() if k != "allow"}
    if "reviewers" in kept and isinstance(kept["reviewers"], list):
        kept["reviewers"] = [
            reviewer
            for reviewer in kept["reviewers"]
            if not (
                isinstance(reviewer, Mapping)
                and (
                    reviewer.get("provider") == "sarif-command"
                    or reviewer.get("command")
                    or reviewer.get("base_url")
                )
            )
        ]
    return kept


def _reviewers(layer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    reviewers = layer.get("reviewers")
    if not isinstance(reviewers, list):
        return []
    return [r for r in reviewers if isinstance(r, Mapping)]


def config_digest(layers: list[Mapping[str, Any]]) -> str:
    """A hash of the repository's config layers: any change to them asks for consent again."""
    canonical = json.dumps(layers, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def trust_file(env: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/deep-review/trusted-repositories.json`` (default ``~/.config``)."""
    base = env.get("XDG_CONFIG_HOME") or ""
    folder = Path(base) if base else Path(env.get("HOME") or Path.home()) / ".config"
    return folder / TRUST_FILE


def _repository_key(repo_root: Path) -> str:
    return str(Path(repo_root).resolve())


def _read(env: Mapping[str, str]) -> dict[str, Any]:
    path = trust_file(env)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        # An unreadable record trusts nothing; it is never silently replaced.
        raise ConfigError(f"{path} cannot be read ({error}); fix or remove it.") from None
    return data if isinstance(data, dict) else {}


def is_trusted(repo_root: Path, digest: str, env: Mapping[str, str]) -> bool:
    """Whether the user consented to this repository's config as it is now."""
    if env.get(TRUST_ALL_ENV, "").strip().lower() in _TRUE:
        return True
    entry = _read(env).get(_repository_key(repo_root))
    return isinstance(entry, dict) and entry.get("config_sha256") == digest


def grant(repo_root: Path, digest: str, env: Mapping[str, str]) -> Path:
    """Record consent to this repository's config (as it is now); where it was recorded."""
    data = _read(env)
    data[_repository_key(repo_root)] = {
        "config_sha256": digest,
        "trusted_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return _write(data, env)


def revoke(repo_root: Path, env: Mapping[str, str]) -> bool:
    """Forget consent for this repository; whether there was any."""
    data = _read(env)
    if data.pop(_repository_key(repo_root), None) is None:
        return False
    _write(data, env)
    return True


def _write(data: dict[str, Any], env: Mapping[str, str]) -> Path:
    path = trust_file(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def withheld_notice(withheld: list[str]) -> str:
    """What the user is told when repository settings were left out for want of consent."""
    listed = "; ".join(withheld)
    return (
        "Left out of this repository's config until you trust it (run `deep-review trust` to"
        f" review and accept it): {listed}."
    )
