"""ScriptedModelServer: a real HTTP server on 127.0.0.1 that answers like the model APIs.

It speaks Anthropic ``POST /v1/messages`` and OpenAI ``POST /v1/chat/completions`` and
``POST /v1/responses`` (JSON or SSE when the client streams), driven by transcripts keyed by the
request's ``model`` (and, for conditional scripts, by the conversation's opening text). The SDKs
reach it through ``base_url`` exactly as they reach the real services. It runs in its own thread,
so it serves sync code and a running event loop alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from deep_review.panel.scripted import wire
from deep_review.panel.scripted.transcript import (
    Answer,
    Fault,
    Script,
    add_script,
    choose_script,
    load_transcripts,
    parse_script,
)

Api = Literal["anthropic", "chat", "responses"]
_ROUTES: dict[str, Api] = {
    "/v1/messages": "anthropic",
    "/v1/chat/completions": "chat",
    "/v1/responses": "responses",
}
_SECRET_HEADERS = {"x-api-key", "authorization", "api-key", "x-goog-api-key"}
_HANG_LIMIT_S = 3600.0
_HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
_BROKEN_JSON = b'{"id": "scripted", "content": [{"type": "text", "text": "cut off'


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (secret headers masked)."""

    api: Api
    path: str
    model: str
    body: dict[str, Any]
    headers: dict[str, str]
    turn: int
    attempt: int
    raw: str = field(repr=False, default="")
    when: tuple[str, ...] = ()
    """The condition of the script that answered (empty: the default script, or none)."""

    @property
    def text(self) -> str:
        """The request body as sent: for 'does this string appear anywhere' checks."""
        return self.raw


@dataclass
class _Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    events: list[wire.SseEvent] | None = None
    hang: bool = False
    delay_s: float = 0.0


