"""``deep-review schema``: the JSON Schemas of the review contract."""

from __future__ import annotations

import argparse
import json
from typing import Any

from deep_review.model import AgentReview, Review, SubmittedReview


def review_schemas() -> dict[str, Any]:
    """JSON Schemas of what reviewers submit, one agent's review, and the reconciled review."""
    return {
        "SubmittedReview": SubmittedReview.model_json_schema(),
        "AgentReview": AgentReview.model_json_schema(),
        "Review": Review.model_json_schema(),
    }


def schema_command(_args: argparse.Namespace) -> int:
    print(json.dumps(review_schemas(), indent=2))
    return 0
