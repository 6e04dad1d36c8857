"""Read a delivered file, as delivered, into a sandboxed scratch DuckDB: a view of text columns.

CSV (`,`, `;` or tab; UTF-8 with or without BOM, UTF-16 with a BOM, cp1252 tolerated; title lines above the
header tolerated), XLSX (first sheet or a named one; title rows above the header tolerated) and GeoJSON.

Hostile files are expected (docs/security.md):

- **No text from a file ever becomes SQL text.** Columns are renamed by position before any SQL sees them:
  the view has ``_rij`` (the line, row or feature number the row came from) and ``k1 … kN``; the delivered
  header names live only in Python (:attr:`Delivery.columns`) and in messages. GeoJSON properties become
  ``p1 … pN`` the same way.
- **Files are parsed on a scratch connection** (:func:`scratch_connection`): an in-memory DuckDB that may read
  only the delivered file and its own scratch folder, cannot attach or write any other file, and cannot
  change that configuration. It never sees the live database.
- **Limits** (:class:`Limits`: file size, unpacked XLSX size, rows, columns, line length) are checked before
  and while reading, so a bomb is refused in seconds with a Dutch message.
- Only regular files are read (no symlinks, devices or pipes); empty deliveries, binary files, mixed
  encodings and invalid geometries are refused with the line or feature to fix.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb
import pandas as pd

from etl.db import pid_alive

# Column names that mark a header line (after dropping a CBS suffix such as "_5"; case-insensitive). The labels
# of StatLine's table view ("Wijken en buurten", "Perioden", "Soort misdrijf") are markers too, so that such a
# download (title lines above its header) is read far enough to be refused with advice (etl/sources).
HEADER_MARKERS = {
    "wijkenenbuurten",
    "gebied_code",
    "bron",
    "bu_code",
    "wk_code",
    "gm_code",
    "identifier",
    "key",
    "wijken en buurten",
    "perioden",
    "soort misdrijf",
}
_SUFFIX = re.compile(r"_\d+$")
GEOJSON_SUFFIXES = {".geojson", ".json"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
HEAD_LINES = 30  # the header must be within the first 30 lines/rows
MAX_SHOWN = 80  # characters of a delivered value shown in a message


class ReadError(Exception):
    """The file cannot be read at all (wrong format, no header, too large, unreadable workbook)."""


@dataclass(frozen=True)
class Limits:
    """Size limits of a delivery. Each can be set with an environment variable ``WIJKMONITOR_<NAME>``
    (e.g. ``WIJKMONITOR_MAX_BESTAND_MB=4096``); see docs/data-formats.md."""

    max_bestand_mb: int = 2048  # the file itself (a national police month file is about 500 MB)
    max_uitgepakt_mb: int = 1024  # an XLSX unpacked (it is a zip of XML)
    max_rijen: int = 50_000_000
    max_kolommen: int = 1000
    max_regel_kb: int = 1024  # one line of a CSV file

    @classmethod
    def from_env(cls) -> Limits:
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"WIJKMONITOR_{f.name.upper()}")
            if raw is not None:
                if not re.fullmatch(r"[0-9]{1,12}", raw.strip()) or int(raw) < 1:
                    raise ReadError(f"WIJKMONITOR_{f.name.upper()} moet een positief geheel getal zijn")
                values[f.name] = int(raw)
        return cls(**values)


@dataclass
class Delivery:
    path: Path
    columns: list[str]  # header as delivered (stripped of BOM and surrounding spaces); never used as SQL
    rows: int
    fmt: str  # csv | xlsx | geojson
    encoding: str = "utf-8"
    delimiter: str | None = None
    header_line: int = 1  # line/row number of the header (1-based)
    notes: list[str] = field(default_factory=list)
    geojson_properties: list[str] = field(default_factory=list)  # property keys as delivered

    def ident(self, column: str) -> str:
        """The SQL identifier of a delivered column: ``k<position>`` (``p<position>`` for GeoJSON properties)."""
        if self.fmt == "geojson":
            return f"p{self.geojson_properties.index(column) + 1}"
        return f"k{self.columns.index(column) + 1}"


def base_name(column: str) -> str:
    """`AantalInwoners_5` -> `aantalinwoners`: CBS numbers its columns per year; match on the name."""
    return _SUFFIX.sub("", column.strip().lstrip("\ufeff")).lower()


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A delivered value as it may appear in a message: control characters visible, truncated."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text[: limit * 2])
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------- scratch


SCRATCH_PREFIX = "wijkmonitor-scratch-"


def remove_stale_scratch() -> list[Path]:
    """Remove the scratch folders of processes that no longer run (a killed load cannot clean up)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isascii() and pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# The private folder of each open scratch connection (a transcoded copy must be inside it to be readable).
