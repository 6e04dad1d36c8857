"""How fast are bombs refused, and at what memory cost? (issue 9: "a refusal in Dutch within seconds")

    .venv/bin/python benchmarks/bench_hostile.py [--repeat 3]

Builds, in a temporary folder, the deliveries that ran for minutes before the hardening, at full size and with
the default limits:

- ``xlsx_bom.xlsx``: an XLSX of about 1 MB whose sheet XML inflates to 1.1 GB (default limit 1,024 MB);
- ``lange_regel.csv``: a partner file whose second line is 200 MB long (default limit 1,024 kB);
- ``groot.csv``: a 3 GB sparse file (default file limit 2,048 MB);
- ``veel_kolommen.csv``: a header of 100,000 columns (default limit 1,000).

Each is loaded with the real command (``wijkmonitor load``) into a small database, in a child process;
the script prints the median wall time (interpreter start included) and the child's peak memory, checks the
exit code is 1 and the database is byte-identical. Figures are for reading, not asserting.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_files(folder: Path) -> dict[str, Path]:
    files = {}
    bomb = folder / "xlsx_bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        chunk = b"<c><v>1</v></c>" * 70_000  # ~1 MB
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(1100):
                member.write(chunk)
    files["xlsx_bom.xlsx"] = bomb
    line = folder / "lange_regel.csv"
    with open(line, "w", encoding="utf-8") as f:
        f.write("bron;gebied_code;periode;variabele;waarde\nwelzijn;WK099901;2021-Q1;")
        block = "x" * (1 << 20)
        for _ in range(200):
            f.write(block)
        f.write(";1\n")
    files["lange_regel.csv"] = line
    big = folder / "groot.csv"
    with open(big, "wb") as f:
        f.write(b"bron;gebied_code;periode;variabele;waarde\n")
        f.truncate(3 * 1024**3)
    files["groot.csv"] = big
    wide = folder / "veel_kolommen.csv"
    wide.write_text("bron;" + ";".join(f"c{i}" for i in range(100_000)) + "\n", encoding="utf-8")
    files["veel_kolommen.csv"] = wide
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    wijkmonitor = Path(sys.executable).with_name("wijkmonitor")
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        files = make_files(folder)
        print(f"files made in {time.perf_counter() - t0:.1f} s:")
        for name, path in files.items():
            print(f"  {name:<20} {path.stat().st_size / 1024**2:>9.1f} MB on disk")
        db = folder / "w.duckdb"
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKMONITOR_")}
        for rel in ("gebieden/gebieden_gm0999.geojson", "partner/corporatie_goed.csv"):
            done = subprocess.run(
                [str(wijkmonitor), "load", str(FIXTURES / rel), "--db", str(db)], env=env, capture_output=True
            )
            assert done.returncode == 0, rel
        digest = _sha(db)
        print(f"\n{'file':<20} {'median s':>9} {'runs':>22} {'peak MB':>8}  message")
        for name, path in files.items():
            times, peaks, message = [], [], ""
            for _ in range(args.repeat):
                out = folder / "out.txt"
                t = time.perf_counter()
                with open(out, "w") as fh:
                    pid = os.posix_spawn(
                        str(wijkmonitor),
                        [str(wijkmonitor), "load", str(path), "--db", str(db)],
                        env,
                        file_actions=[
                            (os.POSIX_SPAWN_DUP2, fh.fileno(), 1),
                            (os.POSIX_SPAWN_DUP2, fh.fileno(), 2),
                        ],
                    )
                    _, status, usage = os.wait4(pid, 0)
                times.append(time.perf_counter() - t)
                peaks.append(usage.ru_maxrss / 1024)
                code = os.waitstatus_to_exitcode(status)
                text = out.read_text(errors="replace")
                assert code == 1, (name, code, text[-500:])
                assert _sha(db) == digest, name
                message = next((x.strip() for x in text.splitlines() if "FOUT" in x), text.strip()[-200:])
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"{name:<20} {statistics.median(times):>9.2f} {runs:>22} {max(peaks):>8.0f}  {message[:150]}"
            )
        shutil.rmtree(folder / "raw", ignore_errors=True)
    print("\nEvery file refused with exit code 1; the database stayed byte-identical.")


if __name__ == "__main__":
    main()
