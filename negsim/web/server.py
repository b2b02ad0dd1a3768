"""Run the web application with uvicorn until a signal stops it, gracefully."""

from __future__ import annotations

import signal
import socket
from contextlib import contextmanager

import uvicorn

# Ctrl-C, SIGTERM and SIGHUP all stop the server gracefully: requests in flight get up to
# GRACE seconds to finish (a job is bounded by the page's work budget).
GRACE = 5.0
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


class Server(uvicorn.Server):
    """uvicorn's server, stopped gracefully by any of STOP_SIGNALS; ``stopped_by`` says which
    (uvicorn alone handles SIGINT and SIGTERM only, and replays them after shutting down)."""

    stopped_by: int | None = None

    @contextmanager
    def capture_signals(self):
        """Stop on STOP_SIGNALS while serving; restore the previous handlers afterwards."""
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig, frame) -> None:
        """Remember the first stopping signal, then let uvicorn shut down."""
        if self.stopped_by is None:
            self.stopped_by = sig
        super().handle_exit(sig, frame)


def serve(app, sock: socket.socket) -> int | None:
    """Serve ``app`` on the listening socket ``sock`` until a stop signal; return it."""
    server = Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                    timeout_graceful_shutdown=GRACE))
    server.run(sockets=[sock])
    return server.stopped_by