_SCRATCH_FOLDERS: dict[int, Path] = {}


@contextlib.contextmanager
def scratch_connection(path: Path, memory_limit: str = "3GB") -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB that may read ``path`` and write only its own temporary folder.

    External access is switched off and the configuration locked before any delivered text is read: a
    statement smuggled in by a file could neither read nor write other files nor attach a database. The
    folder (for a transcoded copy, and for spilling to disk) is removed afterwards.
    """
    remove_stale_scratch()
    folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET temp_directory = ?", [str(folder / "spill")])
        con.execute("SET allowed_paths = ?", [[str(Path(path).resolve())]])
        con.execute("SET allowed_directories = ?", [[str(folder) + os.sep]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        _SCRATCH_FOLDERS[id(con)] = folder
        yield con
    finally:
        _SCRATCH_FOLDERS.pop(id(con), None)
        with contextlib.suppress(Exception):
            con.close()
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------------------ entry


def check_file(path: Path, limits: Limits) -> os.stat_result:
    """Refuse what is not a regular, non-empty file within the size limit (before opening it)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise ReadError("bestand bestaat niet") from None
    except OSError as exc:
        raise ReadError(f"bestand kan niet gelezen worden ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise ReadError(
            "dit is een snelkoppeling (symbolische link), geen bestand; lever het bestand zelf aan"
        )
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("dit is geen gewoon bestand (maar bijv. een map, apparaat of pijp)")
    if st.st_size == 0:
        raise ReadError("het bestand is leeg (0 bytes)")
    if st.st_size > limits.max_bestand_mb * 1024 * 1024:
        raise ReadError(
            f"het bestand is {st.st_size / 1024 / 1024:,.0f} MB; de grens is {limits.max_bestand_mb} MB "
            "(instelling WIJKMONITOR_MAX_BESTAND_MB)".replace(",", ".")
        )
    return st


def read_delivery(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str = "levering",
    sheet: str | None = None,
    limits: Limits | None = None,
) -> Delivery:
    """Create temp view ``table`` (``_rij``, then ``k1 … kN`` as VARCHAR) from the file and describe it.

    ``con`` should be a :func:`scratch_connection` for ``path``. An empty delivery (no data rows) is refused.
    """
    path = Path(path)
    limits = limits or Limits.from_env()
    check_file(path, limits)
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        delivery = _read_geojson(con, path, table, limits)
    elif suffix in XLSX_SUFFIXES:
        delivery = _read_xlsx(con, path, table, sheet, limits)
    else:
        delivery = _read_csv(con, path, table, limits)
    if delivery.rows == 0:
        raise ReadError(
            "het bestand bevat geen gegevens: alleen een kopregel"
            + (" en titelregels" if delivery.header_line > 1 else "")
            + ". Een lege levering wordt niet geladen."
        )
    if delivery.rows > limits.max_rijen:
        raise ReadError(
            f"het bestand heeft {delivery.rows:,} rijen; de grens is {limits.max_rijen:,} "
            "(instelling WIJKMONITOR_MAX_RIJEN)".replace(",", ".")
        )
    return delivery


def peek_delivery(path: Path, sheet: str | None = None, limits: Limits | None = None) -> Delivery:
    """The header of a file without reading its rows (to order a batch: areas first)."""
    path = Path(path)
    limits = limits or Limits.from_env()
    check_file(path, limits)
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return Delivery(path, [], 0, "geojson")
    if suffix in XLSX_SUFFIXES:
        with scratch_connection(path) as con:
            return _read_xlsx(con, path, "peek", sheet, limits, header_only=True)
    encoding, _ = _detect_encoding(path, whole=False)
    head = _head_lines(path, encoding, limits)
    idx, delim = _find_header(head)
    return Delivery(path, _split_header(head[idx], delim), 0, "csv", encoding, delim, idx + 1)


# -------------------------------------------------------------------------------------------- CSV


