"""The read-only repository tools every model reviewer gets, behind one ``Toolbox``.

``specs()`` describes them (JSON Schema from one pydantic model per tool); ``call()`` runs one and
never raises for a bad call: unknown tools, invalid arguments and refused paths come back as a
``ToolResult(is_error=True)`` the model can read. Every result is size-capped with an explicit
``[truncated: ...]`` note and passes through the ``Redactor`` before it leaves this module.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from types import TracebackType
from typing import Any, Self

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from deep_review.change.model import Change, ChangedFile
from deep_review.config import CommandsConfig
from deep_review.panel.commands_allowlist import CommandRefused, check_allowed
from deep_review.panel.process import run_process, scrubbed_env
from deep_review.panel.providers.base import ToolSpec
from deep_review.panel.redact import Redactor, split_lines
from deep_review.panel.sandbox import (
    SECRET_FILE_GLOBS,
    STORE_FOLDER,
    RepoSandbox,
    SandboxError,
    git_argv,
    git_env,
    glob_matcher,
    is_secret_file,
)
from deep_review.panel.workcopy import WorkCopy

MAX_RESULT_BYTES = 48 * 1024
MAX_READ_LINES = 1000
MAX_GREP_MATCHES = 200
MAX_GREP_LINE_CHARS = 400
MAX_LIST_FILES = 1000
MAX_BLAME_LINES = 400
GREP_TIMEOUT_S = 30.0
GIT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ToolResult:
    """What a tool call returns to the model; ``is_error`` marks a refusal or failure."""

    text: str
    is_error: bool = False


class ToolFailure(Exception):
    """A tool call that cannot be answered; its message goes back to the model."""


def linear_pattern(pattern: str, *, ignore_case: bool) -> Any:
    """``pattern`` compiled by RE2 (linear time); ``ToolFailure`` naming what it cannot do."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        detail = (
            error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else error
        )
        raise ToolFailure(
            f"invalid regular expression ({detail}); searches use a linear-time engine, so"
            " look-around and backreferences are not available"
        ) from None


# -- arguments -----------------------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _LineRange(_Args):
    @model_validator(mode="after")
    def _ordered(self) -> _LineRange:
        start = getattr(self, "start_line", None)
        end = getattr(self, "end_line", None)
        if start is not None and end is not None and end < start:
            raise ValueError("end_line must be greater than or equal to start_line")
        return self


class ReadFileArgs(_LineRange):
    path: str = Field(description="Repository-relative path, e.g. src/app/server.py.")
    start_line: int | None = Field(default=None, ge=1, description="First line (1-based).")
    end_line: int | None = Field(default=None, ge=1, description="Last line (inclusive).")


class GrepArgs(_Args):
    pattern: str = Field(min_length=1, description="Regular expression to search for.")
    glob: str | None = Field(
        default=None, description="Only files matching this glob, e.g. '*.py' or 'src/**/*.go'."
    )
    ignore_case: bool = Field(default=False, description="Case-insensitive search.")


class ListFilesArgs(_Args):
    glob: str | None = Field(
        default=None, description="Only files matching this glob, e.g. 'src/**' or '*.toml'."
    )


class GitBlameArgs(_LineRange):
    path: str = Field(description="Repository-relative path.")
    start_line: int = Field(ge=1, description="First line (1-based).")
    end_line: int = Field(ge=1, description="Last line (inclusive).")


class GitLogArgs(_Args):
    path: str | None = Field(default=None, description="Only commits touching this path.")
    max_count: int = Field(default=20, ge=1, le=100, description="How many commits.")


class ShowBaseArgs(_LineRange):
    path: str = Field(description="Repository-relative path as it was at the base.")
    start_line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)


class DiffArgs(_Args):
    path: str | None = Field(
        default=None, description="One changed file; omit for the whole change."
    )


class RunCommandArgs(_Args):
    command: str = Field(min_length=1, description="The exact command line to run.")


# -- output helpers ------------------------------------------------------------------------


