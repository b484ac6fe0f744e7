"""Benchmark: render a large review (md, html, sarif) and read the store. Run directly.

    python bench/bench_report.py [--findings 300] [--runs 5]

Prints median/p90 milliseconds per format for a review with N findings (each with a 20-line
evidence excerpt and a fix), the HTML size per finding, and latest_review over 50 saved reviews.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from deep_review.model import Review
from deep_review.report import render_html, render_markdown, render_sarif
from deep_review.report.html import _highlighted
from deep_review.store import ReviewStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/reviews/host-switch.review.json"


def load_fixture_review() -> Review:
    """The realistic fixture review (three agents, one failed)."""
    return Review.model_validate_json(FIXTURE.read_text(encoding="utf-8"))


def large_review(findings: int) -> Review:
    """The fixture review with its findings repeated (renumbered) up to ``findings``."""
    review = load_fixture_review()
    template = review.findings
    review.findings = [
        template[n % len(template)].model_copy(
            update={
                "id": f"{'CIS'[n % 3]}{n + 1}",
                # distinct per finding, so no highlighting cache flatters the numbers
                "evidence": "\n".join(f"    v_{n}_{i} = compute({i})  # {n}" for i in range(20)),
                "path": f"pkg/m{n}.py",
            }
        )
        for n in range(findings)
    ]
    return review


def cold_html(review: Review) -> str:
    """The HTML with an empty highlighting cache, as for a fresh review."""
    _highlighted.cache_clear()
    return render_html(review)


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each run."""
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    print(f"{label:<28} median {statistics.median(ordered):8.1f} ms   p90 {p90:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    review = large_review(args.findings)
    render_html(review)  # warm the converter and pygments lexers
    report(
        f"markdown ({args.findings} findings)", timed(lambda: render_markdown(review), args.runs)
    )
    report(f"html ({args.findings} findings)", timed(lambda: cold_html(review), args.runs))
    report(f"sarif ({args.findings} findings)", timed(lambda: render_sarif(review), args.runs))
    print(f"html bytes per finding        {len(render_html(review)) / args.findings:8.0f}")
    with tempfile.TemporaryDirectory() as folder:
        store = ReviewStore(Path(folder))
        small = load_fixture_review()
        for n in range(50):
            small.header.date = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
            store.save_review(small)
        report("latest_review (50 saved)", timed(store.latest_review, args.runs))
        report("next_round_number (50 saved)", timed(lambda: store.next_round_number("x"), 3))


if __name__ == "__main__":
    main()
