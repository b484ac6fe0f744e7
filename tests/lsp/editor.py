"""A scripted editor over pytest-lsp's client: open buffers, typed edits, applied WorkspaceEdits."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

PROFILES = {
    # VS Code: utf-16, work-done progress, documentChanges, disabled code actions.
    "vscode": "visual-studio-code",
    # Neovim 0.11: prefers utf-8, no documentChanges, no disabled code actions.
    "neovim": "neovim@v0.11.0",
}


@dataclass
class Buffer:
    uri: str
    text: str
    version: int = 1


@dataclass
class Editor:
    """What a user's editor does: keeps buffers, sends didOpen/didChange, applies edits."""

    client: LanguageClient
    root: Path
    encoding: str = "utf-16"
    buffers: dict[str, Buffer] = field(default_factory=dict)
    applied_edits: list[types.WorkspaceEdit] = field(default_factory=list)
    status: list[dict[str, Any]] = field(default_factory=list)
    edit_requests: int = 0
    registrations: list[types.Registration] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    def uri(self, path: str) -> str:
        return (self.root / path).as_uri()

    @property
    def codec(self) -> PositionCodec:
        return PositionCodec(self.encoding)

    def diagnostics(self, path: str) -> list[types.Diagnostic]:
        return list(self.client.diagnostics.get(self.uri(path), []))

    def open(self, path: str) -> Buffer:
        text = (self.root / path).read_text(encoding="utf-8")
        buffer = Buffer(self.uri(path), text)
        self.buffers[path] = buffer
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=buffer.uri, language_id="python", version=1, text=text
                )
            )
        )
        return buffer

    def close(self, path: str) -> None:
        buffer = self.buffers.pop(path)
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=buffer.uri)
            )
        )

    def edit(self, path: str, range_: types.Range, new_text: str) -> None:
        """Type into an open buffer: apply locally, send an incremental didChange."""
        buffer = self.buffers[path]
        buffer.text = self._apply(buffer.text, [types.TextEdit(range=range_, new_text=new_text)])
        buffer.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=buffer.uri, version=buffer.version
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=range_, text=new_text)
                ],
            )
        )

    def insert_lines(self, path: str, line: int, text: str) -> None:
        position = types.Position(line=line, character=0)
        self.edit(path, types.Range(start=position, end=position), text)

    def save(self, path: str) -> None:
        buffer = self.buffers[path]
        (self.root / path).write_text(buffer.text, encoding="utf-8")
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=buffer.uri)
            )
        )

    def apply_workspace_edit(self, edit: types.WorkspaceEdit) -> bool:
        """Apply ``edit`` as an editor does: open buffers change (didChange), others on disk."""
        self.applied_edits.append(edit)
        per_uri: dict[str, list[types.TextEdit]] = {}
        for uri, edits in (edit.changes or {}).items():
            per_uri.setdefault(uri, []).extend(edits)
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit), change
            per_uri.setdefault(change.text_document.uri, []).extend(
                e for e in change.edits if isinstance(e, types.TextEdit)
            )
        for uri, edits in per_uri.items():
            path = Path(uri.removeprefix("file://")).relative_to(self.root).as_posix()
            if path in self.buffers:
                for text_edit in sorted(edits, key=_edit_start, reverse=True):
                    self.edit(path, text_edit.range, text_edit.new_text)
                self.save(path)
            else:
                target = self.root / path
                target.write_text(self._apply(target.read_text("utf-8"), edits), "utf-8")
        return True

    def _apply(self, text: str, edits: list[types.TextEdit]) -> str:
        for text_edit in sorted(edits, key=_edit_start, reverse=True):
            lines = text.splitlines(keepends=True) or [""]
            server_range = self.codec.range_from_client_units(lines, text_edit.range)
            start = _offset(lines, server_range.start.line, server_range.start.character)
            end = _offset(lines, server_range.end.line, server_range.end.character)
            text = text[:start] + text_edit.new_text + text[end:]
        return text

    async def command(self, name: str, *arguments: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments))
        )

    async def code_actions(self, path: str, line: int) -> list[types.CodeAction]:
        position = types.Position(line=line, character=0)
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri(path)),
                range=types.Range(start=position, end=position),
                context=types.CodeActionContext(diagnostics=self.diagnostics(path)),
            )
        )
        return [action for action in result or [] if isinstance(action, types.CodeAction)]

    async def hover(self, path: str, line: int, character: int = 4) -> types.Hover | None:
        return await self.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri(path)),
                position=types.Position(line=line, character=character),
            )
        )

    async def wait_for(self, predicate: Callable[[], object], timeout: float = 30.0) -> None:
        """Poll until ``predicate()`` is truthy (the server works asynchronously)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {predicate.__doc__ or predicate}")
            await asyncio.sleep(0.02)

    def messages(self, kind: types.MessageType | None = None) -> list[str]:
        return [m.message for m in self.client.messages if kind is None or m.type == kind]


def _edit_start(edit: types.TextEdit) -> tuple[int, int]:
    return (edit.range.start.line, edit.range.start.character)


def _offset(lines: list[str], line: int, character: int) -> int:
    return sum(len(text) for text in lines[:line]) + character


def server_command() -> list[str]:
    return [sys.executable, "-m", "deep_review", "serve"]


@asynccontextmanager
async def editor_session(
    root: Path,
    profile: str = "vscode",
    *,
    init_options: dict[str, Any] | None = None,
    configuration: dict[str, Any] | None = None,
    capabilities: types.ClientCapabilities | None = None,
    apply_edit_gate: asyncio.Event | None = None,
    answer_questions: str | None = None,
) -> AsyncIterator[Editor]:
    """Start ``deep-review serve``, initialize it for ``root`` as ``profile``, shut it down."""
    # The scripted model server takes any key; the Anthropic SDK insists on having one.
    server_env = {**os.environ, "DR_TEST_SCRIPTED_KEY": "scripted-test-key"}
    client = await ClientServerConfig(
        server_command=server_command(), server_env=server_env
    ).start()
    assert isinstance(client, LanguageClient)
    _fix_code_action_structuring(client)
    if configuration is not None:
        client.set_configuration(configuration)
    editor = Editor(client, root)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    async def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        editor.edit_requests += 1
        if apply_edit_gate is not None:
            await apply_edit_gate.wait()  # a user looking at a confirmation dialog
        return types.ApplyWorkspaceEditResult(applied=editor.apply_workspace_edit(params.edit))

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def question(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        # The user clicks ``answer_questions`` (None: dismisses the question).
        editor.questions.append(params.message)
        offered = [action.title for action in params.actions or []]
        if answer_questions is None or answer_questions not in offered:
            return None
        return types.MessageActionItem(title=answer_questions)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        editor.registrations.extend(params.registrations)

    @client.feature("deepReview/status")
    def status(params: Any) -> None:
        editor.status.append(_as_dict(params))

    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or client_capabilities(PROFILES[profile]),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=init_options,
        )
    )
    editor.encoding = str(result.capabilities.position_encoding or "utf-16")
    try:
        yield editor
    finally:
        if not client.stopped:
            await client.shutdown_session()
            await client.stop()


def _fix_code_action_structuring(client: LanguageClient) -> None:
    """lsprotocol reads any code action with a ``command`` as a Command; real editors do not."""
    converter = client.protocol._converter

    def structure(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(types.Command | types.CodeAction, structure)
    converter.register_structure_hook(Union[types.Command, types.CodeAction], structure)  # noqa: UP007


def _as_dict(params: Any) -> dict[str, Any]:
    plain = _plain(params)
    assert isinstance(plain, dict), params
    return plain


def _plain(value: Any) -> Any:
    """pygls hands unknown notifications over as namedtuples: back to JSON-like data."""
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