def cap_output(
    text: str, *, max_bytes: int = MAX_RESULT_BYTES, max_lines: int | None = None, hint: str = ""
) -> str:
    """``text`` cut to ``max_lines`` lines and ``max_bytes`` bytes, with a truncation note."""
    lines = split_lines(text)
    notes: list[str] = []
    if max_lines is not None and len(lines) > max_lines:
        notes.append(f"[truncated: {len(lines) - max_lines} more lines{hint}]")
        lines = lines[:max_lines]
    kept = "".join(lines)
    encoded = kept.encode("utf-8")
    if len(encoded) > max_bytes:
        head = encoded[:max_bytes].decode("utf-8", errors="ignore")
        cut = head.rfind("\n")
        head = head[: cut + 1] if cut > 0 else head
        dropped = len(encoded) - len(head.encode("utf-8"))
        notes.insert(0, f"[truncated: {dropped} more bytes{hint}]")
        kept = head
    if not notes:
        return text
    if kept and not kept.endswith("\n"):
        kept += "\n"
    return kept + "\n".join(notes)


def number_lines(lines: list[str], first: int) -> str:
    """Lines numbered like ``cat -n``."""
    return "".join(
        f"{first + i:6}\t{line.rstrip(chr(13) + chr(10))}\n" for i, line in enumerate(lines)
    )


