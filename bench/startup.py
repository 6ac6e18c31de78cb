"""Cold start to a healthy /healthz, and resident memory after 10,000 requests.

Run: .venv/bin/python bench/startup.py   (prints figures; goals < 3 s and < 200 MB)
Last line: `startup: <s> s to healthy, <mb> MB RSS`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10000"))
CONNECTIONS = 20


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
        await asyncio.gather(*(worker(http) for _ in range(CONNECTIONS)))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "bot", "demo"], env=env, check=True, capture_output=True)
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
        print(f"startup: {healthy:.2f} s to healthy, {rss:.0f} MB RSS")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
