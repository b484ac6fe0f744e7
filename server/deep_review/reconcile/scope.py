"""Which findings are about the change: in the changed lines, or outside them but caused by it."""

from __future__ import annotations

from dataclasses import dataclass

from deep_review.change.model import Change
from deep_review.model import Finding, Location
from deep_review.reconcile.text import code_identifiers, identifiers

# Identifiers shorter than this ("id", "ok", "err") are too common to tie a finding to the change.
MIN_CHANGE_IDENTIFIER = 4


@dataclass(frozen=True)
class ChangeScope:
    """The changed line spans per file and the identifiers the change introduces or removes."""

    spans: dict[str, list[tuple[int, int]]]
    identifiers: frozenset[str]

    def touches(self, location: Location) -> bool:
        """Whether a location overlaps a hunk of the change (its context lines included)."""
        return any(
            location.start_line <= end and start <= location.end_line
            for start, end in self.spans.get(location.path, [])
        )

    def about_change(self, finding: Finding) -> bool:
        """Whether an out-of-diff finding concerns the change: a related hunk or its identifiers."""
        if any(self.touches(location) for location in finding.related):
            return True
        named = identifiers(f"{finding.title}\n{finding.body}") | code_identifiers(finding.evidence)
        return bool(named & self.identifiers)


def change_scope(change: Change) -> ChangeScope:
    """The scope of a change: hunk spans and identifiers that appear only on one side."""
    spans: dict[str, list[tuple[int, int]]] = {}
    added: set[str] = set()
    removed: set[str] = set()
    for changed in change.reviewed_files:
        for hunk in changed.hunks:
            if hunk.new_lines > 0:
                end = hunk.new_start + hunk.new_lines - 1
                spans.setdefault(changed.path, []).append((hunk.new_start, end))
            for line in hunk.text.splitlines()[1:]:
                if line.startswith("+"):
                    added |= code_identifiers(line[1:])
                elif line.startswith("-"):
                    removed |= code_identifiers(line[1:])
        if changed.status == "added" and not changed.hunks and changed.text is not None:
            spans.setdefault(changed.path, []).append((1, max(len(changed.text.splitlines()), 1)))
    introduced = {name for name in added ^ removed if len(name) >= MIN_CHANGE_IDENTIFIER}
    return ChangeScope({p: sorted(s) for p, s in sorted(spans.items())}, frozenset(introduced))
