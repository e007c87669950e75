"""Serving speed: `chatbot serve` on 127.0.0.1 under a bounded load, against in-process asking.

The server is started as a user would (`python -m chatbot serve`, bundled FAQ, its log on
stderr going to a file) with 1 and then 2 workers, and driven by an asyncio load generator in
this process: N concurrent clients on kept-alive connections send a fixed number of requests
in all, in pairs: a held-out question from tests/cases/faq.yaml with no token, then a follow-up
("and LLMs?", "tell me more", "2", ...) carrying the token of that reply; so half of the requests
are follow-ups. A request is an error unless it gets a 200 with a reply. The client speaks
HTTP/1.1 over plain sockets, because a full HTTP client in Python would cost more CPU than the
server (the machine has two cores, shared by the server and its load).

The same pairs are then asked in-process, through `Conversation.ask` (a new conversation per
pair, as each pair is a new user), for the overhead of serving. Memory is the resident set of
the server's processes before and after a long run of requests (after a warm-up).

Usage: python benchmarks/serve.py [--requests 10000] [--soak 100000] [--output FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.results import add_output_options, recorded  # noqa: E402
from chatbot import Bot  # noqa: E402
from chatbot.curation.cases import read_cases  # noqa: E402

FOLLOW_UPS = ["and LLMs?", "and generative AI?", "tell me more", "2", "what about outputs?", "why?"]
CONCURRENCY = (1, 16, 64)
WORKERS = (1, 2)


def question_pairs(bot: Bot) -> list[tuple[str, str]]:
    """(question, follow-up) pairs: every held-out question, with the follow-ups in turn."""
    suite = read_cases(REPO / "tests" / "cases" / "faq.yaml", knowledge=bot.knowledge)
    questions = [case.question for case in suite.cases]
    return [(q, FOLLOW_UPS[i % len(FOLLOW_UPS)]) for i, q in enumerate(questions)]


class Server:
    """`chatbot serve` in a subprocess, listening on a free port."""

    def __init__(self, workers: int, folder: str) -> None:
        self.log_path = Path(folder) / f"serve-{workers}.log"
        environment = {
            **os.environ,
            "CHATBOT_SECRET": "benchmark secret, long enough",
            "XDG_CACHE_HOME": str(Path(folder) / "cache"),
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "chatbot",
                    "serve",
                    "--port",
                    "0",
                    "--workers",
                    str(workers),
                ],
                cwd=REPO,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for line in self.log_path.read_text(encoding="utf-8").splitlines():
                event = json.loads(line)
                if event.get("event") == "listening":
                    host, port = event["url"][len("http://") :].rstrip("/").rsplit(":", 1)
                    self.address = (host, int(port))
                    time.sleep(0.5)  # the workers' own startup
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"chatbot serve did not start; see {self.log_path}")

    def _pids(self) -> list[int]:
        """The server's processes: the parent and its workers."""
        pids = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """The CPU time the server's processes have used (user and system)."""
        total = 0
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def resident_kib(self) -> int:
        """The resident memory of the server's processes (parent and workers), in KiB."""
        total = 0
        for pid in self._pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


