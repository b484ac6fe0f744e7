"""A finding's identity across line shifts and review rounds."""

from __future__ import annotations

import hashlib
import re

from deep_review.model import Finding

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalized_title(title: str) -> str:
    """Lowercase words only: punctuation, backticks and spacing do not change identity."""
    return _NON_WORD.sub(" ", title.lower()).strip()


def normalized_evidence(evidence: str) -> str:
    """Each non-blank line stripped: re-indentation and blank lines do not change identity."""
    lines = (" ".join(line.split()) for line in evidence.splitlines())
    return "\n".join(line for line in lines if line)


def finding_fingerprint(finding: Finding) -> str:
    """Hash of path + normalized title + normalized evidence (line numbers left out)."""
    material = "\0".join(
        [finding.path, normalized_title(finding.title), normalized_evidence(finding.evidence)]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
