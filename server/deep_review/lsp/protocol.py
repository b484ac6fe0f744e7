"""pygls 2.1 protocol fixes: shutdown with requests in flight, and silence after ``exit``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Generator
from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol, lsp_method

logger = logging.getLogger(__name__)


class DeepReviewProtocol(LanguageServerProtocol):
    """The stock protocol with two fixes that a long-running command needs."""

    exited = False
    """Set once ``exit`` arrives: nothing may be written to the closing stream after it."""

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """Shut down, cancelling in-flight requests without iterating a changing dict (#606)."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        """Stop sending before the stream closes, then exit as pygls does."""
        self.exited = True
        if not isinstance(self.writer, asyncio.StreamWriter):
            yield from super().lsp_exit(*args)
            return
        # Over TCP (--tcp) pygls raises SystemExit inside the connection callback, where asyncio
        # only logs it: close the connection and stop the server instead.
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        self.writer.close()
        self._server.shutdown()  # type: ignore[no-untyped-call]

    @property
    def shut_down(self) -> bool:
        """Whether the client asked for ``shutdown`` (before ``exit``)."""
        return bool(self._shutdown)

    def _send_data(self, data: Any) -> None:
        # A review task finishing after `exit` must not write to a closed pipe: every failed
        # write would be reported through showMessage, which fails again, without end.
        if self.exited:
            logger.debug("not sending after exit: %s", type(data).__name__)
            return
        super()._send_data(data)
