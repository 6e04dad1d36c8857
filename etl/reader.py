"""Read a delivered file, as delivered, into a temporary DuckDB table of text columns.

CSV (`,`, `;` or tab; UTF-8 with or without BOM, cp1252 tolerated; title lines above the header tolerated),
XLSX (first sheet or a named one; title rows above the header tolerated) and GeoJSON. Every row keeps the
line (CSV), row (XLSX) or feature number (GeoJSON) it came from in ``_rij``, so messages can point at it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

# Column names that mark a header line (after dropping a CBS suffix such as "_5"; case-insensitive).
HEADER_MARKERS = {"wijkenenbuurten", "gebied_code", "bron", "bu_code", "wk_code", "gm_code", "identifier"}
_SUFFIX = re.compile(r"_\d+$")
GEOJSON_SUFFIXES = {".geojson", ".json"}


class ReadError(Exception):
    """The file cannot be read at all (wrong format, no header, unreadable workbook)."""


@dataclass
class Delivery:
    path: Path
    columns: list[str]  # header as delivered (stripped of BOM and surrounding spaces)
    rows: int
    fmt: str  # csv | xlsx | geojson
    encoding: str = "utf-8"
    delimiter: str | None = None
    header_line: int = 1  # line/row number of the header (1-based)
    notes: list[str] = field(default_factory=list)
    geojson_properties: list[str] = field(default_factory=list)


def base_name(column: str) -> str:
    """`AantalInwoners_5` -> `aantalinwoners`: CBS numbers its columns per year; match on the name."""
    return _SUFFIX.sub("", column.strip().lstrip("\ufeff")).lower()


def read_delivery(
    con: duckdb.DuckDBPyConnection, path: Path, table: str = "levering", sheet: str | None = None
) -> Delivery:
    """Create temp view ``table`` (all VARCHAR + ``_rij``) from the file and describe it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return _read_geojson(con, path, table)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(con, path, table, sheet)
    return _read_csv(con, path, table)