def _line_of(path: Path, offset: int) -> int:
    """1-based line number of a byte offset."""
    line = 1
    with open(path, "rb") as f:
        done = 0
        while done < offset:
            chunk = f.read(min(1 << 22, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _first_invalid_utf8(path: Path) -> int | None:
    """Byte offset of the first byte that is not valid UTF-8, or None when the whole file is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pending = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                return max(done + exc.start - pending, 0)
            done += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return done
    return None


def _first_utf8_multibyte(path: Path) -> int | None:
    with open(path, "rb") as f:
        done = 0
        tail = b""
        while chunk := f.read(1 << 22):
            m = _UTF8_MULTIBYTE.search(tail + chunk)
            if m:
                return done - len(tail) + m.start()
            tail = chunk[-3:]
            done += len(chunk)
    return None


def _detect_encoding(path: Path, whole: bool = True) -> tuple[str, list[str]]:
    """The file's text encoding: utf-8, utf-16 (with a BOM) or cp1252; ``whole=False`` looks at the start only.

    Refuses binary files (NUL bytes) and files that mix UTF-8 with another encoding.
    """
    with open(path, "rb") as f:
        start = f.read(1 << 16)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ["bestand is in UTF-16 gecodeerd; omgezet naar UTF-8"]
    probe = start[:4000]
    if probe.count(b"\x00") > len(probe) // 4:
        raise ReadError(
            "het bestand lijkt UTF-16 zonder byte-order-mark, of is binair: sla het op als CSV UTF-8"
        )
    nul = start.find(b"\x00")
    if nul >= 0:
        raise ReadError(
            f"regel {_line_of(path, nul)} bevat een NUL-teken: dit is geen tekstbestand (CSV). "
            "Lever een CSV-, Excel- of GeoJSON-bestand aan."
        )
    bad = _first_invalid_utf8(path) if whole else _head_invalid_utf8(start)
    if bad is None:
        return "utf-8", []
    if whole:
        good = _first_utf8_multibyte(path)
        if good is not None:
            raise ReadError(
                f"gemengde tekencodering: regel {_line_of(path, good)} is in UTF-8 gecodeerd, maar regel "
                f"{_line_of(path, bad)} niet (waarschijnlijk Windows-1252). Sla het hele bestand op als "
                "CSV UTF-8 en lever het opnieuw aan."
            )
    return "cp1252", ["bestand is niet in UTF-8 maar in Windows-1252 (cp1252) gecodeerd; omgezet"]


@contextlib.contextmanager
def _utf8_copy(path: Path, encoding: str, folder: Path | None) -> Iterator[Path]:
    """The file itself when it is UTF-8, else a transcoded UTF-8 copy in ``folder`` (removed afterwards)."""
    if encoding == "utf-8":
        yield path
        return
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="utf8-", dir=folder)
    target = Path(name)
    try:
        with (
            open(path, encoding=encoding, errors="replace", newline="") as src,
            os.fdopen(fd, "w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 22):
                dst.write(chunk)
        yield target
    finally:
        target.unlink(missing_ok=True)


def _head_invalid_utf8(start: bytes) -> int | None:
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None if exc.start > len(start) - 4 else exc.start  # a character cut off at the chunk's end
    return None


def _head_lines(path: Path, encoding: str, limits: Limits) -> list[str]:
    """The first lines of a text file (BOM dropped), each bounded by the line-length limit."""
    max_chars = limits.max_regel_kb * 1024
    lines: list[str] = []
    enc = "utf-8-sig" if encoding == "utf-8" else encoding
    with open(path, encoding=enc, errors="replace", newline="") as f:
        for n in range(1, HEAD_LINES + 1):
            line = f.readline(max_chars + 1)
            if not line:
                break
            if len(line) > max_chars and not line.endswith("\n"):
                raise ReadError(
                    f"regel {n} is langer dan {limits.max_regel_kb} kB (instelling WIJKMONITOR_MAX_REGEL_KB); "
                    "is dit wel een CSV-bestand met regeleinden?"
                )
            lines.append(line.rstrip("\r\n").lstrip("\ufeff"))
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _split_header(line: str, delim: str) -> list[str]:
    try:
        cells = next(csv.reader([line], delimiter=delim, quotechar='"'))
    except (csv.Error, StopIteration):
        cells = line.split(delim)
    return [c.strip().lstrip("\ufeff").strip() for c in cells]


def _find_header(lines: list[str]) -> tuple[int, str]:
    for i, line in enumerate(lines):
        delim = max([";", ",", "\t"], key=line.count)
        names = {base_name(c) for c in _split_header(line, delim)}
        if names & HEADER_MARKERS:
            return i, delim
    if not lines:
        raise ReadError("het bestand is leeg")
    return 0, max([";", ",", "\t"], key=lines[0].count)


def _empty_lines(path: Path, after: int) -> list[int]:
    """1-based numbers of the empty lines below line ``after`` (DuckDB's CSV reader skips them)."""
    with open(path, "rb") as f:
        tail = b""
        while chunk := f.read(1 << 22):
            data = tail + chunk
            if b"\n\n" in data or b"\n\r\n" in data:
                break
            tail = data[-2:]
        else:
            return []  # the usual case: no empty line anywhere, no line-by-line pass needed
    with open(path, "rb") as f:
        return [n for n, line in enumerate(f, start=1) if n > after and line in (b"\n", b"\r\n")]


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_error(exc: duckdb.Error, delim: str, limits: Limits) -> ReadError:
    """DuckDB's CSV error in Dutch, with the line; never its English text or a temporary path."""
    text = str(exc)
    m = _CSV_LINE.search(text)
    where = f"regel {m.group(1)}" if m else "een regel"
    counts = _CSV_COUNTS.search(text)
    if counts:
        return ReadError(
            f"{where} heeft {counts.group(2)} velden, de kopregel {counts.group(1)}. Meestal staat er een extra "
            f"scheidingsteken '{delim}' in een waarde; zet zo'n waarde tussen aanhalingstekens."
        )
    if "maximum line size" in text.lower() or "max_line_size" in text.lower():
        return ReadError(
            f"{where} is langer dan {limits.max_regel_kb} kB (instelling WIJKMONITOR_MAX_REGEL_KB)"
        )
    if "quote" in text.lower():
        return ReadError(
            f"{where}: een aanhalingsteken wordt niet gesloten, of er staat tekst direct na een gesloten "
            "aanhalingsteken. Controleer de aanhalingstekens in die regel."
        )
    return ReadError(
        f"CSV kan niet gelezen worden bij {where}. Controleer die regel op scheidingstekens en aanhalingstekens."
    )


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, limits: Limits) -> Delivery:
    encoding, notes = _detect_encoding(path)
    head = _head_lines(path, encoding, limits)
    with _utf8_copy(path, encoding, _SCRATCH_FOLDERS.get(id(con))) as source:
        header_idx, delim = _find_header(head)
        header = _split_header(head[header_idx], delim)
        if len(header) > limits.max_kolommen:
            raise ReadError(
                f"de kopregel heeft {len(header):,} kolommen; de grens is {limits.max_kolommen} "
                "(instelling WIJKMONITOR_MAX_KOLOMMEN)".replace(",", ".")
            )
        if header_idx:
            notes.append(f"{header_idx} titelregel(s) boven de kop overgeslagen")
        header = [c or f"kolom{j + 1}" for j, c in enumerate(header)]
        columns = {f"k{j + 1}": "VARCHAR" for j in range(len(header))}
        try:
            con.execute(f"DROP TABLE IF EXISTS {table}_data")
            con.execute(
                f"""CREATE TEMP TABLE {table}_data AS SELECT * FROM read_csv(?, delim = ?, header = false,
                    skip = ?, columns = ?, auto_detect = false, quote = '"', escape = '"',
                    null_padding = true, max_line_size = ?, new_line = ?)""",
                [
                    str(source),
                    delim,
                    header_idx + 1,
                    columns,
                    limits.max_regel_kb * 1024,
                    "\\r\\n" if _crlf(source) else "\\n",
                ],
            )
        except duckdb.Error as exc:
            raise _csv_error(exc, delim, limits) from None
        empty = _empty_lines(source, header_idx + 1)
    offset = header_idx + 2  # rowid 0 is the line after the header (1-based line numbers)
    rij, join = f"d.rowid + {offset}", ""
    if empty:
        # DuckDB skips empty lines, so rowid no longer counts lines: every empty line b_j (j = 1, 2, ...) above
        # a row pushes it one line down, and b_j is above the row with rowid r when b_j - j < r + offset.
        shift = {b - j: j for j, b in enumerate(empty, start=1)}  # equal keys: the largest j wins
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_leeg AS "
            "SELECT unnest(?::BIGINT[]) AS k, unnest(?::BIGINT[]) AS j",
            [list(shift), list(shift.values())],
        )
        rij, join = (
            f"{rij} + coalesce(l.j, 0)",
            f" ASOF LEFT JOIN {table}_leeg AS l ON l.k < d.rowid + {offset}",
        )
    # Rows with every field empty (';;;;' as Excel writes below the data) are skipped, as in an XLSX.
    filled = " OR ".join(f"d.{k} IS NOT NULL" for k in columns)
    select = ", ".join(f"d.{k}" for k in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT {rij} AS _rij, {select} FROM {table}_data AS d{join} "
        f"WHERE {filled}"
    )
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return Delivery(path, header, rows, "csv", encoding, delim, header_idx + 1, notes)


def _crlf(path: Path) -> bool:
    with open(path, "rb") as f:
        start = f.read(1 << 16)
    return b"\r\n" in start


# ------------------------------------------------------------------------------------------- XLSX


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.day == 1 and value.time() == dt.time(0):
        # Excel turns a typed period such as 2019-03 into the date 1 March 2019: give the period back
        return f"{value.year:04d}-{value.month:02d}"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return str(value)


def _check_zip(path: Path, limits: Limits) -> None:
    """An XLSX is a zip of XML: refuse it before parsing when it unpacks to more than the limit.

    The declared sizes in the zip's directory are a hard bound: Python's zipfile (which openpyxl uses) stops
    inflating a member at its declared size and then fails on the checksum, so a member that lies about its
    size cannot inflate beyond it.
    """
    budget = limits.max_uitgepakt_mb * 1024 * 1024
    too_big = ReadError(
        f"het Excel-bestand pakt uit tot meer dan {limits.max_uitgepakt_mb} MB (instelling "
        "WIJKMONITOR_MAX_UITGEPAKT_MB); sla het op als CSV of lever het in delen aan"
    )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > 10_000:
                raise ReadError("het Excel-bestand bevat onwaarschijnlijk veel onderdelen")
            if sum(i.file_size for i in infos) > budget:
                raise too_big
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ReadError("Excel-bestand kan niet geopend worden: het is geen geldig .xlsx-bestand") from None


def _read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    sheet: str | None,
    limits: Limits,
    header_only: bool = False,
) -> Delivery:
    import openpyxl

    _check_zip(path, limits)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds, with English texts
        raise ReadError("Excel-bestand kan niet geopend worden: het is geen geldig .xlsx-bestand") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ReadError(
                f"tabblad '{shown(sheet)}' bestaat niet; wel: {', '.join(shown(s) for s in wb.sheetnames)}"
            )
        ws = wb[sheet] if sheet else wb.worksheets[0]
        header: list[str] | None = None
        header_row = 0
        records: list[list[str | None]] = []
        numbers: list[int] = []
        width = limits.max_kolommen + 1
        for i, row in enumerate(ws.iter_rows(values_only=True, max_col=width), start=1):
            if len(row) >= width and row[-1] is not None:
                raise ReadError(
                    f"rij {i} heeft meer dan {limits.max_kolommen} kolommen (instelling "
                    "WIJKMONITOR_MAX_KOLOMMEN)"
                )
            cells = [_cell_text(v) for v in row]
            if header is None:
                names = {base_name(c) for c in cells if c}
                if names & HEADER_MARKERS:
                    header, header_row = [c.strip() if c else f"kolom{j + 1}" for j, c in enumerate(cells)], i
                    if header_only:
                        break
                elif i > HEAD_LINES:
                    break
                continue
            if all(c is None or not str(c).strip() for c in cells):
                continue
            records.append((cells + [None] * len(header))[: len(header)])
            numbers.append(i)
            if len(records) > limits.max_rijen:
                raise ReadError(
                    f"het werkblad heeft meer dan {limits.max_rijen} rijen (instelling WIJKMONITOR_MAX_RIJEN)"
                )
    except ReadError:
        raise
    except Exception:
        raise ReadError(
            "Excel-bestand kan niet gelezen worden: het werkblad is beschadigd of heeft een onbekende vorm"
        ) from None
    finally:
        wb.close()
    if header is None:
        raise ReadError("geen kopregel gevonden in de eerste 30 rijen van het werkblad")
    # Drop trailing unnamed empty columns (Excel often reports a wider range than used).
    while header and header[-1].startswith("kolom") and all(r[len(header) - 1] is None for r in records):
        header.pop()
        records = [r[: len(header)] for r in records]
    notes = [f"{header_row - 1} titelregel(s) boven de kop overgeslagen"] if header_row > 1 else []
    if header_only:
        return Delivery(path, header, 0, "xlsx", header_line=header_row, notes=notes)
    idents = [f"k{j + 1}" for j in range(len(header))]
    df = pd.DataFrame(records, columns=idents, dtype="object")
    df.insert(0, "_rij", numbers)
    _frame_to_view(con, df, table, idents)
    return Delivery(path, header, len(records), "xlsx", header_line=header_row, notes=notes)


