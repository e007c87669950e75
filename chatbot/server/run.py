"""`chatbot serve`: load the knowledge base once, listen, and run uvicorn in worker processes.

The parent process loads the intents (so a broken file is reported before anything listens),
opens the socket, and forks the workers, which share the socket, the loaded matcher (copy on
write) and the token secret. It then only supervises: SIGHUP reloads the intent files in the
parent and, if they loaded, replaces the workers one by one with ones forked from the new
knowledge base; if they are broken, the error is logged and the workers keep answering from
the last good one. SIGINT and SIGTERM stop the workers gracefully. A worker that dies is
replaced.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import uvicorn

from chatbot.errors import UsageError
from chatbot.server.app import create_app, stderr_log
from chatbot.server.service import ChatService, EventLog
from chatbot.server.tokens import ContextTokens, new_secret, secret_from_environment

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from chatbot.bot import Bot

# Seconds a stopping worker may take to finish the requests it has, before it is killed.
GRACEFUL_SECONDS = 10
# A worker that exits with this code could not start serving: starting another will not help.
STARTUP_FAILURE = 3
MAX_WORKERS = 64
SUPERVISED = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGCHLD}


class _JsonLogHandler(logging.Handler):
    """uvicorn's own warnings (a malformed request, say) as JSON lines, without tracebacks."""

    def __init__(self, log: EventLog) -> None:
        super().__init__(logging.WARNING)
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        self._log(
            {"event": "server", "level": record.levelname.lower(), "message": record.getMessage()}
        )


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port).

    Raises:
        UsageError: when the address cannot be listened on (in use, not this machine's...).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OverflowError as error:
        raise UsageError(f"cannot listen on {host}:{port}: {error}") from None
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None


def url_of(sock: socket.socket) -> str:
    """The page's address for a listening socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _freeze_loaded() -> None:
    """Exempt everything loaded so far from garbage collection: the matcher's many objects
    live as long as the process, and scanning them made each answer half as fast again; the
    forked workers then also keep sharing their memory pages instead of copying them."""
    gc.collect()
    gc.freeze()


def _run_worker(app: Starlette, sock: socket.socket, log: EventLog) -> int:
    """In a forked worker: serve until told to stop; the exit code."""
    # Reloading is the parent's business; a hang-up of the terminal reaches it too.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.addHandler(_JsonLogHandler(log))
    uvicorn_log.propagate = False
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,
        log_level="warning",
        access_log=False,  # the application logs each request itself, as JSON
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0 if server.started else STARTUP_FAILURE


class Supervisor:
    """Keeps `workers` forked worker processes running, and reloads on SIGHUP.

    Args:
        service: the chat service, loaded; workers are forked with its current bot.
        start: in a forked child, serves until stopped and returns the exit code.
        workers: how many processes serve.
        log: receives the supervisor's events.
    """

    def __init__(
        self, service: ChatService, start: Callable[[], int], workers: int, log: EventLog
    ) -> None:
        self.service = service
        self._start = start
        self.workers = workers
        self._log = log
        self._serving: set[int] = set()
        self._retiring: set[int] = set()

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                code = self._start()
            except Exception as error:  # logged in one line: a worker has no terminal of its own
                self._log({"event": "worker error", "error": f"{type(error).__name__}: {error}"})
            finally:
                os._exit(code)
        self._serving.add(pid)

    def _replace_all(self) -> None:
        """New workers for the old ones, one at a time, so that some always answer; the old
        ones finish the requests they have."""
        for old in sorted(self._serving):
            self._spawn()
            self._serving.discard(old)
            self._retiring.add(old)
            _signal(old, signal.SIGTERM)

    def _reap(self) -> bool:
        """Collect exited workers and replace the ones that died; False to give up."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid == 0:
                return True
            if pid in self._retiring:
                self._retiring.discard(pid)
                if not self._retiring:
                    self._log(
                        {"event": "workers replaced", "knowledge_version": self.service.version}
                    )
                continue
            if pid not in self._serving:
                continue  # the browser opener, say
            self._serving.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            if code == STARTUP_FAILURE:
                self._log({"event": "worker failed to start", "worker": pid})
                return False
            self._log({"event": "worker died", "worker": pid, "exit": code})
            self._spawn()

    def run(self, on_started: Callable[[], None] = lambda: None) -> int:
        """Start the workers and supervise them until SIGINT or SIGTERM; the exit status."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, SUPERVISED)
        status = 0
        try:
            for _ in range(self.workers):
                self._spawn()
            on_started()
            while True:
                received = signal.sigtimedwait(SUPERVISED, 1.0)
                if not self._reap():
                    status = 1
                    break
                if received is None or received.si_signo == signal.SIGCHLD:
                    continue
                if received.si_signo != signal.SIGHUP:
                    self._log(
                        {"event": "stopping", "signal": signal.Signals(received.si_signo).name}
                    )
                    break
                self._log({"event": "reloading"})
                gc.unfreeze()  # what the old knowledge base held can be collected again
                reloaded = self.service.reload()
                _freeze_loaded()
                if reloaded:
                    self._replace_all()
        finally:
            self._stop()
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return status

    def _stop(self) -> None:
        """Stop every worker gracefully; kill those still running after the grace period."""
        running = self._serving | self._retiring
        for pid in running:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACEFUL_SECONDS + 2
        while running and time.monotonic() < deadline:
            for pid in list(running):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    running.discard(pid)
            time.sleep(0.02)
        for pid in running:
            _signal(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self._serving.clear()
        self._retiring.clear()


def _signal(pid: int, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has exited already
        os.kill(pid, signal_number)


def serve(
    load_bot: Callable[[], Bot],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    cors_origins: Sequence[str] = (),
    unanswered_log: str | None = None,
    open_browser: bool = False,
    log: EventLog = stderr_log,
) -> int:
    """Serve the chat until stopped; the exit status.

    The token secret is `CHATBOT_SECRET` from the environment, else one generated now and
    shared by this server's workers (tokens then do not survive a restart, nor reach another
    replica).

    Raises:
        ChatbotError: when the intent files are broken, the secret is too short, or the
            address cannot be listened on; the message says which, in one line.
    """
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers must be from 1 to {MAX_WORKERS}")
    configured = secret_from_environment()
    unanswered = None
    if unanswered_log:
        from chatbot.curation.unanswered import UnansweredLog

        unanswered = UnansweredLog(
            unanswered_log, on_error=lambda message: log({"event": "warning", "message": message})
        )
    service = ChatService(
        load_bot, tokens=ContextTokens(configured or new_secret()), unanswered=unanswered, log=log
    )
    sock = listen(host, port)
    try:
        service.load()
    except BaseException:
        sock.close()
        raise
    _freeze_loaded()
    app = create_app(service=service, cors_origins=cors_origins, log=log)
    url = url_of(sock)

    def started() -> None:
        log(
            {
                "event": "listening",
                "url": url,
                "workers": workers,
                "knowledge_version": service.version,
                "secret": "CHATBOT_SECRET" if configured else "generated for this server",
            }
        )
        if open_browser:
            subprocess.Popen(
                [sys.executable, "-m", "webbrowser", "-t", url],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    supervisor = Supervisor(service, lambda: _run_worker(app, sock, log), workers, log)
    try:
        return supervisor.run(on_started=started)
    finally:
        sock.close()
