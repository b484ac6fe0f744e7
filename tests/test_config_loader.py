"""load_settings: sources, precedence, merging, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from deep_review.config_loader import load_settings, user_config_path
from deep_review.errors import ConfigError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "xdg" / "deep-review" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def env_for(user_file: Path, **variables: str) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(user_file.parent.parent), **variables}


def test_defaults_without_any_source(project: Path, user_file: Path) -> None:
    settings = load_settings(project, env=env_for(user_file))

    assert settings.base is None
    assert settings.change.include_uncommitted is True
    assert settings.reviewers == []


def test_precedence_env_over_repo_file_over_pyproject_over_user(
    project: Path, user_file: Path
) -> None:
    write(user_file, 'base = "user"\n[change]\nmax_file_bytes = 1000\nexclude = ["u/**"]\n')
    write(
        project / "pyproject.toml",
        '[project]\nname = "x"\n[tool.deep-review]\nbase = "pyproject"\n'
        '[tool.deep-review.reconcile]\nmin_severity = "important"\n',
    )
    write(project / ".deep-review.toml", 'base = "repo-file"\n[change]\nexclude = ["r/**"]\n')

    from_files = load_settings(project, env=env_for(user_file))
    with_env = load_settings(project, env=env_for(user_file, DEEP_REVIEW_BASE="from-env"))

    assert from_files.base == "repo-file"
    assert from_files.change.exclude == ["r/**"]  # lists are replaced, not merged
    assert from_files.change.max_file_bytes == 1000  # tables merge key by key
    assert from_files.reconcile.min_severity == "important"
    assert with_env.base == "from-env"


def test_reviewers_list_is_replaced_by_the_higher_source(project: Path, user_file: Path) -> None:
    write(
        user_file,
        '[[reviewers]]\nname = "claude"\nprovider = "anthropic"\nmodel = "claude-x"\n'
        '[[reviewers]]\nname = "gpt"\nprovider = "openai"\n',
    )
    write(project / ".deep-review.toml", '[[reviewers]]\nname = "local"\nprovider = "ruff"\n')

    settings = load_settings(project, env=env_for(user_file))

    assert [r.name for r in settings.reviewers] == ["local"]


def test_environment_variables(project: Path, user_file: Path) -> None:
    env = env_for(
        user_file,
        DEEP_REVIEW_INCLUDE_UNCOMMITTED="false",
        DEEP_REVIEW_MIN_SEVERITY="critical",
        DEEP_REVIEW_MAX_FILE_BYTES="2048",
        DEEP_REVIEW_EXCLUDE="docs/**, *.json",
        DEEP_REVIEW_LEAD="claude",
        DEEP_REVIEW_REVIEWERS='[{"name": "r", "provider": "ruff"}]',
    )

    settings = load_settings(project, env=env)

    assert settings.change.include_uncommitted is False
    assert settings.reconcile.min_severity == "critical"
    assert settings.reconcile.lead == "claude"
    assert settings.change.max_file_bytes == 2048
    assert settings.change.exclude == ["docs/**", "*.json"]
    assert [r.provider for r in settings.reviewers] == ["ruff"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEEP_REVIEW_INCLUDE_UNCOMMITTED", "maybe", "is not a boolean"),
        ("DEEP_REVIEW_MAX_FILE_BYTES", "lots", "is not a whole number"),
        ("DEEP_REVIEW_REVIEWERS", "{", "DEEP_REVIEW_REVIEWERS is not valid JSON"),
        (
            "DEEP_REVIEW_MIN_SEVERITY",
            "urgent",
            r"'reconcile.min_severity' in the environment \(DEEP_REVIEW_MIN_SEVERITY\)",
        ),
        (
            "DEEP_REVIEW_REVIEWERS",
            '[{"name": "x"}]',
            r"Missing key \"reviewers\['x'\].provider\" in the environment "
            r"\(DEEP_REVIEW_REVIEWERS\)",
        ),
    ],
)
def test_bad_environment_values_are_clear_errors(
    project: Path, user_file: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(project, env=env_for(user_file, **{name: value}))


def test_unknown_key_names_the_key_and_the_file(project: Path, user_file: Path) -> None:
    repo_file = write(project / ".deep-review.toml", "[change]\nexclud = ['x']\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(project, env=env_for(user_file))

    assert caught.value.message == f"Unknown key 'change.exclud' in {repo_file}."


def test_unknown_key_in_a_reviewer_names_the_reviewer(project: Path, user_file: Path) -> None:
    write(user_file, '[[reviewers]]\nname = "claude"\nprovider = "anthropic"\nmodle = "x"\n')

    with pytest.raises(ConfigError, match=r"Unknown key \"reviewers\['claude'\]\.modle\" in "):
        load_settings(project, env=env_for(user_file))


def test_unknown_key_in_pyproject_section(project: Path, user_file: Path) -> None:
    write(project / "pyproject.toml", "[tool.deep-review]\nreviwers = []\n")

    with pytest.raises(ConfigError, match=r"Unknown key 'reviwers' in .*pyproject.toml \[tool"):
        load_settings(project, env=env_for(user_file))


def test_pyproject_without_our_section_is_ignored(project: Path, user_file: Path) -> None:
    write(project / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")

    assert load_settings(project, env=env_for(user_file)).base is None


def test_invalid_toml_names_the_file_and_line(project: Path, user_file: Path) -> None:
    write(project / ".deep-review.toml", 'base = "main"\n[change\n')

    with pytest.raises(ConfigError, match=r"\.deep-review\.toml is not valid TOML: .*line 2"):
        load_settings(project, env=env_for(user_file))


def test_wrong_type_is_a_clear_error(project: Path, user_file: Path) -> None:
    write(project / ".deep-review.toml", "[change]\nmax_file_bytes = 'big'\n")

    with pytest.raises(ConfigError, match=r"Invalid value for 'change.max_file_bytes' in"):
        load_settings(project, env=env_for(user_file))


def test_explicit_user_config_path(project: Path, tmp_path: Path) -> None:
    custom = write(tmp_path / "custom.toml", 'base = "develop"\n')

    assert load_settings(project, env={}, user_config=custom).base == "develop"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(project, env={}, user_config=tmp_path / "missing.toml")


def test_user_config_path_defaults_to_home_config() -> None:
    assert user_config_path({"HOME": "/home/ada"}) == Path(
        "/home/ada/.config/deep-review/config.toml"
    )
    assert user_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/deep-review/config.toml")
