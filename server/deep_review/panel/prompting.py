"""Builds what a reviewer is told: the method (system), and the change inside data blocks (user)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from deep_review.change.model import Change

INSTRUCTION_FILES = ("AGENTS.md", "CLAUDE.md", ".deep-review/context.md")
MAX_INSTRUCTION_CHARS = 20_000
MAX_DIFF_CHARS = 400_000
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
            detail += f" from {changed.old_path}"
        if changed.is_binary:
            detail += ", binary"
        lines.append(f"- {changed.path} ({detail}, +{changed.added} -{changed.removed})")
    return "\n".join(lines) if lines else "- (none)"


def _excluded(change: Change) -> str:
    skipped = [(e.path, e.reason) for e in change.excluded]
    skipped += [(f.path, f.excluded) for f in change.files if f.excluded is not None]
    if not skipped:
        return ""
    lines = ["Left out of this review (do not review them, do not list them in coverage):"]
    lines += [f"- {path}: {reason}" for path, reason in skipped]
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
    text = "\n\n".join(
        f"commit {c.sha[:12]}\nAuthor: {c.author}\n\n{c.subject}\n\n{c.body}".rstrip()
        for c in change.commits
    )
    return "Commit messages:\n" + data_block("commit-messages", redact(text), boundary)


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


def build_review_prompt(
    change: Change,
    *,
    diff: str,
    instructions: Sequence[RepoInstruction] = (),
    redact: Callable[[str], str] = lambda text: text,
    max_diff_chars: int = MAX_DIFF_CHARS,
) -> ReviewPrompt:
    """The prompts for one reviewer; ``diff`` must already be redacted."""
    commit_text = "\n".join(f"{c.subject}\n{c.body}" for c in change.commits)
    boundary = new_boundary(diff, commit_text, *(i.text for i in instructions))
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
    system = load_template("system").body
    user = render(load_template("reviewer").body, values)
    return ReviewPrompt(system=system, user=user, boundary=boundary, version=prompt_version())