def _frame_to_view(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, table: str, idents: list[str]) -> None:
    """A DataFrame with positional column names (``_rij`` + ``idents``) as temp table and view ``table``."""
    con.execute(f"DROP TABLE IF EXISTS {table}_data")
    con.register("_levering_df", df)
    cols = "".join(f", CAST({c} AS VARCHAR) AS {c}" for c in idents)
    con.execute(
        f"CREATE TEMP TABLE {table}_data AS SELECT CAST(_rij AS BIGINT) AS _rij{cols} FROM _levering_df"
    )
    con.unregister("_levering_df")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_data")


# ---------------------------------------------------------------------------------------- GeoJSON

# Coordinates (docs/data-formats.md, "Coördinaten"). The map stores WGS84 longitude/latitude; a file may also be
# in RD New or Web Mercator and is then reprojected. Which system a file uses is decided once, from the bounds of
# all its geometries: the optional `crs` label is checked against the coordinates, not trusted. The boxes of the
# Netherlands in the four systems do not overlap, so the coordinates themselves tell them apart.
_NL_LONLAT = (3.0, 50.6, 7.4, 53.8)  # the Netherlands with the Wadden islands and the coastal zone, lon/lat


@dataclass(frozen=True)
class _System:
    key: str
    name: str  # in messages: "de coördinaten zijn <name>"
    box: tuple[float, float, float, float]  # minx, miny, maxx, maxy of the Netherlands in this system
    epsg: str | None = None  # reprojected from this system to WGS84; None: stored as delivered


