"""Diagnostics live with the text: edits move them, removed evidence resolves them."""

from __future__ import annotations

from lsprotocol import types

from tests.lsp.editor import Editor, editor_session
from tests.lsp.project import save_review
from tests.support.gitrepo import GitRepo


def lines_of(editor: Editor, path: str) -> dict[str, tuple[int, int]]:
    return {str(d.code): (d.range.start.line, d.range.end.line) for d in editor.diagnostics(path)}


def at(line: int, character: int = 0) -> types.Position:
    return types.Position(line=line, character=character)


async def ready(editor: Editor) -> None:
    await editor.wait_for(lambda: any(s["state"] == "done" for s in editor.status))


async def test_lines_inserted_and_deleted_above_move_the_diagnostics(
    project: GitRepo, profile: str
) -> None:
    save_review(project)
    async with editor_session(project.root, profile) as editor:
        await ready(editor)
        assert lines_of(editor, "app.py") == {"S1": (4, 4), "I1": (8, 8), "C1": (12, 13)}
        editor.open("app.py")
        editor.insert_lines("app.py", 0, "# header\n# more header\n")
        await editor.wait_for(lambda: lines_of(editor, "app.py").get("S1") == (6, 6))
        assert lines_of(editor, "app.py") == {"S1": (6, 6), "I1": (10, 10), "C1": (14, 15)}
        # Delete `def greet` and its body (lines 5-6 now): S1's code goes, the rest moves up.
        editor.edit("app.py", types.Range(start=at(5), end=at(7)), "")
        await editor.wait_for(lambda: "S1" not in lines_of(editor, "app.py"))
        assert lines_of(editor, "app.py") == {"I1": (8, 8), "C1": (12, 13)}
        # Hover follows the moved range too.
        hover = await editor.hover("app.py", 8)
        assert hover is not None and "File handle never closed" in str(hover.contents)


async def test_editing_inside_the_evidence_resolves_the_finding(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root) as editor:
        await ready(editor)
        editor.open("app.py")
        # Re-indenting and blank lines do not count as fixing it ...
        editor.insert_lines("app.py", 9, "\n")
        await editor.wait_for(lambda: lines_of(editor, "app.py")["C1"] == (13, 14))
        assert "I1" in lines_of(editor, "app.py")
        # ... changing the quoted line does.
        editor.edit("app.py", types.Range(start=at(8, 11), end=at(8, 28)), "read_all(path)")
        await editor.wait_for(lambda: "I1" not in lines_of(editor, "app.py"))
        assert sorted(lines_of(editor, "app.py")) == ["C1", "S1"]
        # Status bars hear about it: the resolved finding leaves the counts.
        await editor.wait_for(lambda: editor.status[-1]["counts"]["important"] == 0)
        assert editor.status[-1]["counts"] == {"critical": 1, "important": 0, "suggestion": 2}


async def test_a_whole_document_change_reanchors_moved_code(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root) as editor:
        await ready(editor)
        buffer = editor.open("app.py")
        # A formatter rewrote the file: the `run` function moved to the top.
        moved = "def run(cmd):\n    os.system(cmd)\n\n\n" + buffer.text.replace(
            "\n\ndef run(cmd):\n    os.system(cmd)\n", ""
        )
        buffer.text, buffer.version = moved, buffer.version + 1
        editor.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=buffer.uri, version=buffer.version
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=moved)],
            )
        )
        await editor.wait_for(lambda: lines_of(editor, "app.py").get("C1") == (0, 1))


async def test_closing_an_unsaved_buffer_goes_back_to_the_file(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root) as editor:
        await ready(editor)
        editor.open("app.py")
        editor.edit("app.py", types.Range(start=at(13), end=at(14)), "")
        await editor.wait_for(lambda: "C1" not in lines_of(editor, "app.py"))
        editor.close("app.py")
        # The shell call is still on disk: the finding is back where it was.
        await editor.wait_for(lambda: "C1" in lines_of(editor, "app.py"))
        assert lines_of(editor, "app.py") == {"S1": (4, 4), "I1": (8, 8), "C1": (12, 13)}