class ScriptedModelServer:
    """The scripted model endpoint; a context manager (sync or async), port 0 → a free port."""

    def __init__(
        self,
        transcripts: Path | Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        *,
        port: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self._plans: dict[str, list[Script]] = {}
        if isinstance(transcripts, Path):
            self._plans.update(load_transcripts(transcripts))
        elif transcripts is not None:
            for model, steps in transcripts.items():
                self.add_transcript(model, steps)
        self._requested_port = port
        self._attempts: dict[tuple[str, str, int], int] = {}
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def add_transcript(
        self,
        model: str,
        steps: Sequence[Mapping[str, Any]],
        *,
        when: str | Sequence[str] | None = None,
    ) -> None:
        """Script ``model``; with ``when``, only conversations whose opening holds those texts.

        A script replaces the one with the same condition (without ``when``: the default).
        """
        condition = [when] if isinstance(when, str) else None if when is None else list(when)
        script = parse_script(model, steps, condition)
        with self._lock:
            kept = [s for s in self._plans.get(model, []) if s.when != script.when]
            self._plans[model] = kept
            add_script(self._plans, model, script)

    def start(self) -> ScriptedModelServer:
        """Start serving in a background thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", self._requested_port), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"scripted-model-server:{httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, release hung requests, close every connection, join the thread."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        httpd.join_handlers(timeout=5)

    def __enter__(self) -> ScriptedModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> ScriptedModelServer:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- addresses and records -------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the scripted model server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the Anthropic SDK's ``base_url``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: the OpenAI SDK's ``base_url``."""
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def max_concurrent(self) -> int:
        """The most requests that were being answered at the same time."""
        with self._lock:
            return self._max_in_flight

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def requests_for(self, model: str) -> list[RecordedRequest]:
        """The requests that named ``model``."""
        return [r for r in self.requests if r.model == model]

    # --- answering -------------------------------------------------------------------------

    def _answer(self, api: Api, path: str, raw: bytes, headers: Mapping[str, str]) -> _Reply:
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return _error(api, 400, "the request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(api, 400, "the request body must be a JSON object")
        model = str(body.get("model", ""))
        turn = _assistant_turns(api, body)
        key = (model, _conversation_key(api, body), turn)
        with self._lock:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
            scripts = self._plans.get(model)
            script = choose_script(scripts, opening(api, body)) if scripts else None
            self._requests.append(
                RecordedRequest(
                    api=api,
                    path=path,
                    model=model,
                    body=body,
                    headers=_masked(headers),
                    turn=turn,
                    attempt=attempt,
                    raw=raw.decode("utf-8", "replace"),
                    when=script.when if script else (),
                )
            )
        if scripts is None:
            return _error(api, 404, f"model: {model} (no transcript for this model)")
        if script is None:
            conditions = "; ".join(" + ".join(map(repr, s.when)) for s in scripts)
            return _error(
                api,
                400,
                f"no scripted transcript for {model!r} matches this conversation and it has no"
                f" default script (conditions: {conditions})",
            )
        plans = script.plans
        if turn >= len(plans):
            return _error(
                api,
                400,
                f"scripted transcript for {model!r}{_described(script)} has no step for turn"
                f" {turn + 1}",
            )
        plan = plans[turn]
        if attempt < len(plan.faults) or plan.answer is None:
            return _fault_reply(api, plan.faults[min(attempt, len(plan.faults) - 1)])
        return _answer_reply(api, body, raw, model, plan.answer, turn)

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when it is stopping."""
        return self._stopping.wait(seconds)


def _masked(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        k.lower(): ("[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()
    }


def _assistant_turns(api: Api, body: Mapping[str, Any]) -> int:
    if api in ("anthropic", "chat"):
        messages = body.get("messages") or []
        return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
    items = body.get("input")
    if not isinstance(items, list):
        return 0
    turns, in_output = 0, False
    for item in items:
        is_output = isinstance(item, dict) and (
            item.get("role") == "assistant" or item.get("type") in ("function_call", "reasoning")
        )
        if is_output and not in_output:
            turns += 1
        in_output = is_output
    return turns


def _conversation_key(api: Api, body: Mapping[str, Any]) -> str:
    if api == "anthropic":
        system: Any = body.get("system")
        first = _first_user(body.get("messages"))
    elif api == "chat":
        messages = body.get("messages") or []
        system = next((m.get("content") for m in messages if m.get("role") == "system"), None)
        first = _first_user(messages)
    else:
        system = body.get("instructions")
        items = body.get("input")
        first = items if isinstance(items, str) else _first_user(items)
    digest = hashlib.sha256(json.dumps([system, first], sort_keys=True).encode())
    return digest.hexdigest()[:16]


def opening(api: Api, body: Mapping[str, Any]) -> str:
    """The text a conversation opens with, that ``when`` conditions are matched against.

    It is the system prompt (Anthropic ``system``; the Chat ``system``/``developer`` messages
    and the Responses ``instructions`` and ``system``/``developer`` items before the first user
    message) followed by the first user message, each as plain text (text parts joined by
    newlines, other parts ignored), separated by a blank line. It does not change as the
    conversation goes on, so every turn of a conversation follows the same script.
    """
    if api == "anthropic":
        system = [_plain(body.get("system"))]
        items: Any = body.get("messages")
    elif api == "chat":
        system, items = [], body.get("messages")
    else:
        system, items = [_plain(body.get("instructions"))], body.get("input")
        if isinstance(items, str):
            return "\n\n".join(part for part in [*system, items] if part)
    user = ""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        role = item.get("role")
        if role in ("system", "developer"):
            system.append(_plain(item.get("content")))
        elif role == "user":
            user = _plain(item.get("content"))
            break
    return "\n\n".join(part for part in [*system, user] if part)


def _plain(content: Any) -> str:
    """A message content as text: a string, or its text parts joined by newlines."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = [
        part["text"]
        for part in content
        if isinstance(part, dict)
        and part.get("type") in ("text", "input_text")
        and isinstance(part.get("text"), str)
    ]
    return "\n".join(texts)


def _described(script: Script) -> str:
    return f" (when {' + '.join(map(repr, script.when))})" if script.when else ""


def _first_user(messages: Any) -> Any:
    if not isinstance(messages, list):
        return None
    return next(
        (m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"),
        None,
    )


def _error(api: Api, status: int, message: str, headers: dict[str, str] | None = None) -> _Reply:
    payload = (
        wire.anthropic_error(status, message)
        if api == "anthropic"
        else wire.openai_error(status, message)
    )
    return _Reply(status=status, body=json.dumps(payload).encode(), headers=headers or {})


def _fault_reply(api: Api, fault: Fault) -> _Reply:
    if fault.hang:
        return _Reply(hang=True, delay_s=fault.delay_s)
    if fault.malformed == "html":
        return _Reply(body=_HTML_PAGE, content_type="text/html", delay_s=fault.delay_s)
    if fault.malformed == "json":
        return _Reply(body=_BROKEN_JSON, delay_s=fault.delay_s)
    status = fault.status or 500
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["retry-after"] = f"{fault.retry_after:g}"
        headers["retry-after-ms"] = str(int(fault.retry_after * 1000))
    reply = _error(api, status, fault.message or f"scripted HTTP {status}", headers)
    reply.delay_s = fault.delay_s
    return reply


def _tokens(
    api: Api, body: Mapping[str, Any], raw: bytes, answer: Answer, turn: int
) -> wire.Tokens:
    # Rough but stable numbers (4 bytes a token) so stats and benchmarks have something real.
    prompt = max(1, len(raw) // 4)
    produced = json.dumps([answer.text, [(c.name, c.input) for c in answer.calls]])
    cached = 0
    if turn > 0 and (api != "anthropic" or b"cache_control" in raw):
        prefix = json.dumps([body.get("system") or body.get("instructions"), body.get("tools")])
        cached = min(prompt, len(prefix) // 4)
    return wire.Tokens(input=prompt, output=max(1, len(produced) // 4), cached=cached)


def _answer_reply(
    api: Api, body: Mapping[str, Any], raw: bytes, model: str, answer: Answer, turn: int
) -> _Reply:
    tokens = _tokens(api, body, raw, answer, turn)
    stream = bool(body.get("stream"))
    if api == "anthropic":
        message = wire.anthropic_message(model, answer, turn, tokens)
        events = wire.anthropic_events(message) if stream else None
        payload: dict[str, Any] = message
    elif api == "chat":
        payload = wire.chat_completion(model, answer, turn, tokens)
        options = body.get("stream_options") or {}
        usage = bool(options.get("include_usage")) if isinstance(options, dict) else False
        events = wire.chat_events(payload, include_usage=usage) if stream else None
    else:
        payload = wire.response_object(model, answer, turn, tokens)
        events = wire.response_events(payload) if stream else None
    if events is not None:
        return _Reply(events=events, content_type="text/event-stream", delay_s=answer.delay_s)
    return _Reply(body=json.dumps(payload).encode(), delay_s=answer.delay_s)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: ScriptedModelServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._connections_lock:
            self._handlers.add(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
            self._handlers.discard(threading.current_thread())
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, *, timeout: float) -> None:
        with self._connections_lock:
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join(timeout=timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate small writes: without TCP_NODELAY, Nagle plus the
    # client's delayed ACK adds ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo read the recorded requests instead."""

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/health", "/v1/models"):
            models = sorted(self.server.owner._plans)
            body = {"object": "list", "data": [{"id": m, "object": "model"} for m in models]}
            self._send(_Reply(body=json.dumps(body).encode()))
        else:
            self._send(_Reply(status=404, body=b'{"error": {"message": "not found"}}'))

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        api = _ROUTES.get(path)
        if api is None:
            self._send(_Reply(status=404, body=b'{"error": {"message": "no such endpoint"}}'))
            return
        owner = self.server.owner
        owner._enter()
        try:
            reply = owner._answer(api, path, raw, dict(self.headers.items()))
            if reply.delay_s and owner._wait(reply.delay_s):
                self.close_connection = True
                return
            if reply.hang:
                owner._wait(_HANG_LIMIT_S)
                self.close_connection = True
                return
            self._send(reply)
        finally:
            owner._leave()

    def _send(self, reply: _Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.events is None:
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            self.close_connection = True
            for event_name, data in reply.events:
                line = data if isinstance(data, str) else json.dumps(data)
                prefix = f"event: {event_name}\n" if event_name else ""
                self.wfile.write(f"{prefix}data: {line}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
