"""``deep-review serve --tcp HOST:PORT``: the same server over a socket, for debugging."""

from __future__ import annotations

import asyncio
import socket
import sys

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from tests.support.gitrepo import GitRepo


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def connect(client: LanguageClient, port: int) -> None:
    for _ in range(200):
        try:
            await client.start_tcp("127.0.0.1", port)
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"the server never listened on port {port}")


async def test_serve_over_tcp_answers_and_exits_cleanly(repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("initial")
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "deep_review",
        "serve",
        "--tcp",
        f"127.0.0.1:{port}",
        stderr=asyncio.subprocess.PIPE,
    )
    client = LanguageClient("tcp-test", "1")
    try:
        await connect(client, port)
        result = await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=repo.root.as_uri()
            )
        )
        assert result.server_info is not None and result.server_info.name == "deep-review"
        assert result.capabilities.execute_command_provider is not None
        assert "deepReview.run" in result.capabilities.execute_command_provider.commands
        await client.shutdown_async(None)
        client.exit(None)
        assert await asyncio.wait_for(server.wait(), 15) == 0
        assert server.stderr is not None
        assert b"Traceback" not in await server.stderr.read()
    finally:
        await client.stop()
        if server.returncode is None:
            server.kill()
            await server.wait()
