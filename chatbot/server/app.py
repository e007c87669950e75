"""The ASGI application: the JSON API, the chat page, limits, headers and the request log.

`create_app()` gives a Starlette application that any ASGI server can run (uvicorn, or
gunicorn with uvicorn workers) or that another application can mount.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.bot import Bot, IntentsArgument
from chatbot.server.service import ChatService, EventLog, NotReady
from chatbot.server.tokens import (
    DEFAULT_LIFETIME,
    ContextTokens,
    TokenError,
    new_secret,
    secret_from_environment,
)

# Requests with a larger body get a 413; questions with more characters a 422.
MAX_BODY_BYTES = 16 * 1024
MAX_QUESTION_CHARS = 1000

# The page loads only its own script and style, and talks only to this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]

# The page's files and the API's description, served from memory: path -> (file, media type).
STATIC_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/chat.css": ("chat.css", "text/css; charset=utf-8"),
    "/v1/openapi.json": ("openapi.json", "application/json"),
}


def stderr_log(event: dict[str, Any]) -> None:
    """Write one event as one JSON line to standard error, in a single write, so that the
    lines of several workers sharing it never interleave."""
    line = json.dumps(
        {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "pid": os.getpid(), **event},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # A closed stderr must not fail the request being logged.
    with contextlib.suppress(OSError):
        os.write(2, (line + "\n").encode("utf-8", "replace"))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class _Guard:
    """The outermost layer: one log line per request, the security headers, and a plain JSON
    500 (never a stack trace) for anything that went wrong below."""

    def __init__(self, app: ASGIApp, log: EventLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        # The handlers add what they know about the request (kind, intent, error) here.
        details: dict[str, Any] = {}
        scope["chatbot.log"] = details

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:  # anything a handler did not expect: logged, not shown
            details["error"] = f"{type(error).__name__}: {error}"
            if not status:
                await _error(500, "internal error")(scope, receive, send_with_headers)
            status = status or 500
        self.log(
            {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                **details,
            }
        )


def _note(request: Request, **details: Any) -> None:
    request.scope.setdefault("chatbot.log", {}).update(details)


async def _read_json(request: Request, max_bytes: int) -> Any:
    """The request's JSON body, refusing more than `max_bytes` before reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise HTTPException(413, f"the request body is larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise HTTPException(413, f"the request body is larger than {max_bytes} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise HTTPException(400, "the request body is not valid JSON") from None


ASK_FIELDS = ("question", "context")


def _ask_arguments(data: Any, max_chars: int) -> tuple[str, str | None]:
    """The question and token of an ask request, or a 422 saying what is wrong."""
    if not isinstance(data, dict):
        raise HTTPException(422, "the body must be a JSON object with a 'question'")
    unknown = sorted(set(data) - set(ASK_FIELDS))
    if unknown:
        raise HTTPException(422, f"unknown field '{unknown[0]}' (expected: question, context)")
    question = data.get("question")
    if not isinstance(question, str):
        raise HTTPException(422, "'question' must be a string")
    # A lone surrogate (JSON "\ud800") is no character: replaced, as undecodable input is elsewhere,
    # so that the reply that repeats the question can be encoded.
    question = question.encode("utf-8", "replace").decode("utf-8").strip()
    if not question:
        raise HTTPException(422, "'question' is empty")
    if len(question) > max_chars:
        raise HTTPException(422, f"'question' is longer than {max_chars} characters")
    token = data.get("context")
    if token is not None and not isinstance(token, str):
        raise HTTPException(422, "'context' must be the token string of the last reply, or null")
    return question, token or None


def create_app(
    intents: IntentsArgument = None,
    *,
    threshold: float | None = None,
    cache_dir: str | None = None,
    service: ChatService | None = None,
    secret: bytes | None = None,
    token_lifetime: int = DEFAULT_LIFETIME,
    cors_origins: Sequence[str] = (),
    max_body_bytes: int = MAX_BODY_BYTES,
    max_question_chars: int = MAX_QUESTION_CHARS,
    log: EventLog = stderr_log,
) -> Starlette:
    """The chat's ASGI application: the API under `/v1`, health checks and the page at `/`.

    Args:
        intents: what to load, as for `Bot` (default: the bundled FAQ); loaded in the
            background when the application starts, so `/readyz` says when it is ready.
        threshold: as for `Bot`.
        cache_dir: as for `Bot`.
        service: a ready `ChatService` to serve instead (then intents, threshold, cache_dir,
            secret and token_lifetime are its business).
        secret: the key that signs context tokens; every replica must have the same one.
            Default: `CHATBOT_SECRET` from the environment, else a random one (tokens are
            then valid for this process only).
        token_lifetime: seconds a context token stays valid.
        cors_origins: origins allowed to call the API from their pages (none by default).
        max_body_bytes: larger request bodies get a 413.
        max_question_chars: longer questions get a 422.
        log: receives one event per request and per reload (default: JSON lines on stderr).

    Example:
        uvicorn --factory 'chatbot.server:create_app'
    """
    if service is None:
        secret = secret or secret_from_environment() or new_secret()
        tokens = ContextTokens(secret, lifetime=token_lifetime)
        service = ChatService(
            lambda: Bot(intents, threshold=threshold, cache_dir=cache_dir), tokens=tokens, log=log
        )
    chat = service
    static = resources.files("chatbot.server").joinpath("static")

    def static_route(path: str, name: str, media_type: str) -> Route:
        content = static.joinpath(name).read_bytes()

        async def serve_file(request: Request) -> Response:
            return Response(content, media_type=media_type, headers={"cache-control": "no-cache"})

        return Route(path, serve_file, methods=["GET"])

    async def ask(request: Request) -> Response:
        question, token = _ask_arguments(
            await _read_json(request, max_body_bytes), max_question_chars
        )
        try:
            data = chat.ask(question, token)
        except TokenError as error:
            raise HTTPException(400, str(error)) from None
        _note(request, kind=data["kind"], intent=data["intent"])
        return JSONResponse(data, headers={"cache-control": "no-store"})

    async def topics(request: Request) -> Response:
        return JSONResponse({"topics": chat.topics()})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        readiness = chat.readiness()
        return JSONResponse(readiness, status_code=200 if readiness["ready"] else 503)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        _note(request, error=error.detail)
        headers = dict(error.headers or {})
        return JSONResponse({"error": error.detail}, status_code=error.status_code, headers=headers)

    async def not_ready(request: Request, error: Exception) -> Response:
        _note(request, error=str(error))
        return _error(503, f"the knowledge base is not loaded: {error}")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loading = None
        if not chat.ready:
            loading = asyncio.ensure_future(asyncio.to_thread(chat.reload))
        yield
        if loading is not None and not loading.done():
            loading.cancel()

    middleware = [Middleware(_Guard, log=log)]
    if cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["content-type"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/v1/ask", ask, methods=["POST"]),
            Route("/v1/topics", topics, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *(static_route(path, *file) for path, file in STATIC_FILES.items()),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_error, NotReady: not_ready},
        lifespan=lifespan,
    )
    app.state.service = chat
    return app