def _short(text: str, limit: int = MAX_GREP_LINE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + f" [… {len(text) - limit} more chars]"


# -- the toolbox ---------------------------------------------------------------------------


_Handler = Callable[[Any], Awaitable[str]]


class Toolbox:
    """The read-only tools over one sandboxed tree and one change.

    Close it (``aclose()`` or ``async with``) when the review is done: it removes the throwaway
    copy ``run_command`` works in.
    """

    def __init__(
        self,
        sandbox: RepoSandbox,
        change: Change,
        *,
        commands: CommandsConfig | None = None,
        redactor: Redactor | None = None,
        base_sha: str | None = None,
        use_ripgrep: bool = True,
        max_result_bytes: int = MAX_RESULT_BYTES,
    ) -> None:
        self.sandbox = sandbox
        self.change = change
        self.commands = commands or CommandsConfig()
        self.redactor = redactor or Redactor()
        self.base_sha = base_sha or change.base_sha
        self.base = RepoSandbox(sandbox.root, ref=self.base_sha, max_bytes=sandbox.max_bytes)
        self.ripgrep = shutil.which("rg") if use_ripgrep and sandbox.ref is None else None
        self.max_result_bytes = max_result_bytes
        self.workcopy = WorkCopy(sandbox)
        self._tools: dict[str, tuple[str, type[_Args], _Handler]] = {
            "read_file": (
                "Read a file of the reviewed tree, with line numbers (like cat -n). Give "
                "start_line/end_line to read a range of a long file.",
                ReadFileArgs,
                self._read_file,
            ),
            "grep": (
                "Search the repository with a regular expression; returns path:line:text for "
                "each matching line. Use glob to narrow to some files.",
                GrepArgs,
                self._grep,
            ),
            "list_files": (
                "List the files of the repository (tracked and untracked, not ignored), "
                "optionally only those matching a glob.",
                ListFilesArgs,
                self._list_files,
            ),
            "git_blame": (
                "Who last changed each line in a range, and in which commit: "
                "'sha author date line | text'. Tells a regression from an old gap.",
                GitBlameArgs,
                self._git_blame,
            ),
            "git_log": (
                "Recent commits (of the whole repository or touching one path): "
                "'sha date author subject'.",
                GitLogArgs,
                self._git_log,
            ),
            "show_base": (
                "A file as it was at the base of the change (before it), with line numbers.",
                ShowBaseArgs,
                self._show_base,
            ),
            "diff": (
                "The change under review as a unified diff: one file, or the whole change.",
                DiffArgs,
                self._diff,
            ),
        }
        if self.commands.allow:
            allowed = "; ".join(self.commands.allow)
            self._tools["run_command"] = (
                "Run one of the repository's allowed commands at the root of a throwaway copy "
                "of the reviewed tree (no shell, no .git, timeout "
                f"{self.commands.timeout_s:.0f}s; files it writes are discarded after the "
                f"review, later commands see them). Allowed: {allowed}. Extra arguments after "
                "an allowed command are accepted when they stay in the repo.",
                RunCommandArgs,
                self._run_command,
            )

    async def aclose(self) -> None:
        """Removes the throwaway copy commands ran in (and all they wrote), if one was made."""
        await self.workcopy.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with anyio.CancelScope(shield=True):
            await self.aclose()

    def specs(self) -> list[ToolSpec]:
        """The tools on offer, with their JSON Schema input schemas."""
        return [
            ToolSpec(name, description, _schema(model))
            for name, (description, model, _) in self._tools.items()
        ]

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Runs one tool; a bad call or a refusal is an error result, never an exception."""
        tool = self._tools.get(name)
        if tool is None:
            if name == "run_command":
                return self._error("run_command is not enabled for this repository")
            known = ", ".join(self._tools)
            return self._error(f"unknown tool {name!r}; available tools: {known}")
        _, model, handler = tool
        try:
            args = model.model_validate(arguments if isinstance(arguments, dict) else {})
        except ValidationError as error:
            return self._error(f"invalid arguments for {name}: {_validation_text(error)}")
        try:
            text = await handler(args)
        except (SandboxError, CommandRefused) as error:
            return self._error(f"{name} refused: {error.message}")
        except ToolFailure as error:
            return self._error(f"{name}: {error}")
        except Exception as error:  # a broken tool must not end the review
            return self._error(f"{name} failed: {type(error).__name__}: {error}")
        text = cap_output(text, max_bytes=self.max_result_bytes)
        return ToolResult(self.redactor.redact(text, f"<{name}>"))

    def _error(self, text: str) -> ToolResult:
        return ToolResult(self.redactor.redact(text, "<tool error>"), is_error=True)

    # -- tools -------------------------------------------------------------------------

    async def _read_file(self, args: ReadFileArgs) -> str:
        try:
            return await self._numbered(self.sandbox, args.path, args.start_line, args.end_line)
        except SandboxError as error:
            changed = self.change.file(self.sandbox.normalize(args.path))
            if "no such file" in error.message and changed and changed.status == "deleted":
                raise ToolFailure(
                    f"{changed.path} is deleted by this change; use show_base to read it"
                ) from None
            raise

    async def _show_base(self, args: ShowBaseArgs) -> str:
        base = self.base
        try:
            return await self._numbered(base, args.path, args.start_line, args.end_line)
        except SandboxError as error:
            if "no such file" in error.message:
                raise ToolFailure(
                    f"{args.path!r} did not exist at the base {self.base_sha[:12]} "
                    "(the change adds it)"
                ) from None
            raise

    async def _numbered(
        self, sandbox: RepoSandbox, path: str, start: int | None, end: int | None
    ) -> str:
        text = await anyio.to_thread.run_sync(sandbox.read, path)
        normal = sandbox.normalize(path)
        text = self.redactor.redact(text, normal)
        lines = split_lines(text)
        if not lines:
            return f"({normal} is empty)\n"
        first = start or 1
        if first > len(lines):
            raise ToolFailure(f"{normal} has only {len(lines)} lines")
        last = min(end or len(lines), len(lines))
        window = lines[first - 1 : last]
        shown = window[:MAX_READ_LINES]
        body = number_lines(shown, first)
        more = len(window) - len(shown)
        if more:
            body += (
                f"[truncated: {more} more lines; call again with start_line={first + len(shown)}]\n"
            )
        return cap_output(
            body,
            max_bytes=self.max_result_bytes,
            hint="; use start_line/end_line to read the rest",
        )

    async def _list_files(self, args: ListFilesArgs) -> str:
        names = await anyio.to_thread.run_sync(self.sandbox.list_files, args.glob)
        if not names:
            return "(no files match)\n" if args.glob else "(no files)\n"
        shown = names[:MAX_LIST_FILES]
        text = "".join(f"{n}\n" for n in shown)
        if len(names) > len(shown):
            text += f"[truncated: {len(names) - len(shown)} more lines; narrow with a glob]\n"
        return text

    async def _grep(self, args: GrepArgs) -> str:
        # Model-supplied patterns run only on linear-time engines (ripgrep, RE2): a pattern
        # like (?=(\w|\w)*!) would otherwise backtrack for hours and hold the review.
        compiled = linear_pattern(args.pattern, ignore_case=args.ignore_case)
        if self.ripgrep is not None:
            hits = await self._grep_ripgrep(args)
        else:
            hits = await anyio.to_thread.run_sync(self._grep_python, compiled, args.glob)
        if not hits:
            return "(no matches)\n"
        shown = await anyio.to_thread.run_sync(self._redact_hits, hits[:MAX_GREP_MATCHES])
        lines = [f"{path}:{line}:{_short(text)}\n" for path, line, text in shown]
        if len(hits) > MAX_GREP_MATCHES:
            lines.append(
                f"[truncated: {len(hits) - MAX_GREP_MATCHES} more lines; narrow the pattern "
                "or the glob]\n"
            )
        return "".join(lines)

    def _redact_hits(self, hits: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
        """Hit lines taken from the redacted whole file, so multi-line secrets stay hidden."""
        files: dict[str, list[str] | None] = {}
        out = []
        for path, number, text in hits:
            if path not in files:
                files[path] = self._redacted_lines(self.sandbox, path)
            lines = files[path]
            if lines is not None and 0 < number <= len(lines):
                out.append((path, number, lines[number - 1]))
            else:
                out.append((path, number, self.redactor.redact_line(text, path, number)))
        return out

    def _redacted_lines(self, sandbox: RepoSandbox, path: str) -> list[str] | None:
        text = sandbox.read_text(path)
        return None if text is None else _unended(split_lines(self.redactor.redact(text, path)))

    def _grep_python(self, pattern: Any, glob: str | None) -> list[tuple[str, int, str]]:
        hits: list[tuple[str, int, str]] = []
        for path in self.sandbox.list_files(glob):
            if is_secret_file(path):
                continue
            try:
                text = self.sandbox.read(path)
            except SandboxError:
                continue
            for number, line in enumerate(_unended(split_lines(text)), start=1):
                if pattern.search(line):
                    hits.append((path, number, line))
                    if len(hits) > MAX_GREP_MATCHES * 5:
                        return hits
        return hits

    async def _grep_ripgrep(self, args: GrepArgs) -> list[tuple[str, int, str]]:
        assert self.ripgrep is not None
        argv = [
            self.ripgrep,
            "--no-config",
            "--json",
            "--hidden",
            "--no-follow",
            "--sort",
            "path",
            "--max-filesize",
            str(self.sandbox.max_bytes),
            "--glob",
            "!.git",
            "--glob",
            f"!/{STORE_FOLDER}",
        ]
        if args.ignore_case:
            argv.append("--ignore-case")
        if args.glob:
            glob = args.glob.strip()
            argv += ["--glob", glob if "/" in glob.rstrip("/") else f"**/{glob}"]
        for secret in SECRET_FILE_GLOBS:
            argv += ["--glob", f"!{secret}"]
        argv += ["--regexp", args.pattern, "--", "."]
        result = await run_process(
            argv,
            cwd=self.sandbox.real_root,
            env=scrubbed_env(),
            timeout=GREP_TIMEOUT_S,
            output_cap=16 * 1024 * 1024,
        )
        if result.timed_out:
            raise ToolFailure(f"search took longer than {GREP_TIMEOUT_S:.0f}s; narrow it")
        if result.returncode not in (0, 1):
            message = result.stderr.decode("utf-8", "replace").strip()
            if "regex" in message.lower():
                raise ToolFailure(f"invalid regular expression: {message}")
            raise ToolFailure(f"search failed: {message or result.returncode}")
        hits: list[tuple[str, int, str]] = []
        matcher = glob_matcher(args.glob)
        for raw in result.stdout.decode("utf-8", "replace").splitlines():
            try:
                event = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if event.get("type") != "match":
                continue
            data = event["data"]
            path = _rg_text(data.get("path"))
            line = _rg_text(data.get("lines")).rstrip("\r\n")
            if path.startswith("./"):
                path = path[2:]
            if matcher is not None and not matcher.fullmatch(path):
                continue
            hits.append((path, int(data.get("line_number") or 0), line))
        return hits

    async def _git(self, *args: str) -> str:
        result = await run_process(
            git_argv(*args),
            cwd=self.sandbox.root,
            env=git_env(),
            timeout=GIT_TIMEOUT_S,
            output_cap=8 * 1024 * 1024,
        )
        if result.timed_out:
            raise ToolFailure(f"git {args[0]} took longer than {GIT_TIMEOUT_S:.0f}s")
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ToolFailure(f"git {args[0]} failed: {message[-1] if message else '?'}")
        return result.stdout.decode("utf-8", "replace")

    async def _git_blame(self, args: GitBlameArgs) -> str:
        text = await anyio.to_thread.run_sync(self.sandbox.read, args.path)
        path = self.sandbox.resolve(args.path)
        total = len(split_lines(text))
        if args.start_line > total:
            raise ToolFailure(f"{path} has only {total} lines")
        end = min(args.end_line, total, args.start_line + MAX_BLAME_LINES - 1)
        revision = [self.sandbox.ref] if self.sandbox.ref else []
        try:
            porcelain = await self._git(
                "blame", "--porcelain", "-L", f"{args.start_line},{end}", *revision, "--", path
            )
        except ToolFailure as error:
            if "no such path" in str(error):
                return f"({path} is not committed yet: every line of it is new in this change)\n"
            raise
        redacted = _unended(split_lines(self.redactor.redact(text, path)))
        body = "".join(self._blame_lines(porcelain, path, redacted))
        if end < min(args.end_line, total):
            body += (
                f"[truncated: {min(args.end_line, total) - end} more lines; call again with "
                f"start_line={end + 1}]\n"
            )
        return body

    def _blame_lines(self, porcelain: str, path: str, redacted: list[str]) -> list[str]:
        commits: dict[str, dict[str, str]] = {}
        out: list[str] = []
        current: dict[str, str] = {}
        sha = ""
        final_line = 0
        expecting_header = True
        for raw in porcelain.splitlines():
            if expecting_header:
                fields = raw.split()
                sha, final_line = fields[0], int(fields[2])
                current = commits.setdefault(sha, {})
                expecting_header = False
            elif raw.startswith("\t"):
                content = (
                    redacted[final_line - 1]
                    if 0 < final_line <= len(redacted)
                    else self.redactor.redact_line(raw[1:], path, final_line)
                )
                out.append(
                    f"{_blame_commit(sha)} {current.get('author', '?')} "
                    f"{_blame_date(current)} {final_line:>5} | {content}\n"
                )
                expecting_header = True
            else:
                key, _, value = raw.partition(" ")
                current[key] = value
        return out

    async def _git_log(self, args: GitLogArgs) -> str:
        revision = self.sandbox.ref or "HEAD"
        paths: list[str] = []
        if args.path:
            paths = ["--follow", "--", self.sandbox.resolve(args.path)]
        log = await self._git(
            "log",
            "--no-color",
            "--date=short",
            f"--max-count={args.max_count}",
            "--format=%h%x09%ad%x09%an%x09%s",
            revision,
            *paths,
        )
        lines = [" ".join(line.split("\t", 3)) + "\n" for line in log.splitlines() if line]
        return "".join(lines) if lines else "(no commits)\n"

    async def _diff(self, args: DiffArgs) -> str:
        if args.path is None:
            parts = [self._file_diff(f) for f in self.change.reviewed_files]
            diff = "".join(parts)
            if not diff:
                return "(the change has no reviewable diff)\n"
            notes = "".join(
                f"[excluded from review: {f.path}: {f.excluded}]\n"
                for f in self.change.files
                if f.excluded is not None
            )
            return diff + notes
        wanted = self.sandbox.normalize(args.path)
        for changed in self.change.files:
            if wanted in (changed.path, changed.old_path):
                if changed.excluded is not None:
                    raise ToolFailure(f"{changed.path} is excluded from review: {changed.excluded}")
                if not changed.patch:
                    return f"({changed.path}: {changed.status}, no textual diff)\n"
                return self._file_diff(changed)
        paths = [f.path for f in self.change.reviewed_files]
        listed = ", ".join(paths[:30]) + (" ..." if len(paths) > 30 else "")
        raise ToolFailure(f"{wanted} is not part of this change; changed files: {listed}")

    def _file_diff(self, changed: ChangedFile) -> str:
        """One file's diff, redacted; a secret-bearing file's content is withheld entirely."""
        if is_secret_file(changed.path) or (
            changed.old_path is not None and is_secret_file(changed.old_path)
        ):
            return (
                f"diff --git a/{changed.old_path or changed.path} b/{changed.path}\n"
                "[withheld: a secret-bearing file is never sent to a model]\n"
            )
        return self.redactor.redact_diff(changed.patch, changed.path)

    async def _run_command(self, args: RunCommandArgs) -> str:
        argv = check_allowed(args.command, self.commands.allow)
        # Commands may write (caches, bytecode, test output): never in the user's tree.
        cwd = await self.workcopy.ensure()
        env = scrubbed_env()
        # Without this, git inside the copy could find a repository around the temp directory.
        env["GIT_CEILING_DIRECTORIES"] = str(cwd.parent)
        try:
            result = await run_process(
                argv,
                cwd=cwd,
                env=env,
                timeout=self.commands.timeout_s,
                output_cap=self.commands.output_cap_bytes,
                merge_stderr=True,
            )
        except (FileNotFoundError, PermissionError) as error:
            raise ToolFailure(f"cannot start {argv[0]!r}: {error.strerror or error}") from None
        output = self.workcopy.relative_output(result.stdout.decode("utf-8", "replace"))
        output = self.redactor.redact(output, f"<command: {args.command}>")
        if result.stdout_dropped:
            if output and not output.endswith("\n"):
                output += "\n"
            output += f"[truncated: {result.stdout_dropped} more bytes]\n"
        if result.timed_out:
            status = f"[timed out after {self.commands.timeout_s:g}s; the command was killed]"
        else:
            status = f"[exit status {result.returncode}]"
        return f"$ {args.command}\n{output}{status}\n"


def _unended(lines: list[str]) -> list[str]:
    """Lines without their line endings."""
    return [line.rstrip("\r\n") for line in lines]


def _rg_text(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    if "text" in value:
        return str(value["text"])
    return "<non-UTF-8 bytes>"


def _blame_commit(sha: str) -> str:
    return "uncommitted " if set(sha) == {"0"} else sha[:12]


def _blame_date(commit: dict[str, str]) -> str:
    try:
        stamp = int(commit.get("author-time", ""))
    except ValueError:
        return "?"
    tz = commit.get("author-tz", "+0000")
    sign = -1 if tz.startswith("-") else 1
    try:
        offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * sign
    except ValueError:
        offset = timedelta(0)
    return datetime.fromtimestamp(stamp, UTC).astimezone(timezone(offset)).strftime("%Y-%m-%d")


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema, with optional fields as plain types (omit = not given).

    ``anyOf [T, null]`` trips some OpenAI-compatible endpoints (Gemini's among them).
    """
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        options = prop.get("anyOf")
        if isinstance(options, list):
            kept = [o for o in options if o.get("type") != "null"]
            if len(kept) == 1:
                del prop["anyOf"]
                prop.update(kept[0])
                if prop.get("default", "") is None:
                    del prop["default"]
    return schema


def _validation_text(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:10]:
        where = ".".join(str(p) for p in item["loc"]) or "arguments"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)
