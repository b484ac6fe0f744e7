"""Loading ``Settings`` from files and the environment.

Precedence, highest first:

1. environment variables ``DEEP_REVIEW_*`` (see ``ENVIRONMENT``);
2. the repository's ``.deep-review.toml`` (top-level keys);
3. the repository's ``pyproject.toml`` under ``[tool.deep-review]``;
4. the user file ``$XDG_CONFIG_HOME/deep-review/config.toml`` (default ``~/.config``);
5. built-in defaults.

Tables (``[change]``, ``[commands]``, ``[reconcile]``) merge key by key, so a repository can
override one key of the user's table; lists (``reviewers``, ``change.exclude``, ...) are
replaced as a whole by the higher source. An unknown key is a ``ConfigError`` naming the key and
the file; so is invalid TOML (with its line) and a value of the wrong type.

Layers 2 and 3 come from the branch under review: what in them executes or sends the code
elsewhere applies only once the user trusts that config (``workspace_trust``); until then it
is left out and ``Settings.withheld`` says what and why.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from deep_review.config import Settings
from deep_review.errors import ConfigError
from deep_review.workspace_trust import (
    config_digest,
    is_trusted,
    privileged_settings,
    without_privileged,
)

REPO_FILE = ".deep-review.toml"
PYPROJECT = "pyproject.toml"
USER_FILE = Path("deep-review") / "config.toml"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _boolean(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean; use true or false.")


def _integer(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number.") from None


def _globs(_name: str, value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _json_list(name: str, value: str) -> list[Any]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{name} is not valid JSON ({error.msg}).") from None
    if not isinstance(parsed, list):
        raise ConfigError(f"{name} must be a JSON list of reviewer tables.")
    return parsed


def _text(_name: str, value: str) -> str:
    return value.strip()


# Environment variable -> (dotted settings key, parser). Documented in docs/configuration.md.
ENVIRONMENT: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "DEEP_REVIEW_BASE": ("base", _text),
    "DEEP_REVIEW_INCLUDE_UNCOMMITTED": ("change.include_uncommitted", _boolean),
    "DEEP_REVIEW_MAX_FILE_BYTES": ("change.max_file_bytes", _integer),
    "DEEP_REVIEW_EXCLUDE": ("change.exclude", _globs),
    "DEEP_REVIEW_INCLUDE": ("change.include", _globs),
    "DEEP_REVIEW_MIN_SEVERITY": ("reconcile.min_severity", _text),
    "DEEP_REVIEW_LEAD": ("reconcile.lead", _text),
    "DEEP_REVIEW_REVIEWERS": ("reviewers", _json_list),
}


_ENV_SOURCE = "the environment"
_VARIABLE_OF = {key: name for name, (key, _) in ENVIRONMENT.items()}


def user_config_path(env: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/deep-review/config.toml``, defaulting to ``~/.config``."""
    base = env.get("XDG_CONFIG_HOME") or ""
    folder = Path(base) if base else Path(env.get("HOME") or Path.home()) / ".config"
    return folder / USER_FILE


def load_settings(
    repo_root: Path,
    *,
    env: Mapping[str, str] | None = None,
    user_config: Path | None = None,
) -> Settings:
    """Settings for ``repo_root`` from every source, merged by the documented precedence."""
    env = os.environ if env is None else env
    layers: list[tuple[str, dict[str, Any]]] = []
    if user_config is not None and not user_config.is_file():
        raise ConfigError(f"The configuration file {user_config} does not exist.")
    user_file = user_config if user_config is not None else user_config_path(env)
    if user_file.is_file():
        layers.append((str(user_file), _read_toml(user_file)))
    repository = repository_config(repo_root)
    withheld: list[str] = []
    if repository.privileged and not is_trusted(repo_root, repository.digest, env):
        withheld = repository.privileged
        layers.extend((source, without_privileged(data)) for source, data in repository.layers)
    else:
        layers.extend(repository.layers)
    environment = _from_environment(env)
    if environment:
        layers.append((_ENV_SOURCE, environment))
    merged: dict[str, Any] = {}
    for source, data in layers:
        _validate(data, source)
        merged = _merge(merged, data)
    return _validate(merged, "the merged configuration").withholding(withheld)


@dataclass(frozen=True)
class RepositoryConfig:
    """The config the repository itself carries, and what in it needs the user's consent."""

    layers: list[tuple[str, dict[str, Any]]]
    privileged: list[str]
    digest: str


def repository_config(repo_root: Path) -> RepositoryConfig:
    """``[tool.deep-review]`` in pyproject.toml and ``.deep-review.toml``, as committed data."""
    layers: list[tuple[str, dict[str, Any]]] = []
    pyproject = Path(repo_root) / PYPROJECT
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("deep-review")
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(f"[tool.deep-review] in {pyproject} must be a table.")
            layers.append((f"{pyproject} [tool.deep-review]", section))
    repo_file = Path(repo_root) / REPO_FILE
    if repo_file.is_file():
        layers.append((str(repo_file), _read_toml(repo_file)))
    privileged = [
        f"{Path(source).name if source == str(repo_file) else source}: {item}"
        for source, data in layers
        for item in privileged_settings(data)
    ]
    return RepositoryConfig(layers, privileged, config_digest([data for _, data in layers]))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}.") from None
    except OSError as error:
        raise ConfigError(f"{path} cannot be read: {error.strerror}.") from None


def _from_environment(env: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, (key, parse) in ENVIRONMENT.items():
        if name not in env:
            continue
        value = parse(name, env[name])
        table = data
        *parents, leaf = key.split(".")
        for parent in parents:
            table = table.setdefault(parent, {})
        table[leaf] = value
    return data


def _merge(lower: dict[str, Any], higher: dict[str, Any]) -> dict[str, Any]:
    merged = dict(lower)
    for key, value in higher.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validate(data: dict[str, Any], source: str) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, data, source)) from None


def _describe(error: ValidationError, data: dict[str, Any], source: str) -> str:
    first = error.errors()[0]
    key = _dotted(first["loc"], data)
    if source == _ENV_SOURCE:
        top = key.split("[")[0]
        variable = _VARIABLE_OF.get(top) or _VARIABLE_OF.get(top.split(".")[0], "DEEP_REVIEW_*")
        source = f"the environment ({variable})"
    if first["type"] == "extra_forbidden":
        return f"Unknown key {key!r} in {source}."
    if first["type"] == "missing":
        return f"Missing key {key!r} in {source}."
    return f"Invalid value for {key!r} in {source}: {first['msg']}."


def _dotted(location: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """``reviewers[0].modle`` style key path; a reviewer is named when it has a name."""
    parts: list[str] = []
    node: Any = data
    for item in location:
        child = _child(node, item)
        if isinstance(item, int) and parts:
            name = child.get("name") if isinstance(child, dict) else None
            label = repr(name) if isinstance(name, str) else str(item)
            parts[-1] = f"{parts[-1]}[{label}]"
        else:
            parts.append(str(item))
        node = child
    return ".".join(parts)


def _child(node: Any, item: int | str) -> Any:
    if isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
        return node[item]
    if isinstance(node, dict):
        return node.get(item)
    return None