_WGS84 = _System("wgs84", "lengte/breedte in WGS84", _NL_LONLAT)
# _NL_LONLAT expressed in RD New and in Web Mercator (pyproj's transform_bounds), rounded outwards; the RD box
# holds the official EPSG:28992 area of validity (x 482–284183, y 306602–637050).
_RD = _System("rd", "RD New (EPSG:28992)", (-15_000.0, 289_000.0, 300_000.0, 650_000.0), "EPSG:28992")
_WEB_MERCATOR = _System(
    "webmercator", "Web Mercator (EPSG:3857)", (333_000.0, 6_550_000.0, 824_000.0, 7_133_000.0), "EPSG:3857"
)
_LATLON = _System("latlon", "breedte/lengte in omgekeerde volgorde", (50.6, 3.0, 53.8, 7.4))  # refused
_SYSTEMS = (_WGS84, _RD, _WEB_MERCATOR, _LATLON)
# EPSG codes a `crs` label may name, in any spelling ending in the code ("EPSG:28992",
# "urn:ogc:def:crs:EPSG::28992", "http://www.opengis.net/def/crs/EPSG/0/28992"); CRS84 is WGS84 as well. ETRS89
# (4258) differs from WGS84 by less than a metre in the Netherlands: taken as WGS84, as PROJ does.
_LABELS = {
    "4326": _WGS84,
    "4258": _WGS84,
    "28992": _RD,
    "3857": _WEB_MERCATOR,
    "3785": _WEB_MERCATOR,
    "900913": _WEB_MERCATOR,
}
_EXPECTED = "lengte/breedte in WGS84 binnen Nederland, of RD New (EPSG:28992)"


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is geen geldig getal in JSON")


