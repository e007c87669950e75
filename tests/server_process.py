"""A `chatbot serve` process for tests: started on a free loopback port, talked to over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

STARTUP_SECONDS = 30


class ChatClient:
    """Requests to a served chat over one kept-alive connection."""

    def __init__(self, address: tuple[str, int]) -> None:
        self._address = address
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """The status and JSON body of one request."""
        payload = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(*self._address, timeout=30)
            try:
                self._connection.request(
                    method, path, body=payload, headers={"content-type": "application/json"}
                )
                response = self._connection.getresponse()
                return response.status, json.loads(response.read())
            except (ConnectionError, http.client.HTTPException):
                # A worker that was replaced closed its kept-alive connections: open another.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def ask(self, question: str, token: str | None = None) -> dict[str, Any]:
        """The reply to one question (which must be a 200)."""
        status, data = self.request("POST", "/v1/ask", {"question": question, "context": token})
        assert status == 200, data
        result: dict[str, Any] = data
        return result

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class ServedChat(ChatClient):
    """`chatbot serve --port 0 ARGS...` in a subprocess; its stderr lines are collected."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        environment = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chatbot", "serve", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._collect, daemon=True).start()
        listening = self.wait_for(lambda event: event.get("event") == "listening")
        if listening is None:
            self.stop()
            raise RuntimeError(f"chatbot serve did not start: {self.lines}")
        self.url: str = listening["url"]
        host, port = self.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        super().__init__((host, int(port)))

    def client(self) -> ChatClient:
        """Another client, with a connection of its own."""
        return ChatClient(self._address)

    def _collect(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            with self._changed:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()

    @property
    def events(self) -> list[dict[str, Any]]:
        """The stderr lines, read as JSON (each must be)."""
        return [json.loads(line) for line in list(self.lines)]

    def wait_for(
        self, condition: Callable[[dict[str, Any]], bool], timeout: float = STARTUP_SECONDS
    ) -> dict[str, Any] | None:
        """The first logged event meeting the condition, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    event = json.loads(line) if line.startswith("{") else {}
                    if condition(event):
                        return event
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    return None
                self._changed.wait(min(left, 0.1))

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def stop(self) -> int:
        """Stop the server as an operator would (SIGTERM); its exit status."""
        self.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            if self.process.stderr is not None:
                self.process.stderr.close()


def run_chatbot(args: Sequence[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`chatbot ARGS...` to completion, with its output."""
    return subprocess.run(
        [sys.executable, "-m", "chatbot", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
