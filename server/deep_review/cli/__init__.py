"""The ``deep-review`` command line: argument parsing and dispatch, no review logic."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import cast

from deep_review import __version__
from deep_review.errors import DeepReviewError
from deep_review.severity import SEVERITIES
from deep_review.untrusted import printable

Handler = Callable[[argparse.Namespace], int]

# Each subcommand's handler lives in a module of deep_review.cli (or the face it starts),
# imported lazily so `--help` and `diff` never pay for the model SDKs.
HANDLERS: dict[str, str] = {
    "diff": "deep_review.cli.diff:diff_command",
    "review": "deep_review.cli.review:review_command",
    "demo": "deep_review.demo:demo_command",
    "schema": "deep_review.schema:schema_command",
    "apply": "deep_review.cli.apply:apply_command",
    "reconcile": "deep_review.cli.reconcile:reconcile_command",
    "report": "deep_review.cli.report:report_command",
    "serve": "deep_review.lsp.server:serve_command",
    "dismiss": "deep_review.cli.rounds:dismiss_command",
    "undismiss": "deep_review.cli.rounds:undismiss_command",
    "history": "deep_review.cli.rounds:history_command",
    "trust": "deep_review.cli.trust:trust_command",
}

FORMATS = ("md", "html", "json", "sarif")


def _add_change_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", default=".", help="a folder inside the repository (default: .)")
    parser.add_argument("--base", help="the base ref to review against (default: auto-detected)")
    parser.add_argument(
        "--committed-only",
        action="store_true",
        help="review only commits base..HEAD, leaving out staged, unstaged and untracked files",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used for the README's usage text)."""
    parser = argparse.ArgumentParser(
        prog="deep-review",
        description="A panel of AI reviewers over your branch diff, reconciled into one list.",
    )
    parser.add_argument("--version", action="version", version=f"deep-review {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    diff = sub.add_parser("diff", help="show what would be reviewed")
    _add_change_options(diff)
    diff.add_argument("--format", choices=("text", "json"), default="text")

    review = sub.add_parser(
        "review",
        help="run the reviewer panel and write the report",
        description="Exit codes: 0 done; 1 a finding at or above --fail-on remains; 2 usage or"
        " environment error; 3 no model reviewer completed (not reviewed by a model);"
        " 4 --require-all and a reviewer did not complete.",
    )
    _add_change_options(review)
    review.add_argument("--reviewers", help="comma-separated reviewer names to run (default: all)")
    review.add_argument(
        "--format", action="append", choices=FORMATS, help="report format(s) (default: md, html)"
    )
    review.add_argument("--out", help="write the report here instead of .deep-review/reviews/")
    review.add_argument(
        "--fail-on", choices=SEVERITIES, help="exit 1 when a finding at or above this remains"
    )
    review.add_argument(
        "--require-all",
        action="store_true",
        help="exit 4 unless every reviewer in the panel completed (for CI)",
    )
    review.add_argument("--lead", help="reviewer name whose model leads reconciliation")
    review.add_argument("--no-cache", action="store_true", help="ignore a cached review")
    review.add_argument(
        "--full",
        action="store_true",
        help="round 2 on: send the whole branch diff again, not just the change since last round",
    )

    demo = sub.add_parser("demo", help="review a built-in example change with scripted reviewers")
    demo.add_argument("--out", help="folder for the demo repository (default: a temp folder)")
    demo.add_argument("--format", action="append", choices=FORMATS)

    sub.add_parser("schema", help="print the JSON Schema of AgentReview and Review")

    apply = sub.add_parser("apply", help="apply a finding's fix from the latest review")
    apply.add_argument("finding_id", metavar="ID", help="finding ID, e.g. I2")
    apply.add_argument("--repo", default=".")
    apply.add_argument("--dry-run", action="store_true", help="show the edit, change nothing")

    reconcile = sub.add_parser("reconcile", help="reconcile saved agent reviews again")
    reconcile.add_argument("agent_reviews", nargs="+", metavar="REVIEW.json")
    reconcile.add_argument("--repo", default=".")
    reconcile.add_argument("--lead", help="reviewer name or model to lead verification")
    reconcile.add_argument("--format", action="append", choices=FORMATS)
    reconcile.add_argument("--out")

    report = sub.add_parser("report", help="re-render the latest review, no model calls")
    report.add_argument("--repo", default=".")
    report.add_argument("--format", action="append", choices=FORMATS)
    report.add_argument("--out")
    report.add_argument("--open", action="store_true", help="open the report when written")
    report.add_argument("--round", type=int, metavar="N", help="re-render round N of this branch")
    _add_round_commands(sub)

    serve = sub.add_parser("serve", help="run the language server (stdio)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead (debugging)")
    return parser


def _add_round_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dismiss = sub.add_parser("dismiss", help="dismiss a finding of the latest review, for good")
    dismiss.add_argument("finding_id", metavar="ID", help="finding ID, e.g. I3")
    dismiss.add_argument("--reason", default="", help="why (shown in later reports)")
    dismiss.add_argument("--repo", default=".")
    undismiss = sub.add_parser("undismiss", help="raise a dismissed finding again")
    undismiss.add_argument("finding_id", metavar="ID", help="the ID it was dismissed as")
    undismiss.add_argument("--repo", default=".")
    history = sub.add_parser("history", help="the review rounds of the current branch")
    history.add_argument("--repo", default=".")
    history.add_argument("--format", choices=("text", "json"), default="text")
    trust = sub.add_parser(
        "trust", help="review and accept what this repository's own config runs or sends"
    )
    trust.add_argument("--repo", default=".")
    trust.add_argument("--yes", action="store_true", help="accept without asking")
    trust.add_argument("--revoke", action="store_true", help="withdraw consent")


def _load_handler(command: str) -> Handler:
    module_name, _, attr = HANDLERS[command].partition(":")
    module = importlib.import_module(module_name)
    return cast(Handler, getattr(module, attr))


class _StderrNotices(logging.Handler):
    """Warnings (e.g. "ignoring a store file deep-review did not write") as ``deep-review:`` lines.

    Writes to the current ``sys.stderr`` at each record, so it follows redirection.
    """

    def emit(self, record: logging.LogRecord) -> None:
        print(f"deep-review: {record.getMessage()}", file=sys.stderr)


def _show_warnings() -> None:
    logger = logging.getLogger("deep_review")
    if not any(isinstance(handler, _StderrNotices) for handler in logger.handlers):
        handler = _StderrNotices(level=logging.WARNING)
        logger.addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``deep-review`` console script."""
    args = build_parser().parse_args(argv)
    _show_warnings()
    try:
        return _load_handler(args.command)(args)
    except DeepReviewError as error:
        print(f"deep-review: {printable(error.message)}", file=sys.stderr)
        return error.exit_code
    except RecursionError:
        # Absurdly nested input (a 200k-deep JSON file) exhausts any recursive parser.
        print("deep-review: the input is nested too deeply to read", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("deep-review: cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
