"""``deep-review diff``: what would be reviewed, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from deep_review.change.collect import collect_change
from deep_review.change.model import Change, ChangedFile
from deep_review.change.repo import find_repo_root
from deep_review.change.tokens import estimate_prompt_tokens
from deep_review.config_loader import load_settings
from deep_review.wording import plural


def diff_command(args: argparse.Namespace) -> int:
    """Print the change that ``deep-review review`` would send to the panel."""
    root = find_repo_root(Path(args.repo))
    settings = load_settings(root)
    base, source = (args.base, "--base") if args.base else (settings.base, "configured base")
    include_uncommitted = settings.change.include_uncommitted and not args.committed_only
    change = collect_change(
        root,
        base=base,
        include_uncommitted=include_uncommitted,
        config=settings.change,
        base_source=source,
    )
    if args.format == "json":
        _emit(json.dumps(change_json(change), indent=2, ensure_ascii=False))
    else:
        _emit(render_text(change))
    return 0


def _emit(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # `deep-review diff | head`: the reader left; point stdout at devnull so the
        # interpreter's final flush does not print a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def change_json(change: Change) -> dict[str, Any]:
    """The change as JSON data without file texts, plus ``estimated_prompt_tokens``."""
    data = change.model_dump(mode="json", exclude={"files": {"__all__": {"text"}}})
    data["estimated_prompt_tokens"] = estimate_prompt_tokens(change)
    return data


def render_text(change: Change) -> str:
    """The human table: header, files, exclusions with reasons, token estimate."""
    lines = _header(change)
    reviewed = change.reviewed_files
    if reviewed:
        lines += ["", *_table(reviewed)]
    if change.excluded:
        lines += ["", f"Excluded ({len(change.excluded)}):"]
        width = max(len(item.path) for item in change.excluded)
        lines += [f"  {item.path.ljust(width)}  {item.reason}" for item in change.excluded]
    lines += ["", *change.notes] if change.notes else []
    lines.append("")
    lines.append(
        f"{plural(len(reviewed), 'file')} to review, {len(change.excluded)} excluded · "
        f"~{estimate_prompt_tokens(change):,} prompt tokens (estimate, before tool reads)"
    )
    return "\n".join(lines)


def _header(change: Change) -> list[str]:
    where = f"on {change.branch}" if change.branch else "(detached HEAD)"
    work = "commits + uncommitted work" if change.include_uncommitted else "commits only"
    lines = [
        f"Base:   {change.base_sha[:12]} ({change.base_resolution})",
        f"Head:   {change.head_sha[:12]} {where} · {plural(len(change.commits), 'commit')}, {work}",
    ]
    if change.repo_slug or change.remote_url:
        lines.append(f"Repo:   {change.repo_slug or change.remote_url}")
    return lines


def _table(files: list[ChangedFile]) -> list[str]:
    rows = [
        (f.status, _display_path(f), f"+{f.added}", f"-{f.removed}", _size(f), _notes(f))
        for f in files
    ]
    heading = ("STATUS", "PATH", "ADDED", "REMOVED", "SIZE", "NOTES")
    widths = [max(len(row[i]) for row in [heading, *rows]) for i in range(5)]
    out: list[str] = []
    for row in [heading, *rows]:
        cells = [
            row[0].ljust(widths[0]),
            row[1].ljust(widths[1]),
            row[2].rjust(widths[2]),
            row[3].rjust(widths[3]),
            row[4].rjust(widths[4]),
            row[5],
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _display_path(changed: ChangedFile) -> str:
    if changed.old_path and changed.old_path != changed.path:
        return f"{changed.old_path} → {changed.path}"
    return changed.path


def _size(changed: ChangedFile) -> str:
    if changed.status == "deleted" or changed.is_symlink or changed.is_submodule:
        return "-"
    size = changed.size_bytes
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def _notes(changed: ChangedFile) -> str:
    notes: list[str] = []
    if changed.similarity is not None:
        notes.append(f"{changed.similarity}% similar")
    if changed.old_mode and changed.new_mode and changed.old_mode != changed.new_mode:
        notes.append(f"mode {changed.old_mode} → {changed.new_mode}")
    if changed.is_symlink:
        notes.append("symlink")
    if changed.is_submodule:
        notes.append("submodule")
    if changed.not_utf8:
        notes.append("not UTF-8 (decoded with replacement)")
    if changed.crlf:
        notes.append("CRLF line endings")
    return ", ".join(notes)
