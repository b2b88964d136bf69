"""A real TCP proxy on 127.0.0.1 that a test can cut, to drop a database connection
mid-load for real (no mock: the driver sees its socket closed by the peer)."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to a target until `cut()`, or until `cut_after_bytes`
    client bytes have gone through; after a cut, it refuses new connections."""

    def __init__(self, target_host: str, target_port: int, cut_after_bytes: int | None = None):
        self.target = (target_host, target_port)
        self.cut_after_bytes = cut_after_bytes
        self.forwarded = 0
        self.is_cut = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.is_cut:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if counted:
                    with self._lock:
                        self.forwarded += len(data)
                        over = self.cut_after_bytes is not None and (
                            self.forwarded >= self.cut_after_bytes
                        )
                    if over:
                        self.cut()
                        return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.is_cut = True
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.cut()
        self._server.close()
