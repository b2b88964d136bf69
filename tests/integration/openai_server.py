"""A real OpenAI-compatible chat-completions server on 127.0.0.1, in a thread of the test:
it answers from a script (replies, HTTP errors, delays, dropped connections), then from a
responder function. The LLM extractor's and the phenotype judge's tests talk to it."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    content: str
    usage: tuple[int, int] = (11, 7)


@dataclass(frozen=True)
class Status:
    code: int
    body: Json = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Delay:
    seconds: float
    then: Reply


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering."""


Action = Reply | Status | Delay | Drop
Responder = Callable[[Json], Action]


class ScriptedServer:
    """OpenAI chat completions on 127.0.0.1: scripted actions first, then the responder."""

    def __init__(self, responder: Responder) -> None:
        self.script: deque[Action] = deque()
        self.requests: list[Json] = []
        self.headers: list[dict[str, str]] = []
        self.responder = responder
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        fast_shutdown = {"poll_interval": 0.02}
        threading.Thread(target=self.httpd.serve_forever, kwargs=fast_shutdown, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def next_action(self, request: Json, headers: dict[str, str]) -> Action:
        with self.lock:
            self.requests.append(request)
            self.headers.append(headers)
            scripted = self.script.popleft() if self.script else None
        return scripted or self.responder(request)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._act(server.next_action(body, dict(self.headers)))
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _act(self, action: Action) -> None:
                if isinstance(action, Delay):
                    time.sleep(action.seconds)
                    action = action.then
                if isinstance(action, Drop):
                    self.close_connection = True
                elif isinstance(action, Status):
                    self._send(action.code, action.body, dict(action.headers))
                else:
                    prompt, completion = action.usage
                    self._send(200, completion_body(action.content, prompt, completion), {})

            def _send(self, code: int, body: Json, headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (timeout test)
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion_body(content: str, prompt_tokens: int, completion_tokens: int) -> Json:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }
