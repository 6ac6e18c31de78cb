"""Cold start to a healthy /healthz, resident memory after 10,000 requests, and the CPU one
`partnership-bot ask --as jo@hillside.sch.uk whoami` spends on the demo database.

Run: .venv/bin/python bench/startup.py   (prints figures; goals < 3 s, < 200 MB, ask < 1 s CPU)
Last line: `startup: <s> s to healthy, <mb> MB RSS, ask <s> s CPU`.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10000"))
CONNECTIONS = 20
ASK_RUNS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_healthy(url: str, deadline: float) -> None:
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.02)
    raise SystemExit("never became healthy")


async def load(base: str, person_id: int) -> None:
    sent = 0

    async def worker(http: aiohttp.ClientSession) -> None:
        nonlocal sent
        while sent < REQUESTS:
            sent += 1
            if sent % 2:
                async with http.get(f"{base}/healthz") as resp:
                    await resp.read()
            else:
                body = {"person_id": person_id, "text": "whoami"}
                async with http.post(f"{base}/api/web/command", json=body) as resp:
                    await resp.read()

    conn = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=conn) as http:
        async with http.get(f"{base}/") as resp:  # the page token, as a browser gets it
            page = await resp.text()
        found = re.search(r'name="page-token" content="([^"]+)"', page)
        if found:
            http.headers["X-Page-Token"] = found[1]
        await asyncio.gather(*(worker(http) for _ in range(CONNECTIONS)))


def ask_cpu_seconds(env: dict[str, str], folder: Path) -> list[float]:
    """User + system CPU seconds of each of ASK_RUNS `ask ... whoami` processes (the whole
    process: interpreter start, imports, migrations check, the command, exit)."""
    command = [sys.executable, "-m", "bot", "ask", "--as", "jo@hillside.sch.uk", "whoami"]
    seconds = []
    for _ in range(ASK_RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, cwd=folder, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "bot", "demo"], env=env, check=True, capture_output=True)
    asks = sorted(ask_cpu_seconds(env, folder))
    ask = asks[len(asks) // 2]
    print(f"ask whoami: {ask:.2f} s CPU (median of {ASK_RUNS}; {asks[0]:.2f}-{asks[-1]:.2f})")
    port = free_port()
    env["PORT"] = str(port)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "web"], env=env, cwd=folder)
    try:
        asyncio.run(wait_healthy(f"http://127.0.0.1:{port}/healthz", start + 30))
        healthy = time.monotonic() - start
        print(f"cold start to healthy: {healthy:.2f} s, RSS {rss_mb(proc.pid):.0f} MB")
        t0 = time.monotonic()
        asyncio.run(load(f"http://127.0.0.1:{port}", 1))
        took = time.monotonic() - t0
        rss = rss_mb(proc.pid)
        print(f"{REQUESTS} requests in {took:.1f} s ({REQUESTS / took:.0f} req/s)")
        print(f"startup: {healthy:.2f} s to healthy, {rss:.0f} MB RSS, ask {ask:.2f} s CPU")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