def _crs_label(doc: dict) -> tuple[str, _System | None]:
    """The name in the optional ``crs`` member ('' when there is none) and the system it names.

    A name that is not WGS84, RD New or Web Mercator is refused: its coordinates cannot be reprojected.
    """
    crs = doc.get("crs")
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    name = "" if name is None else str(name).strip()
    if not name:
        return "", None
    upper = name.upper()
    if re.search(r"CRS:?84$", upper):
        return name, _WGS84
    code = re.search(r"([0-9]+)$", upper) if "EPSG" in upper else None
    if code and code.group(1) in _LABELS:
        return name, _LABELS[code.group(1)]
    raise ReadError(
        f"coördinaten moeten in WGS84 (lengte/breedte), RD New (EPSG:28992) of Web Mercator (EPSG:3857) zijn, "
        f"niet in {shown(name, 60)}"
    )


def _number(v: float) -> str:
    """A coordinate in a message: degrees with 2 decimals, metres whole."""
    if not math.isfinite(v) or abs(v) >= 1e9:
        return f"{v:.3g}"
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.2f}"


def _extent(bounds: tuple[float, float, float, float]) -> str:
    minx, miny, maxx, maxy = bounds
    return f"van ({_number(minx)}, {_number(miny)}) tot ({_number(maxx)}, {_number(maxy)})"


def _finite(bounds: tuple[float, ...]) -> bool:
    return all(math.isfinite(v) for v in bounds)


