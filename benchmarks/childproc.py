"""Run a benchmark step in a child process and measure that child alone (shared by the bench_* scripts).

A child starts with its parent's peak RSS on Linux, so each measured step runs in a fresh child of a small
parent; ``os.wait4`` gives the child's own rusage (RUSAGE_CHILDREN would report the largest child so far).
The child prints one line ``RESULT_TAG + json`` with its result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULT_TAG = "BENCH-RESULT "


@dataclass
class Child:
    code: int
    wall: float  # the whole child process (interpreter start and imports included)
    peak_bytes: int  # the child's own ru_maxrss
    result: dict[str, Any] | None  # the child's RESULT_TAG line, None when it failed
    stderr: str


def run_child(script: Path, spec: dict[str, Any], workdir: Path, cwd: Path) -> Child:
    """Run ``script --child <spec as JSON>`` and return its exit code, time, peak memory and result."""
    out_path, err_path = workdir / "child.out", workdir / "child.err"
    t0 = time.perf_counter()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(script), "--child", json.dumps(spec)], cwd=cwd, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    out_path.unlink()
    err_path.unlink()
    line = next((x for x in stdout.splitlines() if x.startswith(RESULT_TAG)), None)
    result = json.loads(line.removeprefix(RESULT_TAG)) if code == 0 and line is not None else None
    return Child(code, wall, usage.ru_maxrss * 1024, result, stderr[-4000:])  # ru_maxrss is in KB on Linux
