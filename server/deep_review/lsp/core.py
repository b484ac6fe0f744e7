"""The language server object: state, documents, publishing. Handlers live in feature modules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from deep_review import __version__
from deep_review.lsp.diagnostics import (
    DiagnosticContext,
    preliminary_diagnostic,
    reconciled_diagnostic,
    split_lines,
)
from deep_review.lsp.protocol import DeepReviewProtocol
from deep_review.lsp.runner import ReviewRunner
from deep_review.lsp.settings import EditorSettings
from deep_review.lsp.state import ReviewState
from deep_review.model import Finding, ReconciledFinding, Review
from deep_review.rounds.history import round_summary

if TYPE_CHECKING:
    from deep_review.store import ReviewStore

logger = logging.getLogger(__name__)

STATUS_NOTIFICATION = "deepReview/status"


class DeepReviewServer(LanguageServer):
    """Holds the review on screen and the editor's settings; no review logic."""

    protocol: DeepReviewProtocol

    def __init__(self) -> None:
        super().__init__(
            "deep-review",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=DeepReviewProtocol,
        )
        self.editor = EditorSettings()
        self.state = ReviewState()
        self.repo_root: Path | None = None
        self.client_root: Path | None = None
        self.runner: ReviewRunner | None = None
        self._store: ReviewStore | None = None
        self._published: set[str] = set()
        self._uri_paths: dict[str, str | None] = {}
        self.ready = asyncio.Event()
        """Set once ``initialized`` has found the repository (or found there is none)."""
        self.status: dict[str, Any] = {"state": "idle", "reviewers": [], "counts": {}}

    # -- errors -------------------------------------------------------------------------------

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log every internal error; show the user only those that are not write failures."""
        from pygls.exceptions import FeatureRequestError, JsonRpcInternalError

        if source is FeatureRequestError:
            # The request's error response already tells the client (e.g. an unknown ID).
            logger.info("request failed: %s", error)
            return
        logger.error("server error (%s): %s", getattr(source, "__name__", source), error)
        if self.protocol.exited or source is JsonRpcInternalError:
            return  # a failed write: reporting it would write again
        self.show_message(f"Deep Review: internal error: {error}", types.MessageType.Error)

    # -- messages -----------------------------------------------------------------------------

    def show_message(self, text: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """A ``window/showMessage`` the user sees."""
        self.window_show_message(types.ShowMessageParams(type=kind, message=text))

    async def ask(self, text: str, *choices: str) -> str | None:
        """A question with buttons (``window/showMessageRequest``): the title chosen, or None."""
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=text,
            actions=[types.MessageActionItem(title=choice) for choice in choices],
        )
        try:
            answer = await self.window_show_message_request_async(params)
        except Exception as error:
            logger.info("showMessageRequest failed: %s", error)
            return None
        return answer.title if answer is not None else None

    def log(self, text: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """A ``window/logMessage`` for the output channel."""
        self.window_log_message(types.LogMessageParams(type=kind, message=text))

    def send_status(self, **update: Any) -> None:
        """Update and send ``deepReview/status`` for status bars."""
        self.status.update(update)
        self.status["counts"] = self.state.counts(self.editor.shows)
        review = self.state.review
        self.status["round"] = round_summary(review) if review is not None else None
        self.protocol.notify(STATUS_NOTIFICATION, dict(self.status))

    # -- capabilities -------------------------------------------------------------------------

    @property
    def supports_progress(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.work_done_progress)

    @property
    def supports_show_document(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.show_document and window.show_document.support)

    @property
    def supports_configuration(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.configuration)

    @property
    def supports_document_changes(self) -> bool:
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return bool(edit and edit.document_changes)

    @property
    def supports_disabled_actions(self) -> bool:
        text = self.client_capabilities.text_document
        action = text.code_action if text else None
        return bool(action and action.disabled_support)

    @property
    def codec(self) -> PositionCodec:
        return self.workspace.position_codec

    # -- store --------------------------------------------------------------------------------

    @property
    def store(self) -> ReviewStore | None:
        """The repository's ``.deep-review/`` store, once the repository is known."""
        if self._store is None and self.repo_root is not None:
            from deep_review.store import ReviewStore

            self._store = ReviewStore(self.repo_root)
        return self._store

    # -- documents ----------------------------------------------------------------------------

    def uri_for(self, path: str) -> str:
        """The file URI of a repository-relative path, spelled as the editor spells it."""
        for uri in self.workspace.text_documents:
            if self.path_for(uri) == path:
                return str(uri)
        root = self.repo_root or Path.cwd()
        if self.client_root is not None and self.client_root.resolve() == root:
            root = self.client_root
        return str(from_fs_path(str(root / path)))

    def path_for(self, uri: str) -> str | None:
        """The repository-relative path of a URI, None when outside the repository."""
        if self.repo_root is None:
            return None
        if uri not in self._uri_paths:
            fs_path = to_fs_path(uri)
            try:
                relative = Path(fs_path).resolve().relative_to(self.repo_root) if fs_path else None
            except ValueError:
                relative = None
            self._uri_paths[uri] = relative.as_posix() if relative is not None else None
        return self._uri_paths[uri]

    def open_document(self, path: str) -> TextDocument | None:
        """The editor's buffer for ``path`` when it is open."""
        documents: dict[str, TextDocument] = self.workspace.text_documents
        for uri, document in documents.items():
            if self.path_for(uri) == path:
                return document
        return None

    def text_for(self, path: str) -> str | None:
        """The current text of ``path``: the open buffer, else the file on disk."""
        document = self.open_document(path)
        if document is not None:
            return document.source
        target = self.confined(path)
        if target is None:
            return None
        try:
            return target.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None

    def confined(self, path: str) -> Path | None:
        """``path`` in the repository, None when it (or a symlink on the way) leads outside."""
        if self.repo_root is None:
            return None
        root = self.repo_root.resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or target == root:
            return None
        if ".git" in (part.lower() for part in target.relative_to(root).parts):
            return None
        return target

    def lines_for(self, path: str) -> list[str] | None:
        """``text_for`` split into lines the way LSP counts them."""
        text = self.text_for(path)
        return None if text is None else split_lines(text)

    # -- diagnostics --------------------------------------------------------------------------

    def report_href(self, finding: ReconciledFinding) -> str | None:
        """The finding's section in the HTML report, when the report exists."""
        html = self.state.report_html
        if html is None or not html.exists():
            return None
        from deep_review.report import finding_anchor

        return f"{html.as_uri()}#{finding_anchor(finding)}"

    def show_review(self, review: Review) -> None:
        """Put ``review``'s findings on screen, replacing everything shown before."""
        from deep_review.lsp.reports import existing_html

        store = self.store
        self.state.set_review(
            review,
            report_html=existing_html(store, review) if store is not None else None,
            is_dismissed=self.dismissal_check(),
        )
        self.publish()

    def dismissal_check(self) -> Callable[[Finding], bool]:
        """Whether a finding was dismissed (in any round), reading the store once."""
        store = self.store
        if store is None:
            return lambda _finding: False
        from deep_review.store import finding_fingerprint

        dismissed = store.dismissed_fingerprints()
        return lambda finding: finding_fingerprint(finding) in dismissed

    def diagnostics_by_uri(
        self, *, only_path: str | None = None
    ) -> dict[str, list[types.Diagnostic]]:
        """Every visible finding (in ``only_path`` when given) as a diagnostic, by document."""
        cache: dict[str, list[str]] = {}

        def lines(path: str) -> list[str]:
            if path not in cache:
                cache[path] = self.lines_for(path) or []
            return cache[path]

        context = DiagnosticContext(
            codec=self.codec,
            uri_for=self.uri_for,
            text_for=lambda path: lines(path) or None,
            review_key=self.state.key,
            report_href=self.report_href,
        )
        by_uri: dict[str, list[types.Diagnostic]] = {}
        for shown in self.state.visible(self.editor.shows):
            path = shown.finding.path
            if only_path is not None and path != only_path:
                continue
            anchor = shown.attach(lines(path))
            if anchor.resolved:
                continue
            reconciled = shown.reconciled
            if shown.reviewer is None and reconciled is not None:
                diagnostic = reconciled_diagnostic(reconciled, anchor.span, lines(path), context)
            else:
                diagnostic = preliminary_diagnostic(
                    shown.finding,
                    shown.reviewer or "",
                    shown.key,
                    anchor.span,
                    lines(path),
                    self.codec,
                )
            by_uri.setdefault(self.uri_for(path), []).append(diagnostic)
        return by_uri

    def publish(self) -> None:
        """Send every file's diagnostics, clearing files that no longer have any."""
        if self.protocol.exited:
            return
        by_uri = self.diagnostics_by_uri()
        for uri in sorted(self._published - by_uri.keys()):
            self._send_diagnostics(uri, [])
        for uri, diagnostics in sorted(by_uri.items()):
            self._send_diagnostics(uri, diagnostics)
        self._published = set(by_uri)

    def publish_path(self, path: str) -> None:
        """Send one file's diagnostics (after an edit there)."""
        if self.protocol.exited:
            return
        uri = self.uri_for(path)
        diagnostics = self.diagnostics_by_uri(only_path=path).get(uri, [])
        if not diagnostics and uri not in self._published:
            return
        self._send_diagnostics(uri, diagnostics)
        if diagnostics:
            self._published.add(uri)
        else:
            self._published.discard(uri)

    def _send_diagnostics(self, uri: str, diagnostics: list[types.Diagnostic]) -> None:
        document = self.workspace.text_documents.get(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=diagnostics,
                version=document.version if document is not None else None,
            )
        )