class Load:
    """A bounded load: `total` requests from `clients` concurrent connections."""

    def __init__(self, address: tuple[str, int], pairs: list[tuple[str, str]], total: int) -> None:
        self.address = address
        self.pairs = pairs
        self.left = total
        self.latencies: list[float] = []
        self.errors = 0
        self.turn = 0

    async def _request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes
    ) -> dict[str, Any] | None:
        started = time.perf_counter()
        writer.write(
            b"POST /v1/ask HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(body), body)
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await reader.readexactly(length)
        self.latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200"):
            self.errors += 1
            return None
        data: dict[str, Any] = json.loads(payload)
        return data

    async def client(self) -> None:
        reader, writer = await asyncio.open_connection(*self.address)
        try:
            while self.left > 0:
                question, follow_up = self.pairs[self.turn % len(self.pairs)]
                self.turn += 1
                self.left -= 2
                try:
                    first = await self._request(
                        reader, writer, json.dumps({"question": question}).encode()
                    )
                    token = first["context"]["token"] if first else None
                    await self._request(
                        reader,
                        writer,
                        json.dumps({"question": follow_up, "context": token}).encode(),
                    )
                except (OSError, asyncio.IncompleteReadError, ValueError, KeyError):
                    self.errors += 2
                    writer.close()
                    reader, writer = await asyncio.open_connection(*self.address)
        finally:
            writer.close()

    async def run(self, clients: int) -> float:
        started = time.perf_counter()
        await asyncio.gather(*(self.client() for _ in range(clients)))
        return time.perf_counter() - started


def drive(
    server: Server, pairs: list[tuple[str, str]], total: int, clients: int
) -> dict[str, float]:
    load = Load(server.address, pairs, total)
    cpu = server.cpu_seconds()
    seconds = asyncio.run(load.run(clients))
    cpu = server.cpu_seconds() - cpu
    latencies = sorted(load.latencies)
    return {
        "cpu_ms": cpu / len(latencies) * 1000,
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": load.errors,
        "requests": len(latencies),
    }


def in_process(bot: Bot, pairs: list[tuple[str, str]], total: int) -> dict[str, float]:
    """The same pairs through `Conversation.ask`, one conversation per pair."""
    gc.collect()
    gc.freeze()  # as the server does with what it loaded, before it serves
    latencies = []
    started = time.perf_counter()
    cpu = time.process_time()
    for number in range(total // 2):
        question, follow_up = pairs[number % len(pairs)]
        conversation = bot.conversation()
        for text in (question, follow_up):
            before = time.perf_counter()
            conversation.ask(text)
            latencies.append(time.perf_counter() - before)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    gc.unfreeze()
    return {
        "cpu_ms": cpu / len(latencies) * 1000,
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests per cell")
    parser.add_argument("--soak", type=int, default=100_000, help="requests for the memory run")
    add_output_options(parser)
    args = parser.parse_args(argv)
    with recorded(args.output, args.note):
        return run(args)


def run(args: argparse.Namespace) -> int:
    """Measure in-process asking, then the server at each number of workers and clients."""

    bot = Bot()
    pairs = question_pairs(bot)
    for question, _ in pairs[:50]:  # warm, as the server's load() does
        bot.conversation().ask(question)
    baseline = in_process(bot, pairs, args.requests)
    print(
        f"{len(pairs)} question pairs (half of the requests are follow-ups with a token); "
        f"{args.requests} requests per row; {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f} at the start\n"
    )
    print("| workers | clients | answers/s | p50 ms | p99 ms | errors | server CPU ms per answer |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| in-process `Conversation.ask` | 1 | {baseline['rps']:,.0f} | "
        f"{baseline['p50']:.2f} | {baseline['p99']:.2f} | - | {baseline['cpu_ms']:.2f} |"
    )
    results: dict[tuple[int, int], dict[str, float]] = {}
    memory: tuple[int, int, dict[str, float]] | None = None
    with tempfile.TemporaryDirectory() as folder:
        for workers in WORKERS:
            server = Server(workers, folder)
            try:
                drive(server, pairs, 2000, 16)  # warm-up
                for clients in CONCURRENCY:
                    result = drive(server, pairs, args.requests, clients)
                    results[workers, clients] = result
                    print(
                        f"| {workers} | {clients} | {result['rps']:,.0f} | {result['p50']:.2f} | "
                        f"{result['p99']:.2f} | {result['errors']:.0f} | {result['cpu_ms']:.2f} |",
                        flush=True,
                    )
                if workers == max(WORKERS):
                    before = server.resident_kib()
                    soak = drive(server, pairs, args.soak, max(CONCURRENCY))
                    memory = (before, server.resident_kib(), soak)
            finally:
                server.stop()

    one_client = results[1, 1]
    best = results[max(WORKERS), max(CONCURRENCY)]
    print(
        f"\nServed p50 at 1 client: {one_client['p50']:.2f} ms, "
        f"{one_client['p50'] - baseline['p50']:+.2f} ms against in-process "
        f"{baseline['p50']:.2f} ms (ratio {one_client['p50'] / baseline['p50']:.2f})"
    )
    print(
        f"Served answers/s, {max(WORKERS)} workers at {max(CONCURRENCY)} clients: "
        f"{best['rps'] / baseline['rps']:.2f} times in-process asking on one core"
    )
    if memory is not None:
        before, after, soak = memory
        print(
            f"Memory of the {max(WORKERS)}-worker server over {soak['requests']:,.0f} more "
            f"requests "
            f"({soak['rps']:,.0f}/s, p99 {soak['p99']:.2f} ms, {soak['errors']:.0f} errors): "
            f"{before / 1024:.1f} MiB -> {after / 1024:.1f} MiB "
            f"({(after - before) / before * 100:+.1f}%)"
        )
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
