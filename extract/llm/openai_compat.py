"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, llama.cpp, Ollama, TGI).

Structured output is asked for as strongly as the server allows: a JSON-schema
`response_format`, else JSON mode, else nothing (the extractor then parses and repairs).
Support is found by trying: a 400 that names response_format steps down one level, once
for the whole run. Errors name the host and status only; request and reply bodies, which
carry note text, never reach a message or a log.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Literal

import httpx

from extract.llm.backend import ChatRequest
from extract.llm.cache import Completion
from extract.llm.options import LLMOptions
from extract.llm.retry import RETRY_STATUSES, backoff_delay
from pvkg.errors import ExtractionError
from pvkg.options import ref

Mode = Literal["json_schema", "json_object", "none"]
_WEAKER: dict[Mode, Mode] = {"json_schema": "json_object", "json_object": "none"}
_CODE = re.compile(r"^[\w.-]{1,40}$")
logger = logging.getLogger(__name__)


class OpenAIBackend:
    """Chat completions over HTTP, with retries, backoff and structured-output fallback."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        response_format: Mode | Literal["auto"] = "auto",
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        concurrency: int = 4,
        use_env_proxy: bool = False,
    ) -> None:
        self._endpoint = endpoint(url)
        self._host = httpx.URL(self._endpoint).host
        self._model = model
        self._key_env = api_key_env
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._fallback = response_format == "auto"
        self.mode: Mode = "json_schema" if response_format == "auto" else response_format
        self._timeout, self._retries, self._backoff = timeout, retries, backoff
        self._sampling = {"temperature": temperature, "max_tokens": max_tokens}
        self._limits = httpx.Limits(max_connections=concurrency)
        self._use_env_proxy = use_env_proxy
        self._client: httpx.AsyncClient | None = None
        self.retries_made = 0

    @property
    def model_id(self) -> str:
        return self._model

    async def complete(self, request: ChatRequest) -> Completion:
        while True:
            mode = self.mode
            response = await self._send(self._body(request, mode))
            if not self._rejects_format(response, mode):
                return self._read(response)
            if self.mode == mode:  # requests in flight together step down once
                self.mode = _WEAKER[mode]
                logger.info("LLM server %s refused %s; using %s", self._host, mode, self.mode)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _body(self, request: ChatRequest, mode: Mode) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": list(request.messages),
            **self._sampling,
        }
        if mode == "json_schema":
            schema = {"name": request.schema_name, "schema": request.schema, "strict": True}
            body["response_format"] = {"type": "json_schema", "json_schema": schema}
        elif mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    async def _send(self, body: dict[str, Any]) -> httpx.Response:
        client = self._open()
        attempt = 0
        while True:
            last = attempt == self._retries
            try:
                response = await client.post(self._endpoint, json=body)
            except httpx.TransportError as exc:
                if last:
                    raise self._unreachable(exc) from exc
                delay, why = backoff_delay(attempt, self._backoff), type(exc).__name__
            else:
                if last or response.status_code not in RETRY_STATUSES:
                    return response
                retry_after = response.headers.get("retry-after")
                delay = backoff_delay(attempt, self._backoff, retry_after)
                why = f"status {response.status_code}"
            attempt += 1
            self.retries_made += 1
            logger.warning("LLM server %s: %s; retry %d in %.2fs", self._host, why, attempt, delay)
            await asyncio.sleep(delay)

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                headers=self._headers,
                timeout=httpx.Timeout(self._timeout),
                limits=self._limits,
                # A loopback server must not be reached through a proxy from the environment.
                trust_env=self._use_env_proxy,
            )
        return self._client

    def _rejects_format(self, response: httpx.Response, mode: Mode) -> bool:
        if not self._fallback or mode == "none" or response.status_code not in (400, 422):
            return False
        return "response_format" in response.text or "json_schema" in response.text

    def _read(self, response: httpx.Response) -> Completion:
        if response.status_code != 200:
            raise self._refused(response)
        try:
            data = response.json()
            content = data["choices"][0]["message"].get("content") or ""
            usage = data.get("usage") or {}
            return Completion(
                text=str(content),
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ExtractionError(
                f"LLM server {self._host} sent a reply that is not a chat completion",
                hint="--llm-url must point at an OpenAI-compatible API (ending in /v1)",
            ) from exc

    def _refused(self, response: httpx.Response) -> ExtractionError:
        status = response.status_code
        what = f"LLM server {self._host} answered {status}{_error_code(response)}"
        if status in (401, 403):
            return ExtractionError(what, hint=f"set ${self._key_env} to a valid API key")
        if status == 404:
            return ExtractionError(
                what,
                hint=f"check {ref(LLMOptions, 'llm_url')} (the API base) and "
                f"{ref(LLMOptions, 'model')}",
            )
        if status in RETRY_STATUSES:
            return ExtractionError(
                f"{what} after {self._retries} retries",
                hint=f"lower {ref(LLMOptions, 'concurrency')} or raise "
                f"{ref(LLMOptions, 'retries')}; "
                "a re-run resumes from the cache",
            )
        return ExtractionError(
            what,
            hint=f"check {ref(LLMOptions, 'model')}, {ref(LLMOptions, 'max_tokens')} and the "
            "server log",
        )

    def _unreachable(self, exc: httpx.TransportError) -> ExtractionError:
        return ExtractionError(
            f"LLM server {self._host} failed after {self._retries} retries: {type(exc).__name__}",
            hint=f"is the server running? raise {ref(LLMOptions, 'timeout')} for slow models; "
            "a re-run resumes from the cache",
        )


def endpoint(url: str) -> str:
    """The chat-completions URL of an API base such as http://host:8080/v1."""
    base = url.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


def _error_code(response: httpx.Response) -> str:
    # Only a short machine code: server messages may quote the request, i.e. note text.
    try:
        error = response.json().get("error")
        code = error.get("code") or error.get("type")
    except (ValueError, AttributeError):
        return ""
    return f" ({code})" if isinstance(code, str) and _CODE.match(code) else ""
