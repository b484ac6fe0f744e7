"""Builds what a reviewer is told: the method (system), and the change inside data blocks (user)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from deep_review.change.model import Change
from deep_review.untrusted import printable

INSTRUCTION_FILES = ("AGENTS.md", "CLAUDE.md", ".deep-review/context.md")
MAX_INSTRUCTION_CHARS = 20_000
MAX_DIFF_CHARS = 400_000
MAX_COMMITS_SHOWN = 100
MAX_COMMIT_BODY_CHARS = 2_000
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class PromptTemplate:
    """One ``prompts/*.md`` file: its front matter and its body."""

    name: str
    version: str
    meta: dict[str, str]
    body: str


@dataclass(frozen=True)
class ReviewPrompt:
    """The system prompt and the first user message for one reviewer run."""

    system: str
    user: str
    boundary: str
    version: str


@dataclass(frozen=True)
class RoundData:
    """What reviewers of round N+1 are told about round N (``rounds.session.prompt_data``).

    ``prior_findings`` is model-written text (titles, statuses): it goes in a data block. With
    ``since_diff`` the review is incremental: the change since round N is sent in full and the
    rest of the branch diff as ``branch_summary`` (files and hunk headers) instead of in full.
    """

    round: int
    prior_round: int
    prior_head: str
    prior_findings: str
    since_diff: str | None = None
    branch_summary: str = ""

    def redacted(
        self, redact_diff: Callable[[str], str], redact_text: Callable[[str], str]
    ) -> RoundData:
        """The same data with secrets replaced (the diff by file and line)."""
        return RoundData(
            self.round,
            self.prior_round,
            self.prior_head,
            redact_text(self.prior_findings),
            redact_diff(self.since_diff) if self.since_diff is not None else None,
            redact_text(self.branch_summary),
        )

    def texts(self) -> tuple[str, ...]:
        return (self.prior_findings, self.since_diff or "", self.branch_summary)


@dataclass(frozen=True)
class RepoInstruction:
    """A file of the repository's own reviewer instructions and where it was read."""

    path: str
    text: str
    note: str = ""


@cache
def load_template(name: str) -> PromptTemplate:
    """``prompts/<name>.md`` parsed (front matter ``key: value`` lines, then the body)."""
    text = resources.files("deep_review.panel").joinpath("prompts", f"{name}.md").read_text("utf-8")
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        text = text[match.end() :]
    return PromptTemplate(name, meta.get("prompt_version", "0"), meta, text)


def prompt_version() -> str:
    """The version of the reviewer prompts, recorded with every review they produce."""
    return "+".join(load_template(n).version for n in ("system", "reviewer", "instructions"))


def render(template: str, values: Mapping[str, str]) -> str:
    """``{{name}}`` placeholders filled in one pass (filled-in text is never expanded again)."""

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return _PLACEHOLDER.sub(fill, template)


def new_boundary(*contents: str) -> str:
    """A random token that occurs in none of ``contents``: the data cannot close its block."""
    while True:
        token = f"DATA-{secrets.token_hex(12)}"
        if not any(token in content for content in contents):
            return token


def data_block(label: str, content: str, boundary: str) -> str:
    """``content`` fenced as data under ``boundary``."""
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"<<<BEGIN {boundary} {label}>>>\n{body}<<<END {boundary}>>>"


def repo_instructions(
    change: Change,
    read_current: Callable[[str], str | None],
    read_base: Callable[[str], str | None],
) -> list[RepoInstruction]:
    """AGENTS.md, CLAUDE.md, .deep-review/context.md when present.

    A file the change itself touches is taken from the base: the author of a change must not be
    able to rewrite the reviewers' instructions through the change under review.
    """
    found: list[RepoInstruction] = []
    for path in INSTRUCTION_FILES:
        touched = change.file(path) is not None
        text = read_base(path) if touched else read_current(path)
        if not text or not text.strip():
            continue
        note = "as of the base: this change modifies it" if touched else ""
        if len(text) > MAX_INSTRUCTION_CHARS:
            text = text[:MAX_INSTRUCTION_CHARS] + "\n[truncated: the file is longer]\n"
        found.append(RepoInstruction(path, text, note))
    return found


def _file_list(change: Change) -> str:
    lines = []
    for changed in change.reviewed_files:
        detail: str = changed.status
        if changed.old_path and changed.old_path != changed.path:
            detail += f" from {_name(changed.old_path)}"
        if changed.is_binary:
            detail += ", binary"
        lines.append(f"- {_name(changed.path)} ({detail}, +{changed.added} -{changed.removed})")
    return "\n".join(lines) if lines else "- (none)"


def _name(path: str) -> str:
    """A file name from the branch, on one line: a newline in it cannot start prompt text."""
    return printable(path, keep_newlines=False)


def _excluded(change: Change) -> str:
    skipped = [(e.path, e.reason) for e in change.excluded]
    skipped += [(f.path, f.excluded) for f in change.files if f.excluded is not None]
    if not skipped:
        return ""
    lines = ["Left out of this review (do not review them, do not list them in coverage):"]
    lines += [f"- {_name(path)}: {_name(reason)}" for path, reason in skipped]
    return "\n".join(lines) + "\n"


def _instructions_section(found: Sequence[RepoInstruction], boundary: str) -> str:
    if not found:
        return ""
    parts = [load_template("instructions").body.strip()]
    for item in found:
        label = f"{item.path} ({item.note})" if item.note else item.path
        parts.append(f"### {label}\n{item.text.rstrip()}")
    # The maintainers' text is guidance, not data from the change, but it still cannot use the
    # data boundary: strip any attempt to forge one.
    return "\n\n".join(parts).replace(boundary, "[boundary]") + "\n"


def _commits(change: Change, boundary: str, redact: Callable[[str], str]) -> str:
    if not change.commits:
        return "Commits: none (the change is uncommitted work)."
    # Capped: a branch of 1,000 commits once put 2 M characters of messages in the prompt.
    shown = change.commits[:MAX_COMMITS_SHOWN]
    text = "\n\n".join(
        f"commit {c.sha[:12]}\nAuthor: {c.author}\n\n{c.subject}\n\n"
        f"{_capped(c.body, MAX_COMMIT_BODY_CHARS)}".rstrip()
        for c in shown
    )
    if len(change.commits) > len(shown):
        text += f"\n\n[{len(change.commits) - len(shown)} more commits not shown]"
    return "Commit messages:\n" + data_block("commit-messages", redact(text), boundary)


def _capped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[{len(text) - limit} more characters not shown]"


def _diff(diff: str, boundary: str, limit: int) -> str:
    note = ""
    if len(diff) > limit:
        cut = diff.rfind("\ndiff --git ", 0, limit)
        diff = diff[: cut + 1 if cut > 0 else limit]
        note = (
            "\nThe diff is longer than fits here; it stops at a file boundary. Read the rest"
            " with the `diff` tool, file by file (every file in the list above).\n"
        )
    return "The diff:\n" + data_block("diff", diff, boundary) + note


def _round_sections(data: RoundData, boundary: str) -> str:
    """The prior round's findings as data, and in an incremental round what the diff holds."""
    scope = ""
    if data.since_diff is not None:
        scope = (
            f"\nThis round is incremental: the diff below is the change since round"
            f" {data.prior_round} in full; the rest of the branch diff is summarised (files and"
            " hunk headers). Read any file's whole branch diff with the `diff` tool.\n"
        )
    values = {
        "round": str(data.round),
        "prior_round": str(data.prior_round),
        "prior_head": data.prior_head[:12],
        "scope": scope,
        "prior_findings": data_block("prior-round-findings", data.prior_findings, boundary),
    }
    return render(load_template("round").body, values).strip() + "\n"


def _incremental_diff(data: RoundData, boundary: str) -> str:
    since = data.since_diff or "(no file changed since the prior round)\n"
    return (
        f"The change since round {data.prior_round}, in full:\n"
        + data_block("diff-since-prior-round", since, boundary)
        + "\n\nThe rest of the branch diff, in summary:\n"
        + data_block("branch-diff-summary", data.branch_summary, boundary)
    )


def build_review_prompt(
    change: Change,
    *,
    diff: str,
    instructions: Sequence[RepoInstruction] = (),
    redact: Callable[[str], str] = lambda text: text,
    max_diff_chars: int = MAX_DIFF_CHARS,
    round_data: RoundData | None = None,
) -> ReviewPrompt:
    """The prompts for one reviewer; ``diff`` (and ``round_data``) must already be redacted."""
    commit_text = "\n".join(f"{c.subject}\n{c.body}" for c in change.commits)
    extra = round_data.texts() if round_data is not None else ()
    boundary = new_boundary(diff, commit_text, *extra, *(i.text for i in instructions))
    values = {
        "repo": change.repo_slug or change.repo_root.rsplit("/", 1)[-1],
        "branch": change.branch or "(detached HEAD)",
        "base_ref": change.base_ref,
        "base_sha": change.base_sha[:12],
        "head_sha": change.head_sha[:12],
        "uncommitted": (
            "The reviewed tree is the working tree: uncommitted edits are part of the change.\n"
            if change.include_uncommitted
            else "The reviewed tree is the head commit.\n"
        ),
        "file_count": str(len(change.reviewed_files)),
        "file_list": _file_list(change),
        "excluded": _excluded(change),
        "instructions": _instructions_section(instructions, boundary),
        "boundary": boundary,
        "commits": _commits(change, boundary, redact),
        "diff": _diff(diff, boundary, max_diff_chars),
    }
    if round_data is not None:
        values["commits"] += "\n\n" + _round_sections(round_data, boundary)
        if round_data.since_diff is not None:
            values["diff"] = _incremental_diff(round_data, boundary)
    system = load_template("system").body
    user = render(load_template("reviewer").body, values)
    return ReviewPrompt(system=system, user=user, boundary=boundary, version=prompt_version())
