"""``python -m deep_review.panel.scripted --transcripts DIR --port N``: serve until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from deep_review.errors import DeepReviewError
from deep_review.panel.scripted.server import ScriptedModelServer


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scripted model server in the foreground; prints its base URL once ready."""
    parser = argparse.ArgumentParser(
        prog="python -m deep_review.panel.scripted",
        description="Serve scripted Anthropic/OpenAI model answers on 127.0.0.1.",
    )
    parser.add_argument("--transcripts", type=Path, required=True, help="folder of *.json")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    args = parser.parse_args(argv)
    try:
        server = ScriptedModelServer(args.transcripts, port=args.port)
        server.start()
    except (DeepReviewError, OSError) as exc:
        print(f"scripted model server: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # The first line is machine-readable: editor tests and the demo read the port from it.
    print(f"listening {server.url}", flush=True)
    try:
        stop.wait()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
