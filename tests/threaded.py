"""A local stand-in server served from a daemon thread for the length of a `with` block."""
from __future__ import annotations

import socketserver
import threading
from typing import Self


class ServedInThread:
    """Subclasses set `self.server` (a socketserver server) in `__init__`."""

    server: socketserver.BaseServer

    def __enter__(self) -> Self:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
