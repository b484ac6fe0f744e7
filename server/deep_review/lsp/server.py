"""``deep-review serve``: protocol glue that wires the feature modules into a pygls server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from deep_review.errors import DeepReviewError
from deep_review.lsp import code_actions, documents, hover, watch
from deep_review.lsp.commands import COMMANDS
from deep_review.lsp.core import DeepReviewServer
from deep_review.lsp.runner import ReviewRunner
from deep_review.lsp.settings import SECTION, parse_editor_settings
from deep_review.lsp.startup import load_saved_review

logger = logging.getLogger(__name__)

SHUTDOWN_WAIT_S = 2.0


def _client_root(params: types.InitializeParams) -> Path | None:
    uri = params.root_uri
    if uri is None and params.workspace_folders:
        uri = params.workspace_folders[0].uri
    if uri is not None:
        fs_path = to_fs_path(uri)
        return Path(fs_path) if fs_path else None
    return Path(params.root_path) if params.root_path else None


def initialize(ls: DeepReviewServer, params: types.InitializeParams) -> None:
    """Read ``initializationOptions``; everything slow waits for ``initialized``."""
    ls.client_root = _client_root(params)
    try:
        ls.editor = parse_editor_settings(params.initialization_options)
    except DeepReviewError as error:
        ls.show_message(f"Deep Review: {error.message}", types.MessageType.Error)


async def initialized(ls: DeepReviewServer, params: types.InitializedParams) -> None:
    """Pull settings, find the repository, show the saved review for an unmoved change."""
    try:
        found = await _find_repository(ls)
    finally:
        ls.ready.set()
    if found:
        await load_saved_review(ls)
        await watch.watch_store(ls)


async def _find_repository(ls: DeepReviewServer) -> bool:
    await pull_settings(ls)
    if ls.client_root is None:
        ls.log("Deep Review: no workspace folder; open a folder inside a git repository.")
        return False
    from deep_review.change import find_repo_root

    try:
        ls.repo_root = (await asyncio.to_thread(find_repo_root, ls.client_root)).resolve()
    except DeepReviewError as error:
        ls.log(f"Deep Review: {error.message}", types.MessageType.Warning)
        ls.send_status(state="idle")
        return False
    ls.runner = ReviewRunner(ls)
    return True


async def pull_settings(ls: DeepReviewServer) -> None:
    """Ask the client for the ``deepReview`` section (when it answers configuration requests)."""
    if not ls.supports_configuration:
        return
    scope = from_fs_path(str(ls.client_root)) if ls.client_root is not None else None
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(
                items=[types.ConfigurationItem(section=SECTION, scope_uri=scope)]
            )
        )
    except Exception as error:
        ls.log(f"Deep Review: could not read settings: {error}", types.MessageType.Warning)
        return
    if result and result[0] is not None:
        _apply_settings(ls, result[0])


def _apply_settings(ls: DeepReviewServer, raw: object) -> None:
    try:
        ls.editor = parse_editor_settings(raw)
    except DeepReviewError as error:
        ls.show_message(f"Deep Review: {error.message}", types.MessageType.Error)


async def did_change_configuration(
    ls: DeepReviewServer, params: types.DidChangeConfigurationParams
) -> None:
    """New settings: take pushed ones, else pull; re-filter what is shown."""
    pushed = params.settings
    if isinstance(pushed, dict) and isinstance(pushed.get(SECTION), dict):
        _apply_settings(ls, pushed)
    else:
        await pull_settings(ls)
    ls.publish()
    ls.send_status()


async def shutdown(ls: DeepReviewServer, *args: Any) -> None:
    """Stop a running review (its cancel scope leaves nothing half-written)."""
    if ls.runner is not None and ls.runner.cancel():
        await ls.runner.wait(SHUTDOWN_WAIT_S)


def build_server() -> DeepReviewServer:
    """A server with every feature registered."""
    server = DeepReviewServer()
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(documents.did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(documents.did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(documents.did_close)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(documents.did_save)
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover.hover)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(watch.did_change_watched_files)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )(code_actions.code_actions)
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
    return server


def _configure_logging() -> None:
    level = os.environ.get("DEEP_REVIEW_LSP_LOG", "WARNING").upper()
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level, logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _parse_tcp(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DeepReviewError(f"--tcp expects HOST:PORT, e.g. 127.0.0.1:2087, not {value!r}.")
    return host, int(port)


def serve_command(args: argparse.Namespace) -> int:
    """Run the language server on stdio (or TCP with ``--tcp HOST:PORT``)."""
    tcp = getattr(args, "tcp", None)
    address = _parse_tcp(tcp) if tcp else None
    _configure_logging()
    server = build_server()
    if address is not None:
        server.start_tcp(*address)
    else:
        server.start_io()
    # pygls swallows the SystemExit carrying the code; LSP says 1 when `exit` came unasked.
    return 0 if server.protocol.shut_down else 1
