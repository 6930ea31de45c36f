"""Benchmark of the okx emulator: ``python -m benchmarks.emulator`` prints figures.

Measures, on a fresh world in a temporary directory: the in-process runner's cost per call
(sequential, and with concurrent calls overlapping), and the wall time of one ``okx`` process
through the shim (what subprocess tests, the demo and ``langgraph dev`` pay per call). The
real okx CLI 1.2.4 costs about 170 ms per call on the project's machines, for comparison.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from okx_auth_graph.testing.emulator import OkxEmulator
from okx_auth_graph.testing.shim import write_shim

ARGV = ["auth", "status", "--json"]


async def _in_process(state_dir: Path, calls: int) -> tuple[float, float]:
    emulator = OkxEmulator(state_dir)
    emulator.init_world(auth="logged_in", site="eea")
    begun = time.perf_counter()
    for _ in range(calls):
        await emulator(ARGV, timeout=10)
    sequential = (time.perf_counter() - begun) / calls
    begun = time.perf_counter()
    await asyncio.gather(*(emulator(ARGV, timeout=30) for _ in range(calls)))
    concurrent = (time.perf_counter() - begun) / calls
    return sequential, concurrent


def _shim_runs(root: Path, runs: int) -> list[float]:
    shim = write_shim(root / "bin")
    env = {**os.environ, "HOME": str(root), "OKX_EMULATOR_STATE": str(root / "world")}
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        subprocess.run([str(shim), *ARGV], env=env, capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - begun)
    return times


def main() -> int:
    """Print the figures; exit 0."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sequential, concurrent = asyncio.run(_in_process(root / "in-process", 200))
        shim = _shim_runs(root, 10)
    print(f"in-process, sequential : {sequential * 1000:7.2f} ms per call (200 calls)")
    print(f"in-process, concurrent : {concurrent * 1000:7.2f} ms per call (200 overlapping)")
    print(
        f"okx shim subprocess    : {statistics.median(shim) * 1000:7.1f} ms median,"
        f" {max(shim) * 1000:.1f} ms max (10 runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
