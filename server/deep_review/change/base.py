"""Finding the base the change is measured from.

Order, first that works: an explicit ``--base REF`` (or configured base); the merge-base of
HEAD with the branch's upstream; the merge-base with ``origin/HEAD``; then ``main``, then
``master`` (each as a merge-base with HEAD, so commits that landed on the base after the branch
forked are not shown reversed). A detached HEAD has no upstream, so that step is skipped and the
rest of the order applies unchanged. An upstream that is the branch's own remote copy
(``feature`` tracking ``origin/feature``) is skipped too: its merge-base would show only the
unpushed commits, not the branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deep_review.change.git import try_git
from deep_review.change.repo import HeadState, upstream_of
from deep_review.errors import BaseNotFound


@dataclass(frozen=True)
class ResolvedBase:
    """The base commit and a sentence saying how it was found."""

    ref: str
    sha: str
    description: str
    notes: list[str] = field(default_factory=list)


def resolve_base(
    root: Path, head: HeadState, *, explicit: str | None = None, explicit_source: str = "--base"
) -> ResolvedBase:
    """The base commit for HEAD, following the documented order."""
    if explicit:
        return _explicit_base(root, head, explicit, explicit_source)
    tried: list[str] = []
    notes: list[str] = []
    if head.detached:
        notes.append(
            f"HEAD is detached at {head.sha[:12]}; no branch name is used and the upstream "
            "step is skipped."
        )
    candidates = _candidates(root, head, tried)
    for ref, how in candidates:
        sha = _verify(root, ref)
        if sha is None:
            tried.append(f"{ref} (not found)")
            continue
        fork = _merge_base(root, sha, head.sha)
        if fork is None:
            _raise_if_shallow(root, ref)
            tried.append(f"{ref} (no common history with HEAD)")
            continue
        description = f"{how} {ref}" if how else ref
        return ResolvedBase(ref=ref, sha=fork, description=description, notes=notes)
    raise BaseNotFound(
        "No base to review against; tried "
        + ", ".join(tried)
        + ". Pass --base REF (or set base in the configuration)."
    )


def _candidates(root: Path, head: HeadState, tried: list[str]) -> list[tuple[str, str]]:
    candidates: list[tuple[str, str]] = []
    upstream = upstream_of(root, head.branch)
    if upstream and head.branch is not None and upstream.split("/", 1)[-1] == head.branch:
        tried.append(f"upstream {upstream} (the branch's own remote copy, skipped)")
    elif upstream:
        candidates.append((upstream, "merge-base with upstream"))
    elif head.branch is not None:
        tried.append(f"the upstream of {head.branch} (none set)")
    origin_head = try_git(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD")
    if origin_head:
        candidates.append((origin_head, "merge-base with origin/HEAD →"))
    else:
        tried.append("origin/HEAD (not set)")
    candidates.append(("main", "merge-base with"))
    candidates.append(("master", "merge-base with"))
    return candidates


def _explicit_base(root: Path, head: HeadState, ref: str, source: str) -> ResolvedBase:
    sha = _verify(root, ref)
    if sha is None:
        raise BaseNotFound(f"{source} {ref!r} is not a commit in this repository.")
    fork = _merge_base(root, sha, head.sha)
    if fork is None:
        _raise_if_shallow(root, ref)
        raise BaseNotFound(f"{source} {ref!r} shares no history with HEAD.")
    if fork == sha:
        return ResolvedBase(ref=ref, sha=sha, description=f"{source} {ref}")
    return ResolvedBase(
        ref=ref, sha=fork, description=f"{source} {ref} (merge-base {fork[:12]} with HEAD)"
    )


def _verify(root: Path, ref: str) -> str | None:
    if ref.startswith("-"):
        return None
    return try_git(root, "rev-parse", "--verify", "-q", "--end-of-options", f"{ref}^{{commit}}")


def _merge_base(root: Path, a: str, b: str) -> str | None:
    return try_git(root, "merge-base", a, b) or None


def _raise_if_shallow(root: Path, ref: str) -> None:
    if try_git(root, "rev-parse", "--is-shallow-repository") == "true":
        raise BaseNotFound(
            f"This is a shallow clone and the merge-base of HEAD and {ref} is not in it; "
            f"run `git fetch --unshallow` (or `git fetch --deepen=N`) or pass --base REF."
        )
