"""A scripted model server for tests, benchmarks and the demo (see README.md here)."""

from __future__ import annotations

from deep_review.panel.scripted.server import RecordedRequest, ScriptedModelServer
from deep_review.panel.scripted.transcript import TranscriptError, load_transcripts

__all__ = ["RecordedRequest", "ScriptedModelServer", "TranscriptError", "load_transcripts"]