def peek_delivery(path: Path, sheet: str | None = None) -> Delivery:
    """The header of a file without reading its rows (to order a batch: areas first)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return Delivery(path, [], 0, "geojson")
    if suffix in {".xlsx", ".xlsm"}:
        import duckdb as _duckdb

        with _duckdb.connect() as con:
            return _read_xlsx(con, path, "peek", sheet)
    encoding = "utf-8" if _is_utf8_head(path) else "cp1252"
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace") as f:
        head = [line.rstrip("\r\n") for line in (f.readline() for _ in range(30)) if line]
    idx, delim = _find_header(head)
    return Delivery(
        path, [c.strip().strip('"') for c in head[idx].split(delim)], 0, "csv", encoding, delim, idx + 1
    )


def _is_utf8_head(path: Path) -> bool:
    with open(path, "rb") as f:
        chunk = f.read(1 << 16)
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(chunk) - 4  # a multi-byte character cut off at the end of the chunk
    return True


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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


def _find_header(lines: list[str]) -> tuple[int, str]:
    for i, line in enumerate(lines):
        delim = max([";", ",", "\t"], key=line.count)
        names = {base_name(c.strip().strip('"')) for c in line.split(delim)}
        if names & HEADER_MARKERS:
            return i, delim
    if not lines:
        raise ReadError("het bestand is leeg")
    return 0, max([";", ",", "\t"], key=lines[0].count)


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> Delivery:
    notes: list[str] = []
    encoding = "utf-8"
    source = path
    if not _is_utf8(path):
        # cp1252 (Excel on Windows): transcode to a temporary UTF-8 copy; the delivered file stays untouched.
        encoding = "cp1252"
        notes.append("bestand is niet in UTF-8 maar in Windows-1252 (cp1252) gecodeerd; omgezet")
        tmp = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".csv", delete=False)  # noqa: SIM115
        with open(path, encoding="cp1252", errors="replace") as src, tmp:
            while chunk := src.read(1 << 22):
                tmp.write(chunk)
        source = Path(tmp.name)
    with open(source, encoding="utf-8-sig", errors="replace") as f:
        head = [f.readline() for _ in range(30)]
    head = [line.rstrip("\r\n") for line in head if line]
    header_idx, delim = _find_header(head)
    if header_idx:
        notes.append(f"{header_idx} titelregel(s) boven de kop overgeslagen")
    try:
        con.execute(f"DROP TABLE IF EXISTS {table}_data")
        con.execute(
            f"""CREATE TEMP TABLE {table}_data AS SELECT * FROM read_csv(?, delim = ?, header = true,
                skip = ?, all_varchar = true, quote = '"', escape = '"', null_padding = true,
                auto_detect = true, sample_size = -1)""",
            [str(source), delim, header_idx],
        )
    except duckdb.Error as exc:
        raise ReadError(
            "CSV kan niet gelezen worden. Meestal heeft een rij meer kolommen dan de kopregel (een extra "
            f"scheidingsteken '{delim}' in een waarde) of staat er een regeleinde binnen aanhalingstekens. "
            f"Technische melding: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    columns = [c[0] for c in con.execute(f"DESCRIBE {table}_data").fetchall()]
    offset = header_idx + 2  # rowid 0 is the line after the header (1-based line numbers)
    rij, join = f"d.rowid + {offset}", ""
    empty = _empty_lines(path, header_idx + 1)
    if empty:
        # DuckDB skips empty lines, so rowid no longer counts lines: every empty line b_j (j = 1, 2, ...) above
        # a row pushes it one line down, and b_j is above the row with rowid r when b_j - j < r + offset.
        shift = {b - j: j for j, b in enumerate(empty, start=1)}  # equal keys: the largest j wins
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_leeg AS SELECT unnest(?::BIGINT[]) AS k, unnest(?::BIGINT[]) AS j",
            [list(shift), list(shift.values())],
        )
        rij, join = (
            f"{rij} + coalesce(l.j, 0)",
            f" ASOF LEFT JOIN {table}_leeg AS l ON l.k < d.rowid + {offset}",
        )
    # Rows with every field empty (';;;;' as Excel writes below the data) are skipped, as in an XLSX.
    filled = " OR ".join('d."' + c.replace('"', '""') + '" IS NOT NULL' for c in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT {rij} AS _rij, d.* FROM {table}_data AS d{join} "
        f"WHERE {filled}"
    )
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return Delivery(
        path,
        [c.strip().lstrip("\ufeff") for c in columns],
        rows,
        "csv",
        encoding,
        delim,
        header_idx + 1,
        notes,
    )


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.day == 1 and value.time() == dt.time(0):
        # Excel turns a typed period such as 2019-03 into the date 1 March 2019: give the period back
        return f"{value.year:04d}-{value.month:02d}"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    text = str(value)
    return text


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str, sheet: str | None) -> Delivery:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise ReadError(f"Excel-bestand kan niet geopend worden: {exc}") from exc
    if sheet is not None and sheet not in wb.sheetnames:
        raise ReadError(f"tabblad '{sheet}' bestaat niet; wel: {', '.join(wb.sheetnames)}")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header: list[str] | None = None
    header_row = 0
    records: list[list[str | None]] = []
    numbers: list[int] = []
    for i, row in enumerate(rows, start=1):
        cells = [_cell_text(v) for v in row]
        if header is None:
            names = {base_name(c) for c in cells if c}
            if names & HEADER_MARKERS:
                header, header_row = [c.strip() if c else f"kolom{j + 1}" for j, c in enumerate(cells)], i
            elif i > 30:
                break
            continue
        if all(c is None or not str(c).strip() for c in cells):
            continue
        records.append((cells + [None] * len(header))[: len(header)])
        numbers.append(i)
    wb.close()
    if header is None:
        raise ReadError("geen kopregel gevonden in de eerste 30 rijen van het werkblad")
    # Drop trailing unnamed empty columns (Excel often reports a wider range than used).
    while header and header[-1].startswith("kolom") and all(r[len(header) - 1] is None for r in records):
        header.pop()
        records = [r[: len(header)] for r in records]
    df = pd.DataFrame(records, columns=header, dtype="object")
    df.insert(0, "_rij", numbers)
    con.execute(f"DROP TABLE IF EXISTS {table}_data")
    con.register("_xlsx_df", df)
    cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in header)
    con.execute(
        f"CREATE TEMP TABLE {table}_data AS SELECT CAST(_rij AS BIGINT) AS _rij, {cols} FROM _xlsx_df"
    )
    con.unregister("_xlsx_df")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_data")
    notes = [f"{header_row - 1} titelregel(s) boven de kop overgeslagen"] if header_row > 1 else []
    return Delivery(path, header, len(records), "xlsx", header_line=header_row, notes=notes)


def _read_geojson(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> Delivery:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"GeoJSON kan niet gelezen worden: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ReadError("GeoJSON moet een FeatureCollection zijn")
    crs = (doc.get("crs") or {}).get("properties", {}).get("name", "")
    notes = []
    if crs and "CRS84" not in crs and "4326" not in crs:
        raise ReadError(f"coördinaten moeten in WGS84 (lengte/breedte) zijn, niet in {crs}")
    features = doc.get("features") or []
    props: list[str] = []
    for feat in features:
        for key in feat.get("properties") or {}:
            if key not in props:
                props.append(key)
    records = []
    for i, feat in enumerate(features, start=1):
        p = feat.get("properties") or {}
        geom = feat.get("geometry")
        records.append(
            {
                "_rij": i,
                "eigenschappen": json.dumps(p, ensure_ascii=False, sort_keys=True),
                "geometrie": json.dumps(geom, separators=(",", ":")) if geom else None,
                "geometrie_type": (geom or {}).get("type"),
                **{f"prop:{k}": _cell_text(p.get(k)) for k in props},
            }
        )
    df = pd.DataFrame(
        records,
        columns=["_rij", "eigenschappen", "geometrie", "geometrie_type"] + [f"prop:{k}" for k in props],
        dtype="object",
    )
    con.execute(f"DROP TABLE IF EXISTS {table}_data")
    con.register("_geo_df", df)
    cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in df.columns if c != "_rij")
    con.execute(f"CREATE TEMP TABLE {table}_data AS SELECT CAST(_rij AS BIGINT) AS _rij, {cols} FROM _geo_df")
    con.unregister("_geo_df")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_data")
    return Delivery(
        path,
        ["eigenschappen", "geometrie", "geometrie_type"],
        len(records),
        "geojson",
        notes=notes,
        geojson_properties=props,
    )