def _inside(bounds: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = bounds
    return box[0] <= minx and maxx <= box[2] and box[1] <= miny and maxy <= box[3]


def _system_of(bounds: tuple[float, float, float, float]) -> _System | None:
    """The system in which these bounds lie inside the Netherlands; None when there is none."""
    return next((s for s in _SYSTEMS if _inside(bounds, s.box)), None)


def _swapped_message(example: tuple[float, float]) -> str:
    lat, lon = (round(v, 2) for v in example)
    return (
        "de coördinaten staan in de volgorde (breedte, lengte) in plaats van (lengte, breedte): bijv. "
        f"[{lat}, {lon}] waar [{lon}, {lat}] hoort. GeoJSON zet de lengte eerst; exporteer het bestand opnieuw "
        "(in QGIS: opslaan als GeoJSON in EPSG:4326; met GDAL: ogr2ogr -lco RFC7946=YES)"
    )


def _coordinate_system(
    shapes: list[object | None], label_name: str, label: _System | None
) -> tuple[_System | None, list[_System | None], list[str]]:
    """Decide once for the whole file in which system its coordinates are, from the bounds of all geometries.

    Every geometry is placed in the system in which it lies inside the Netherlands (or none); the file's system
    is the one most geometries are in (a tie goes to the labelled one). Geometries elsewhere are reported on
    their own feature. Returns the file's system (None when no feature has coordinates), each feature's system
    and the notes for the load report. Refuses a file with no geometry in the Netherlands, or in lat/lon order.
    """
    bounds = [s.bounds if s is not None and not s.is_empty else None for s in shapes]
    systems = [_system_of(b) if b is not None and _finite(b) else None for b in bounds]
    finite = [b for b in bounds if b is not None and _finite(b)]
    if not finite:
        return None, systems, []
    counts = {s.key: 0 for s in _SYSTEMS}
    for s in systems:
        if s is not None:
            counts[s.key] += 1
    if not any(counts.values()):
        box = (
            min(b[0] for b in finite),
            min(b[1] for b in finite),
            max(b[2] for b in finite),
            max(b[3] for b in finite),
        )
        labelled = f" (het bestand noemt {shown(label_name, 60)})" if label_name else ""
        raise ReadError(
            f"de coördinaten liggen niet in Nederland: de geometrieën lopen {_extent(box)}{labelled}. "
            f"Verwacht: {_EXPECTED}"
        )
    chosen = max(_SYSTEMS, key=lambda s: (counts[s.key], s is label))  # max keeps the first of equals
    if chosen is _LATLON:
        import shapely

        first = shapes[systems.index(_LATLON)]
        raise ReadError(_swapped_message(tuple(shapely.get_coordinates(first)[0])))
    notes: list[str] = []
    if label is not None and label is not chosen:
        done = "omgerekend naar WGS84" if chosen.epsg else "niet omgerekend"
        notes.append(
            f"het bestand noemt als coördinatenstelsel {shown(label_name, 60)}, maar de coördinaten zijn "
            f"{chosen.name}: {done}"
        )
    elif chosen.epsg and label is None:
        notes.append(f"coördinaten herkend als {chosen.name} en omgerekend naar WGS84")
    elif chosen.epsg:
        notes.append(f"coördinaten in {chosen.name}, zoals het bestand aangeeft, omgerekend naar WGS84")
    return chosen, systems, notes


def _to_wgs84(shapes: list[object], system: _System) -> tuple[list[object], list[str]]:
    """The geometries reprojected from ``system`` to WGS84 longitude/latitude (2D), and as GeoJSON text."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    transformer = Transformer.from_crs(system.epsg, "EPSG:4326", always_xy=True)
    out = shapely.transform(np.array(shapes, dtype=object), transformer.transform, interleaved=False)
    return list(out), [str(t) for t in shapely.to_geojson(out)]  # full precision, as json.dumps would


def _validity_problem(shp: object, after: str = "") -> str | None:
    from shapely.validation import explain_validity

    if shp.is_valid:  # type: ignore[attr-defined]
        return None
    reason = explain_validity(shp)  # e.g. "Self-intersection[5.05 52.05]"
    at = re.search(r"\[(-?[0-9.eE+-]+) (-?[0-9.eE+-]+)\]", reason)
    where = f" bij ({at.group(1)}, {at.group(2)})" if at else ""
    if reason.startswith(("Self-intersection", "Ring Self-intersection")):
        return f"{after}de polygoon snijdt zichzelf{where}; herstel de geometrie"
    if reason.startswith("Too few points"):
        return f"{after}een ring van de polygoon heeft te weinig punten{where}"
    if reason.startswith("Hole lies outside shell"):
        return f"{after}een gat ligt buiten de polygoon{where}"
    return f"{after}ongeldige polygoon{where}; herstel de geometrie (bijv. met 'Fix geometries' in QGIS)"


def _geometry_problem(
    geom: object,
    shp: object | None,
    system: _System | None,
    chosen: _System | None,
    wgs: object | None,
) -> str | None:
    """Why a GeoJSON geometry is not a valid (Multi)Polygon in the Netherlands, in Dutch; None when it is.

    ``shp`` is the geometry as delivered (None: unreadable), ``system`` the system it lies in (None: outside
    the Netherlands in every system), ``chosen`` the file's system and ``wgs`` the geometry in WGS84.
    """
    if not isinstance(geom, dict):
        return "geometrie ontbreekt"
    if geom.get("type") not in {"Polygon", "MultiPolygon"}:
        return None  # the check frame refuses other types with its own message
    if shp is None:
        return "de coördinaten vormen geen geldige (multi)polygoon"
    if shp.is_empty:  # type: ignore[attr-defined]
        return "de geometrie is leeg"
    bounds = shp.bounds  # type: ignore[attr-defined]
    if not _finite(bounds):
        return "de coördinaten bevatten ongeldige getallen"
    # The message is shown truncated to 80 characters (etl.validation): the essentials come first.
    if system is None:
        return f"coördinaten buiten Nederland: {_extent(bounds)}"
    if system is _LATLON and chosen is not _LATLON:
        return "coördinaten in de volgorde (breedte, lengte) in plaats van (lengte, breedte)"
    if system is not chosen and chosen is not None:
        return f"coördinaten in {system.name}; de rest in {chosen.name}"
    problem = _validity_problem(shp)
    if problem or wgs is None or wgs is shp:
        return problem
    wgs_bounds = wgs.bounds  # type: ignore[attr-defined]
    if not (_finite(wgs_bounds) and _inside(wgs_bounds, _NL_LONLAT)):
        return f"coördinaten buiten Nederland: in WGS84 {_extent(wgs_bounds)}"
    return _validity_problem(wgs, "in WGS84: ")


def _shape(geom: dict | None) -> object | None:
    """The shapely geometry of a GeoJSON geometry; None when there is none or it cannot be read."""
    if geom is None:
        return None
    from shapely.geometry import shape

    try:
        return shape(geom)
    except Exception:  # shapely raises many kinds on malformed coordinates
        return None


def _read_geojson(con: duckdb.DuckDBPyConnection, path: Path, table: str, limits: Limits) -> Delivery:
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8-sig")
        doc = json.loads(text, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ReadError("GeoJSON kan niet gelezen worden: het bestand is niet in UTF-8 gecodeerd") from None
    except RecursionError:
        raise ReadError("GeoJSON kan niet gelezen worden: het is te diep genest") from None
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"GeoJSON kan niet gelezen worden: ongeldige JSON op regel {exc.lineno}, kolom {exc.colno}"
        ) from None
    except ValueError as exc:
        raise ReadError(f"GeoJSON kan niet gelezen worden: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ReadError("GeoJSON moet een FeatureCollection zijn")
    label_name, label = _crs_label(doc)
    features = doc.get("features")
    if not isinstance(features, list):
        raise ReadError("GeoJSON heeft geen lijst 'features'")
    if len(features) > limits.max_rijen:
        raise ReadError(f"het bestand heeft meer dan {limits.max_rijen} features (WIJKMONITOR_MAX_RIJEN)")
    props: dict[str, None] = {}
    for feat in features:
        p = feat.get("properties") if isinstance(feat, dict) else None
        if isinstance(p, dict):
            props.update(dict.fromkeys(p))
            if len(props) > limits.max_kolommen:
                raise ReadError(
                    f"het bestand heeft meer dan {limits.max_kolommen} verschillende eigenschappen "
                    "(instelling WIJKMONITOR_MAX_KOLOMMEN)"
                )
    keys = list(props)
    idents = [f"p{j + 1}" for j in range(len(keys))]
    geoms: list[dict | None] = []
    for feat in features:
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        geoms.append(geom if isinstance(geom, dict) else None)
    shapes = [_shape(g) for g in geoms]
    chosen, systems, notes = _coordinate_system(shapes, label_name, label)
    wgs: list[object | None] = [s if chosen is _WGS84 else None for s in shapes]
    texts: dict[int, str] = {}  # the reprojected geometry text, by feature index
    if chosen is not None and chosen.epsg:
        mine = [i for i, s in enumerate(systems) if s is chosen]
        moved, text = _to_wgs84([shapes[i] for i in mine], chosen)
        for i, g, t in zip(mine, moved, text, strict=True):
            wgs[i], texts[i] = g, t
    records = []
    for i, feat in enumerate(features, start=1):
        feat = feat if isinstance(feat, dict) else {}
        p = feat.get("properties")
        p = p if isinstance(p, dict) else {}
        geom, shp, moved = geoms[i - 1], shapes[i - 1], wgs[i - 1]
        # the reprojected text, or the geometry as delivered
        text = texts.get(i - 1) or (json.dumps(geom, separators=(",", ":")) if geom else None)
        records.append(
            [
                i,
                json.dumps(p, ensure_ascii=False, sort_keys=True),
                text,
                str(geom.get("type")) if geom else None,
                _geometry_problem(geom, shp, systems[i - 1], chosen, moved) if geom else None,
                *[_cell_text(p.get(k)) for k in keys],
            ]
        )
    fixed = ["eigenschappen", "geometrie", "geometrie_type", "geometrie_fout"]
    df = pd.DataFrame(records, columns=["_rij", *fixed, *idents], dtype="object")
    _frame_to_view(con, df, table, fixed + idents)
    return Delivery(path, fixed, len(records), "geojson", notes=notes, geojson_properties=keys)
