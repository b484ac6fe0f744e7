"""Benchmark: collect_change over a 200k-line diff (seconds, peak MiB). Run directly.

    python bench/bench_change.py [--lines 200000] [--files 20]

Prints the wall time of a plain run, then the peak Python heap of a second run under
tracemalloc (which slows it down), and the ratio of that peak to the diff size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from deep_review.change import collect_change

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> None:
    """Run git quietly in ``root``."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def build_repo(root: Path, diff_lines: int, files: int) -> None:
    """A repo whose working tree rewrites every line of ``files`` files: ~diff_lines +/- lines."""
    per_file = diff_lines // (2 * files)
    git(root, "init", "-q", "-b", "main")
    for index in range(files):
        lines = (f"old_value_{index}_{n} = {n}  # original line\n" for n in range(per_file))
        (root / f"module_{index}.py").write_text("".join(lines))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    for index in range(files):
        lines = (f"new_value_{index}_{n} = {n * 2}  # rewritten\n" for n in range(per_file))
        (root / f"module_{index}.py").write_text("".join(lines))


def main() -> None:
    """Build the repository, time collect_change, then measure its peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=200_000, help="diff lines (+ and -)")
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-change-") as folder:
        root = Path(folder)
        build_repo(root, args.lines, args.files)

        started = time.perf_counter()
        change = collect_change(root)
        elapsed = time.perf_counter() - started
        diff_bytes = len(change.diff_text().encode())
        added = sum(f.added for f in change.files)
        removed = sum(f.removed for f in change.files)
        del change

        tracemalloc.start()
        collect_change(root)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    mib = 1024 * 1024
    print(f"diff lines: {added + removed:,} (+{added:,} -{removed:,}) in {args.files} files")
    print(f"diff size: {diff_bytes / mib:.1f} MiB")
    print(f"collect_change: {elapsed:.2f} s")
    print(f"peak Python memory: {peak / mib:.1f} MiB ({peak / diff_bytes:.1f}x the diff)")


if __name__ == "__main__":
    main()
