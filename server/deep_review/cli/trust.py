"""``deep-review trust``: show what the repository's config would run or send, and consent."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from deep_review.change import find_repo_root
from deep_review.config_loader import repository_config
from deep_review.workspace_trust import grant, is_trusted, revoke


def trust_command(args: argparse.Namespace) -> int:
    """Print what needs consent; with ``--yes`` (or a yes at the prompt) record it."""
    root = find_repo_root(Path(args.repo).resolve())
    env = os.environ
    if args.revoke:
        gone = revoke(root, env)
        print("Consent withdrawn." if gone else "This repository was not trusted.")
        return 0
    config = repository_config(root)
    if not config.privileged:
        print("This repository's config neither runs commands nor sends code elsewhere:")
        print("nothing needs your consent.")
        return 0
    trusted = is_trusted(root, config.digest, env)
    print(f"{root}'s own config asks to:")
    for item in config.privileged:
        print(f"  - {item}")
    if trusted:
        print("You trust this config as it is now.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            print("Not trusted. Run `deep-review trust --yes` to accept it as it is now.")
            return 1
        answer = input("Trust this config as it is now? [y/N] ").strip().lower()
        if answer not in {"y", "yes"}:
            print("Not trusted; these settings stay out of reviews.")
            return 1
    recorded = grant(root, config.digest, env)
    print(f"Trusted (recorded in {recorded}); any change to the config will ask again.")
    return 0
