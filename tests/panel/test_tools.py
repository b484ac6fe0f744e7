"""The reviewer's repository tools, against real git repositories with history."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import anyio
import jsonschema
import pytest

from deep_review.change import collect_change
from deep_review.config import CommandsConfig
from deep_review.panel.redact import Redactor
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.tools import Toolbox, cap_output
from tests.support.gitrepo import GitRepo

GITHUB = "ghp_" + "Zq8" * 12  # assembled so no scanner flags this file

HAS_RIPGREP = shutil.which("rg") is not None
# CI installs ripgrep (scripts/setup.sh): there, a missing rg must fail the ripgrep tests.
SKIP_RIPGREP = not HAS_RIPGREP and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


def make_toolbox(
    repo: GitRepo,
    *,
    commands: CommandsConfig | None = None,
    use_ripgrep: bool = True,
    redactor: Redactor | None = None,
    max_result_bytes: int = 48 * 1024,
) -> Toolbox:
    change = collect_change(repo.root, base="main")
    return Toolbox(
        RepoSandbox(repo.root),
        change,
        commands=commands or CommandsConfig(),
        redactor=redactor or Redactor(),
        base_sha=change.base_sha,
        use_ripgrep=use_ripgrep,
        max_result_bytes=max_result_bytes,
    )


@pytest.fixture
def history(repo: GitRepo) -> GitRepo:
    """main: server.py by Ada; branch feature: Bob edits it; plus an uncommitted new file."""
    repo.write(
        "app/server.py",
        "def start():\n    listen()\n    return True\n\n\ndef stop():\n    close()\n",
    )
    repo.write("README.md", "# Demo\n")
    repo.commit("Add server")
    repo.branch("feature")
    repo.write(
        "app/server.py",
        "def start():\n    listen()\n    retry_forever()\n    return True\n\n\ndef stop():\n"
        "    close()\n",
    )
    repo.git("commit", "-q", "-a", "--author=Bob Builder <bob@example.com>", "-m", "Retry on start")
    repo.write("app/new_module.py", "VALUE = 1\n")
    return repo


def spec_names(toolbox: Toolbox) -> list[str]:
    return [spec.name for spec in toolbox.specs()]


def test_specs_are_json_schemas_and_run_command_is_off_by_default(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    assert spec_names(toolbox) == [
        "read_file",
        "grep",
        "list_files",
        "git_blame",
        "git_log",
        "show_base",
        "diff",
    ]
    read_file = toolbox.specs()[0]
    assert read_file.input_schema["type"] == "object"
    assert read_file.input_schema["required"] == ["path"]
    assert set(read_file.input_schema["properties"]) == {"path", "start_line", "end_line"}
    allowed = make_toolbox(history, commands=CommandsConfig(allow=["pytest -x"]))
    assert "run_command" in spec_names(allowed)


async def test_read_file_numbers_lines_and_reads_ranges(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    whole = await toolbox.call("read_file", {"path": "app/server.py"})
    assert not whole.is_error
    assert whole.text.splitlines()[2] == "     3\t    retry_forever()"
    part = await toolbox.call(
        "read_file", {"path": "app/server.py", "start_line": 7, "end_line": 8}
    )
    assert part.text == "     7\tdef stop():\n     8\t    close()\n"


async def test_bad_calls_are_readable_errors(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    unknown = await toolbox.call("delete_repo", {})
    assert unknown.is_error and "unknown tool 'delete_repo'" in unknown.text
    missing = await toolbox.call("read_file", {})
    assert missing.is_error and "path: Field required" in missing.text
    wrong = await toolbox.call("read_file", {"path": "app/server.py", "start_line": "two"})
    assert wrong.is_error and "start_line" in wrong.text
    backwards = await toolbox.call(
        "git_blame", {"path": "README.md", "start_line": 5, "end_line": 2}
    )
    assert backwards.is_error and "end_line must be greater" in backwards.text
    extra = await toolbox.call("list_files", {"glob": "*", "recursive": True})
    assert extra.is_error and "recursive" in extra.text
    past_end = await toolbox.call("read_file", {"path": "README.md", "start_line": 50})
    assert past_end.is_error and "has only 1 lines" in past_end.text


async def test_refused_paths_come_back_as_tool_errors(history: GitRepo, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", history.root / "link")
    toolbox = make_toolbox(history)
    for path, reason in [
        ("../outside.txt", "escapes"),
        ("/etc/passwd", "absolute path"),
        ("link", "outside the repository"),
        (".git/config", "git internals"),
    ]:
        result = await toolbox.call("read_file", {"path": path})
        assert result.is_error, path
        assert "read_file refused" in result.text and reason in result.text
    blame = await toolbox.call("git_blame", {"path": "../x", "start_line": 1, "end_line": 1})
    assert blame.is_error and "escapes" in blame.text


async def test_list_files_includes_untracked_and_filters_by_glob(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    everything = await toolbox.call("list_files", {})
    assert everything.text == "README.md\napp/new_module.py\napp/server.py\n"
    python = await toolbox.call("list_files", {"glob": "*.py"})
    assert python.text == "app/new_module.py\napp/server.py\n"
    none = await toolbox.call("list_files", {"glob": "*.go"})
    assert none.text == "(no files match)\n"


@pytest.mark.parametrize(
    "use_ripgrep",
    [
        pytest.param(True, marks=pytest.mark.skipif(SKIP_RIPGREP, reason="ripgrep not installed")),
        False,
    ],
)
async def test_grep_gives_path_line_text(history: GitRepo, use_ripgrep: bool) -> None:
    history.write("docs/notes.txt", "retry here too\n")
    history.write(".gitignore", "ignored/\n")
    history.write("ignored/retry.py", "retry()\n")
    toolbox = make_toolbox(history, use_ripgrep=use_ripgrep)
    assert (toolbox.ripgrep is not None) is use_ripgrep
    hits = await toolbox.call("grep", {"pattern": r"retry\w*"})
    assert not hits.is_error
    assert hits.text == "app/server.py:3:    retry_forever()\ndocs/notes.txt:1:retry here too\n"
    only_py = await toolbox.call("grep", {"pattern": "retry", "glob": "*.py"})
    assert only_py.text == "app/server.py:3:    retry_forever()\n"
    folded = await toolbox.call("grep", {"pattern": "RETRY_F", "ignore_case": True})
    assert folded.text == "app/server.py:3:    retry_forever()\n"
    nothing = await toolbox.call("grep", {"pattern": "no_such_thing"})
    assert nothing.text == "(no matches)\n" and not nothing.is_error
    invalid = await toolbox.call("grep", {"pattern": "(unclosed"})
    assert invalid.is_error and "invalid regular expression" in invalid.text


@pytest.mark.parametrize(
    "use_ripgrep",
    [
        pytest.param(True, marks=pytest.mark.skipif(SKIP_RIPGREP, reason="ripgrep not installed")),
        False,
    ],
)
async def test_grep_stays_inside_and_skips_secret_files(
    history: GitRepo, tmp_path: Path, use_ripgrep: bool
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.txt").write_text("retry outside\n")
    os.symlink(outside, history.root / "linked_dir")
    history.write(".env", "RETRY_TOKEN=retry\n")
    history.write("data.bin", b"retry\x00\x01")
    toolbox = make_toolbox(history, use_ripgrep=use_ripgrep)
    hits = await toolbox.call("grep", {"pattern": "retry"})
    assert "outside" not in hits.text
    assert ".env" not in hits.text
    assert "data.bin" not in hits.text
    assert "app/server.py:3:" in hits.text


@pytest.mark.parametrize("use_ripgrep", [HAS_RIPGREP, False])
async def test_grep_truncates_with_a_note(repo: GitRepo, use_ripgrep: bool) -> None:
    repo.write("many.txt", "".join(f"match {i}\n" for i in range(250)))
    repo.commit("many")
    toolbox = make_toolbox(repo, use_ripgrep=use_ripgrep)
    result = await toolbox.call("grep", {"pattern": "match"})
    lines = result.text.splitlines()
    assert len(lines) == 201
    assert lines[-1].startswith("[truncated: 50 more lines")


async def test_git_blame_names_the_commit_that_changed_each_line(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    ada_sha = history.git("rev-parse", "--short=12", "main")
    bob_sha = history.git("rev-parse", "--short=12", "feature")
    result = await toolbox.call(
        "git_blame", {"path": "app/server.py", "start_line": 2, "end_line": 3}
    )
    assert not result.is_error
    first, second = result.text.splitlines()
    assert first.startswith(f"{ada_sha} Ada Author ")
    assert first.endswith("    2 |     listen()")
    assert second.startswith(f"{bob_sha} Bob Builder ")
    assert second.endswith("    3 |     retry_forever()")


async def test_git_blame_marks_uncommitted_lines(history: GitRepo) -> None:
    history.write("README.md", "# Demo\nlocal edit\n")
    toolbox = make_toolbox(history)
    result = await toolbox.call("git_blame", {"path": "README.md", "start_line": 1, "end_line": 99})
    assert result.text.splitlines()[1].startswith("uncommitted ")
    assert result.text.splitlines()[1].endswith("| local edit")


async def test_git_log_whole_repo_and_one_path(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    log = await toolbox.call("git_log", {"max_count": 5})
    lines = log.text.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("Bob Builder Retry on start")
    assert lines[1].endswith("Ada Author Add server")
    readme = await toolbox.call("git_log", {"path": "README.md"})
    assert readme.text.splitlines()[0].endswith("Add server")
    limited = await toolbox.call("git_log", {"max_count": 1})
    assert len(limited.text.splitlines()) == 1


async def test_show_base_returns_the_file_before_the_change(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    base = await toolbox.call("show_base", {"path": "app/server.py"})
    assert "retry_forever" not in base.text
    assert base.text.splitlines()[2] == "     3\t    return True"
    added = await toolbox.call("show_base", {"path": "app/new_module.py"})
    assert added.is_error and "did not exist at the base" in added.text


async def test_diff_for_one_file_and_the_whole_change(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    one = await toolbox.call("diff", {"path": "app/server.py"})
    assert "+    retry_forever()" in one.text and "new_module" not in one.text
    whole = await toolbox.call("diff", {})
    assert "+    retry_forever()" in whole.text and "+VALUE = 1" in whole.text
    other = await toolbox.call("diff", {"path": "README.md"})
    assert other.is_error and "not part of this change" in other.text


async def test_every_tool_redacts_secrets(history: GitRepo) -> None:
    history.write("app/settings.py", f"GITHUB = '{GITHUB}'\n")
    history.git("add", "app/settings.py")
    redactor = Redactor()
    toolbox = make_toolbox(history, use_ripgrep=HAS_RIPGREP, redactor=redactor)
    calls = [
        ("read_file", {"path": "app/settings.py"}),
        ("grep", {"pattern": "GITHUB"}),
        ("diff", {"path": "app/settings.py"}),
        ("diff", {}),
        ("git_blame", {"path": "app/settings.py", "start_line": 1, "end_line": 1}),
    ]
    for name, args in calls:
        result = await toolbox.call(name, args)
        assert not result.is_error, (name, result.text)
        assert GITHUB not in result.text, name
        assert "[REDACTED:github-token]" in result.text, name
    assert {(w.path, w.line, w.kind) for w in redactor.withheld} == {
        ("app/settings.py", 1, "github-token")
    }


async def test_large_results_are_truncated_with_a_note(repo: GitRepo) -> None:
    repo.write("long.txt", "".join(f"line {i}\n" for i in range(1500)))
    repo.commit("long")
    toolbox = make_toolbox(repo)
    result = await toolbox.call("read_file", {"path": "long.txt"})
    assert result.text.splitlines()[-1] == (
        "[truncated: 500 more lines; call again with start_line=1001]"
    )
    small = make_toolbox(repo, max_result_bytes=2000)
    capped = await small.call("read_file", {"path": "long.txt"})
    assert len(capped.text.encode()) < 2200
    assert "[truncated: " in capped.text and "more bytes" in capped.text


def test_cap_output_notes_lines_and_bytes() -> None:
    assert cap_output("a\nb\n", max_lines=5) == "a\nb\n"
    assert cap_output("a\nb\nc\n", max_lines=2) == "a\nb\n[truncated: 1 more lines]"
    out = cap_output("x" * 10 + "\n" + "y" * 10 + "\n", max_bytes=15)
    assert out == "x" * 10 + "\n[truncated: 11 more bytes]"


async def test_run_command_refused_unless_allowlisted(history: GitRepo) -> None:
    off = make_toolbox(history)
    result = await off.call("run_command", {"command": "ls"})
    assert result.is_error and "not enabled" in result.text
    on = make_toolbox(history, commands=CommandsConfig(allow=["git status"]))
    other = await on.call("run_command", {"command": "rm -rf app"})
    assert other.is_error and "not on the allowlist" in other.text
    escape = await on.call("run_command", {"command": "git status /etc"})
    assert escape.is_error and "not on the allowlist" in escape.text  # exact argv only
    assert (history.root / "app" / "server.py").exists()


async def test_run_command_runs_allowed_commands_without_secrets(
    history: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-should-not-leak")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs-should-not-leak")
    script = "import os,sys; print(sorted(k for k in os.environ if 'KEY' in k or 'TOKEN' in k));"
    script += " print(os.getcwd()); print(sys.argv[1:])"
    history.write("show_env.py", script)
    command = f"{sys.executable} show_env.py"
    toolbox = make_toolbox(history, commands=CommandsConfig(allow=[command + " {paths}"]))
    result = await toolbox.call("run_command", {"command": command + " tests/extra"})
    assert not result.is_error, result.text
    lines = result.text.splitlines()
    assert lines[1] == "[]"
    assert lines[2] == "."  # a throwaway copy, its temp root spelled repo-relative
    assert lines[3] == "['tests/extra']"
    assert lines[-1] == "[exit status 0]"


async def test_run_command_timeout_and_output_cap(history: GitRepo) -> None:
    sleeper = f"{sys.executable} -c 'import time; print(\"started\", flush=True); time.sleep(30)'"
    chatty = f"{sys.executable} -c 'print(\"z\" * 5000)'"
    toolbox = make_toolbox(
        history,
        commands=CommandsConfig(allow=[sleeper, chatty], timeout_s=0.5, output_cap_bytes=1000),
    )
    slow = await toolbox.call("run_command", {"command": sleeper})
    assert "started" in slow.text
    assert "[timed out after 0.5s; the command was killed]" in slow.text
    loud = await toolbox.call("run_command", {"command": chatty})
    assert "[truncated: 4001 more bytes]" in loud.text
    assert "[exit status 0]" in loud.text


@pytest.mark.skipif(SKIP_RIPGREP, reason="ripgrep not installed")
async def test_grep_refuses_lookaround_with_a_reason(history: GitRepo) -> None:
    # Look-around needs a backtracking engine; model-supplied patterns never get one.
    toolbox = make_toolbox(history, use_ripgrep=True)
    result = await toolbox.call("grep", {"pattern": r"retry(?=_forever)"})
    assert result.is_error
    assert "look-around and backreferences are not available" in result.text


async def test_diff_withholds_secret_bearing_files(history: GitRepo) -> None:
    history.write(".env", "DB_PASSWORD=Tr0ub4dor&3\n")
    history.git("add", "-f", ".env")
    default = await make_toolbox(history).call("diff", {})
    assert "Tr0ub4dor" not in default.text
    assert "[excluded from review: .env:" in default.text
    # Even a change that lists the file's patch for review never sends its content.
    change = collect_change(history.root, base="main")
    patch = (
        "diff --git a/.env b/.env\n--- /dev/null\n+++ b/.env\n"
        "@@ -0,0 +1 @@\n+DB_PASSWORD=Tr0ub4dor&3\n"
    )
    change.files = [
        f.model_copy(update={"excluded": None, "patch": patch}) if f.path == ".env" else f
        for f in change.files
    ]
    toolbox = Toolbox(RepoSandbox(history.root), change, redactor=Redactor())
    whole = await toolbox.call("diff", {})
    assert "Tr0ub4dor" not in whole.text
    assert "[withheld: a secret-bearing file is never sent to a model]" in whole.text
    one = await toolbox.call("diff", {"path": ".env"})
    assert "Tr0ub4dor" not in one.text and "withheld" in one.text


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


async def _wait_dead(pid: int) -> bool:
    for _ in range(50):
        if not _alive(pid):
            return True
        await anyio.sleep(0.05)
    return False


SPAWNER = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen(['sleep', '60'])\n"
    "open(sys.argv[1], 'w').write(str(child.pid))\n"
    "print('spawned', flush=True)\n"
    "time.sleep(60)\n"
)


async def test_run_command_kills_the_whole_process_tree_on_timeout(
    history: GitRepo, tmp_path: Path
) -> None:
    history.write("spawner.py", SPAWNER)
    pid_file = tmp_path / "pid"
    command = f"{sys.executable} spawner.py {pid_file}"
    toolbox = make_toolbox(history, commands=CommandsConfig(allow=[command], timeout_s=1.0))
    result = await toolbox.call("run_command", {"command": command})
    assert "timed out" in result.text
    assert await _wait_dead(int(pid_file.read_text()))


async def test_cancelling_a_tool_call_kills_its_process_tree(
    history: GitRepo, tmp_path: Path
) -> None:
    history.write("spawner.py", SPAWNER)
    pid_file = tmp_path / "pid"
    command = f"{sys.executable} spawner.py {pid_file}"
    toolbox = make_toolbox(history, commands=CommandsConfig(allow=[command], timeout_s=60))
    with anyio.move_on_after(1.5) as scope:
        await toolbox.call("run_command", {"command": command})
    assert scope.cancelled_caught
    assert await _wait_dead(int(pid_file.read_text()))


async def test_grep_and_blame_hide_private_key_body_lines(history: GitRepo) -> None:
    body = "MIIEow" + "Zq8Kp3" * 10
    history.write(
        "deploy/keys.py",
        f'KEY = """\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"""\n',
    )
    history.commit("keys")
    toolbox = make_toolbox(history, use_ripgrep=HAS_RIPGREP)
    hits = await toolbox.call("grep", {"pattern": "MIIEow"})
    assert hits.text == "deploy/keys.py:3:[REDACTED:private-key]\n"
    blame = await toolbox.call(
        "git_blame", {"path": "deploy/keys.py", "start_line": 3, "end_line": 3}
    )
    assert body not in blame.text and blame.text.endswith("| [REDACTED:private-key]\n")


async def test_blame_of_an_uncommitted_new_file_says_so(history: GitRepo) -> None:
    toolbox = make_toolbox(history)
    result = await toolbox.call(
        "git_blame", {"path": "app/new_module.py", "start_line": 1, "end_line": 1}
    )
    assert not result.is_error
    assert result.text == (
        "(app/new_module.py is not committed yet: every line of it is new in this change)\n"
    )


async def test_reading_a_deleted_file_points_to_show_base(history: GitRepo) -> None:
    (history.root / "README.md").unlink()
    toolbox = make_toolbox(history)
    result = await toolbox.call("read_file", {"path": "README.md"})
    assert result.is_error and "deleted by this change; use show_base" in result.text
    base = await toolbox.call("show_base", {"path": "README.md"})
    assert base.text == "     1\t# Demo\n"


async def test_line_numbers_count_newlines_only(repo: GitRepo) -> None:
    repo.write("paged.py", "a = 1\n\x0c\nb = 2\n")
    repo.commit("form feed")
    toolbox = make_toolbox(repo, use_ripgrep=False)
    read = await toolbox.call("read_file", {"path": "paged.py", "start_line": 3})
    assert read.text == "     3\tb = 2\n"
    hits = await toolbox.call("grep", {"pattern": "b = 2"})
    assert hits.text == "paged.py:3:b = 2\n"


async def test_tools_over_a_committed_ref_ignore_the_working_tree(history: GitRepo) -> None:
    history.write("app/server.py", "uncommitted = True\n")
    change = collect_change(history.root, base="main", include_uncommitted=False)
    sandbox = RepoSandbox(history.root, ref=change.head_sha)
    toolbox = Toolbox(sandbox, change, redactor=Redactor())
    assert toolbox.ripgrep is None  # ripgrep cannot search a commit: the Python path is used
    read = await toolbox.call(
        "read_file", {"path": "app/server.py", "start_line": 3, "end_line": 3}
    )
    assert read.text == "     3\t    retry_forever()\n"
    hits = await toolbox.call("grep", {"pattern": "uncommitted|retry_forever"})
    assert hits.text == "app/server.py:3:    retry_forever()\n"
    files = await toolbox.call("list_files", {})
    assert files.text == "README.md\napp/server.py\n"
    blame = await toolbox.call(
        "git_blame", {"path": "app/server.py", "start_line": 3, "end_line": 3}
    )
    assert "Bob Builder" in blame.text and blame.text.endswith("|     retry_forever()\n")


def test_optional_arguments_are_plain_types_in_the_schema(history: GitRepo) -> None:
    for spec in make_toolbox(history).specs():
        jsonschema.Draft202012Validator.check_schema(spec.input_schema)
        for prop in spec.input_schema["properties"].values():
            assert "anyOf" not in prop and "type" in prop, (spec.name, prop)
    grep = next(s for s in make_toolbox(history).specs() if s.name == "grep")
    assert grep.input_schema["properties"]["glob"]["type"] == "string"
    assert grep.input_schema["additionalProperties"] is False


@pytest.mark.parametrize("use_ripgrep", [HAS_RIPGREP, False])
async def test_earlier_reviews_in_the_store_are_invisible_to_reviewers(
    history: GitRepo, use_ripgrep: bool
) -> None:
    # An earlier round's reviews and another agent's raw output: reading them would break the
    # panel's independence.
    history.write(".deep-review/agents/20260101-000000/claude.json", '{"retry_forever": 1}\n')
    history.write(".deep-review/reviews/20260101-000000-feature.md", "retry_forever leaks\n")
    toolbox = make_toolbox(history, use_ripgrep=use_ripgrep)

    hits = await toolbox.call("grep", {"pattern": "retry_forever"})
    listed = await toolbox.call("list_files", {})
    read = await toolbox.call(
        "read_file", {"path": ".deep-review/reviews/20260101-000000-feature.md"}
    )

    assert hits.text == "app/server.py:3:    retry_forever()\n"
    assert ".deep-review" not in listed.text
    assert read.is_error and "off limits" in read.text


@pytest.mark.parametrize(
    "use_ripgrep",
    [
        pytest.param(True, id="ripgrep"),
        pytest.param(False, id="re2"),
    ],
)
async def test_a_catastrophic_pattern_cannot_hold_the_review(
    history: GitRepo, use_ripgrep: bool
) -> None:
    if use_ripgrep and shutil.which("rg") is None and not os.environ.get("CI"):
        pytest.skip("ripgrep is not installed here (CI installs it)")
    history.write("app/big.py", ("a" * 5000 + "\n") * 20)
    toolbox = make_toolbox(history, use_ripgrep=use_ripgrep)
    with anyio.fail_after(20):  # backtracking engines take hours on these
        lookahead = await toolbox.call("grep", {"pattern": "(?=(\\w|\\w)*!)"})
        nested = await toolbox.call("grep", {"pattern": "(a|a)*(a|a)*b"})
    assert lookahead.is_error and "regular expression" in lookahead.text
    assert not nested.is_error and nested.text == "(no matches)\n"
