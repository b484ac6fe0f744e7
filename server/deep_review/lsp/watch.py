"""Picking up reviews saved outside the editor (``deep-review review`` in a terminal)."""

from __future__ import annotations

from lsprotocol import types

from deep_review.lsp.core import DeepReviewServer
from deep_review.lsp.startup import load_saved_review

CACHE_GLOB = "**/.deep-review/cache/*.json"
REGISTRATION_ID = "deep-review/watch-store"


async def watch_store(ls: DeepReviewServer) -> None:
    """Ask the client to report changes in the review cache (when it can watch files)."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=CACHE_GLOB)]
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=REGISTRATION_ID,
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options,
                    )
                ]
            )
        )
    except Exception as error:  # the client declined: reviews load at start-up only
        ls.log(f"Deep Review: not watching for new reviews: {error}", types.MessageType.Warning)


async def did_change_watched_files(
    ls: DeepReviewServer, params: types.DidChangeWatchedFilesParams
) -> None:
    """A review was saved for some state: show it if it is the review of this very change."""
    if ls.runner is None or ls.runner.running:
        return
    if any("/.deep-review/cache/" in change.uri for change in params.changes):
        await load_saved_review(ls, replace=True)
