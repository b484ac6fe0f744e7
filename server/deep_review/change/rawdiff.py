"""Parsing ``git diff -z --raw --numstat -p`` output: one record per changed path."""

from __future__ import annotations

from dataclasses import dataclass

from deep_review.errors import DeepReviewError

_PATCH_START = b"diff --git "


@dataclass
class RawEntry:
    """One changed path as git reports it (status letter, modes, blobs, counts, patch bytes)."""

    status: str
    similarity: int | None
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    path: str
    old_path: str | None
    added: int | None = None
    removed: int | None = None
    patch: bytes = b""

    @property
    def is_binary(self) -> bool:
        return self.added is None


def parse_diff_output(output: bytes) -> list[RawEntry]:
    """Split combined raw + numstat + patch output into entries, in git's order."""
    if not output:
        return []
    fields = output.split(b"\0")
    entries: list[RawEntry] = []
    position = 0
    while position < len(fields) and fields[position].startswith(b":"):
        entry, position = _raw_record(fields, position)
        entries.append(entry)
    for entry in entries:
        position = _numstat_record(fields, position, entry)
    patch_text = b"\0".join(fields[position:])
    _attach_patches(entries, patch_text)
    return entries


def _raw_record(fields: list[bytes], position: int) -> tuple[RawEntry, int]:
    meta = fields[position].decode("ascii")[1:].split(" ")
    old_mode, new_mode, old_blob, new_blob, status_field = meta[:5]
    letter = status_field[0]
    similarity = int(status_field[1:]) if letter in "RC" and len(status_field) > 1 else None
    first = _decode_path(fields[position + 1])
    if letter in "RC":
        second = _decode_path(fields[position + 2])
        entry = RawEntry(letter, similarity, old_mode, new_mode, old_blob, new_blob, second, first)
        return entry, position + 3
    entry = RawEntry(letter, similarity, old_mode, new_mode, old_blob, new_blob, first, None)
    return entry, position + 2


def _numstat_record(fields: list[bytes], position: int, entry: RawEntry) -> int:
    added, removed, rest = fields[position].split(b"\t", 2)
    if added != b"-":
        entry.added, entry.removed = int(added), int(removed)
    # A rename's numstat line has an empty path field followed by old and new paths.
    return position + (3 if rest == b"" else 1)


def _attach_patches(entries: list[RawEntry], patch_text: bytes) -> None:
    if not entries:
        return
    start = patch_text.find(_PATCH_START)
    bounds: list[int] = []
    while start != -1:
        bounds.append(start)
        start = patch_text.find(b"\n" + _PATCH_START, start)
        if start != -1:
            start += 1
    # git prints a type change (file <-> symlink) as two patches: a deletion and a creation.
    expected = sum(2 if entry.status == "T" else 1 for entry in entries)
    if len(bounds) != expected:
        raise DeepReviewError(
            f"git reported {len(entries)} changed files but {len(bounds)} patches; "
            "the diff output could not be parsed."
        )
    bounds.append(len(patch_text))
    index = 0
    for entry in entries:
        width = 2 if entry.status == "T" else 1
        entry.patch = patch_text[bounds[index] : bounds[index + width]]
        index += width


def _decode_path(raw: bytes) -> str:
    # Paths are bytes in git; a name that is not UTF-8 stays readable (with U+FFFD).
    return raw.decode("utf-8", "replace")
