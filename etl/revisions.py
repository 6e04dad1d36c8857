"""Revisions of delivered figures: what a delivery replaces, how old it is, and undoing a correction.

CBS revises published figures, and partners send corrections. A delivery replaces, per key, the value of the
newest earlier delivery of that key (the staging models mark the older row with ``vervangen_door``). This
module makes that visible and safe:

- :func:`diff` compares, inside the load's transaction, the rows a delivery just put into its raw table with
  the values that were current before, per key and variable, with the same trimming and casting as the
  staging SQL (``etl/sql/staging/*.sql``): new keys, unchanged values, changed values, values that become
  empty or get filled, the largest changes (absolute and relative) and which earlier loads are replaced.
  ``wijkmonitor load --voorbeeld`` shows it without publishing anything.
- :func:`vintage` reads the date of a download from its file name (the *peildatum*); :func:`review` (the
  hook :func:`etl.load._load_one` calls) refuses a delivery that is older than the current delivery of the
  same kind, variant and partner whose values it would replace, unless ``--forceer`` is given.
- :func:`reactivate` (``wijkmonitor heractiveer N``) makes an earlier load current again by copying its raw
  rows under a new load id, so that it becomes the newest delivery of its keys.

A re-activation copy records the original in ``meta.loads.validatie`` (``heractivering_van``); a load and its
copies are one delivery (its *root*) when deciding whether a load is already current.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from etl import attempts
from etl import db as dbmod
from etl.reader import shown
from etl.validation import Issue

if TYPE_CHECKING:
    from etl.sources import Options, Plan

TOP = 10  # largest changes kept per list (absolute and relative)
IN_NOTE = 3  # largest changes named in the one-line note of a load


# ----------------------------------------------------------------------------------------- the key spaces


@dataclass(frozen=True)
class _Value:
    column: str  # column of the normalised rows
    label: str  # SQL over the normalised rows: the variable as shown ("inwoners", "misdrijven 1.1.1")
    text: bool = False  # compared as text (names, geometry) instead of as a number


@dataclass(frozen=True)
class _Kind:
    """The key space of one source kind, as its staging model defines it.

    ``tables`` maps each raw table to the SELECT list that normalises it exactly as the staging SQL does;
    every list yields the ``keys`` and the ``values`` columns (and the raw table's ``_load_id``/``_rij``).
    """

    tables: dict[str, str]
    keys: tuple[str, ...]
    period: str  # SQL over the normalised rows: the period as shown (NULL: not tied to a period)
    values: tuple[_Value, ...]


KINDS: dict[str, _Kind] = {
    "politie": _Kind(
        {
            "raw.politie__misdrijven": """
                trim("WijkenEnBuurten") AS gebied_code, trim("SoortMisdrijf") AS soort_misdrijf,
                trim("Perioden") AS periode, CAST(wm_getal("GeregistreerdeMisdrijven") AS BIGINT) AS aantal"""
        },
        ("gebied_code", "soort_misdrijf", "periode"),
        "periode",
        (_Value("aantal", "'misdrijven ' || soort_misdrijf"),),
    ),
    # CBS KWB and the gemeente's long file are one key space (stg_bevolking__kerncijfers)
    "bevolking": _Kind(
        {
            "raw.cbs__kerncijfers": """
                trim("WijkenEnBuurten") AS gebied_code, _jaar AS jaar,
                CAST(wm_getal("AantalInwoners") AS BIGINT) AS inwoners,
                CAST(wm_getal("HuishoudensTotaal") AS BIGINT) AS huishoudens,
                CAST(wm_getal("Woningvoorraad") AS BIGINT) AS woningen""",
            "raw.gemeente__bevolking": """
                trim(gebied_code) AS gebied_code, TRY_CAST(trim(jaar) AS INTEGER) AS jaar,
                CAST(wm_getal(inwoners) AS BIGINT) AS inwoners,
                CAST(wm_getal(huishoudens) AS BIGINT) AS huishoudens,
                CAST(wm_getal(woningen) AS BIGINT) AS woningen""",
        },
        ("gebied_code", "jaar"),
        "CAST(jaar AS VARCHAR)",
        tuple(_Value(v, f"'{v}'") for v in ("inwoners", "huishoudens", "woningen")),
    ),
    "partner": _Kind(
        {
            "raw.partner__waarnemingen": """
                lower(trim(bron)) AS bron, trim(gebied_code) AS gebied_code, upper(trim(periode)) AS periode,
                lower(trim(variabele)) AS variabele, wm_getal(waarde) AS waarde,
                CAST(wm_getal(n) AS BIGINT) AS n, wm_getal(sd) AS sd, wm_getal(n_effectief) AS n_effectief"""
        },
        ("bron", "gebied_code", "periode", "variabele"),
        "periode",
        (
            _Value("waarde", "bron || ' ' || variabele"),
            _Value("n", "bron || ' ' || variabele || ' (n)'"),
            _Value("sd", "bron || ' ' || variabele || ' (sd)'"),
            _Value("n_effectief", "bron || ' ' || variabele || ' (n_effectief)'"),
        ),
    ),
    "leefbaarometer": _Kind(
        {
            "raw.leefbaarometer__scores": """
                trim(gebied_code) AS gebied_code, TRY_CAST(trim(jaar) AS INTEGER) AS jaar,
                wm_getal(lbm) AS lbm, wm_getal(afw) AS afw, wm_getal(fys) AS fys, wm_getal(onv) AS onv,
                wm_getal(soc) AS soc, wm_getal(vrz) AS vrz, wm_getal(won) AS won"""
        },
        ("gebied_code", "jaar"),
        "CAST(jaar AS VARCHAR)",
        tuple(_Value(v, f"'{v}'") for v in ("lbm", "afw", "fys", "onv", "soc", "vrz", "won")),
    ),
    # the geometry is compared by its hash: a change is reported, not shown
    "gebieden": _Kind(
        {
            "raw.gebieden__gebieden": """
                trim(gebied_code) AS gebied_code, _jaar AS jaar, nullif(trim(gebied_naam), '') AS naam,
                md5(geometrie) AS geometrie"""
        },
        ("gebied_code", "jaar"),
        "CAST(jaar AS VARCHAR)",
        (_Value("naam", "'naam'", text=True), _Value("geometrie", "'geometrie'", text=True)),
    ),
}


def _rows_sql(kind: _Kind) -> str:
    """All delivered rows of a kind, normalised as staging does (columns: keys, values, load_id, rij)."""
    return "\nUNION ALL\n".join(
        f"SELECT {cols}, _load_id AS load_id, _rij AS rij FROM {table}" for table, cols in kind.tables.items()
    )


def _same_key(kind: _Kind, a: str, b: str) -> str:
    # IS NOT DISTINCT FROM: a key part may be NULL (an area file without a year), as in staging's PARTITION BY
    return " AND ".join(f"{a}.{k} IS NOT DISTINCT FROM {b}.{k}" for k in kind.keys)


def _current_rows_sql(kind: _Kind, keys_view: str, before: int | None = None) -> str:
    """The current row (the newest load, as staging's ``vervangen_door`` decides) of every key in ``keys_view``,
    among loads before ``before`` (all loads when None)."""
    where = f"WHERE o.load_id < {int(before)}" if before is not None else ""
    return (
        f"SELECT o.* FROM n o JOIN {keys_view} s ON {_same_key(kind, 'o', 's')} {where} "
        f"QUALIFY row_number() OVER (PARTITION BY {', '.join('o.' + k for k in kind.keys)} "
        "ORDER BY o.load_id DESC, o.rij DESC) = 1"
    )


# The delivery a load belongs to: a re-activation copy counts as the load it copies.
_ROOTS = (
    "SELECT load_id, coalesce(TRY_CAST(json_extract_string(validatie, '$.heractivering_van') AS INTEGER), "
    "load_id) AS root FROM meta.loads"
)


# ----------------------------------------------------------------------------------------------- the diff


@dataclass
class Change:
    """One changed value: area, period, variable, old -> new, and the load the old value came from."""

    gebied_code: str
    periode: str | None
    variabele: str
    oud: float | str | None
    nieuw: float | str | None
    oud_load_id: int
    oud_bestand: str | None

    @property
    def verschil(self) -> float | None:
        if isinstance(self.oud, int | float) and isinstance(self.nieuw, int | float):
            return self.nieuw - self.oud
        return None

    @property
    def relatief(self) -> float | None:
        """The change as a fraction of the old value (None when the old value is 0 or not a number)."""
        d = self.verschil
        return None if d is None or not self.oud else d / abs(self.oud)

    def text(self) -> str:
        where = " ".join(p for p in (self.gebied_code, self.periode, self.variabele) if p)
        if self.variabele == "geometrie":
            return f"{where}: grens gewijzigd"
        if isinstance(self.oud, str) or isinstance(self.nieuw, str):
            return f"{where} '{shown(self.oud, 60)}' → '{shown(self.nieuw, 60)}'"
        rel = self.relatief
        pct = "" if rel is None else " (" + f"{rel * 100:+.1f}%".replace(".", ",") + ")"
        return f"{where} {getal(self.oud)} → {getal(self.nieuw)}{pct}"


@dataclass
class Replaced:
    """An earlier load whose current values a delivery replaces (its keys overlap with the delivery)."""

    load_id: int
    bestand: str | None
    variant: str | None
    partner: str | None
    peildatum: dt.date | None
    sleutels: int  # keys of the delivery whose current row came from this load
    waarden: int  # values of those keys that change (changed, emptied or filled)

    def named(self) -> str:
        return f"load {self.load_id} ({shown(self.bestand or 'onbekend bestand', 80)})"


@dataclass
class Revision:
    """What a delivery changes compared with the values that were current before it (per key and variable)."""

    kind: str
    load_id: int
    sleutels: int = 0  # keys in the delivery
    nieuw: int = 0  # keys not delivered before
    ongewijzigd: int = 0  # values delivered again, unchanged (empty before and after: not counted)
    gewijzigd: int = 0  # values that change (both filled)
    leeg: int = 0  # values that become empty
    gevuld: int = 0  # values that were empty and get a value
    vervangen: list[Replaced] = field(default_factory=list)
    grootste: list[Change] = field(default_factory=list)  # by absolute change (text changes last)
    grootste_relatief: list[Change] = field(default_factory=list)  # by relative change (old value not 0)

    @property
    def vervangt(self) -> int:
        """Values whose current value changes."""
        return self.gewijzigd + self.leeg + self.gevuld

    @property
    def overlap(self) -> int:
        """Keys that were delivered before."""
        return self.sleutels - self.nieuw

    def summary(self) -> str:
        """One Dutch line for the load output."""
        if not self.overlap:
            return f"alleen nieuwe gegevens: {self.nieuw} nieuw, niets vervangen"
        head = self._head()
        if self.grootste:
            shown_ = ", ".join(c.text() for c in self.grootste[:IN_NOTE])
            more = ", …" if self.gewijzigd > IN_NOTE else ""
            head += f"; grootste {'wijziging' if self.gewijzigd == 1 else 'wijzigingen'}: {shown_}{more}"
        return f"{head}; {_n(self.ongewijzigd, 'waarde', 'waarden')} ongewijzigd, {self.nieuw} nieuw"

    def lines(self) -> list[str]:
        """The whole diff in Dutch (``--voorbeeld``): counts, replaced loads, the largest changes."""
        if not self.overlap:
            return [f"alleen nieuwe gegevens: {_n(self.nieuw, 'sleutel', 'sleutels')}, niets vervangen"]
        out = [
            self._head(),
            f"{_n(self.ongewijzigd, 'waarde', 'waarden')} ongewijzigd; "
            f"{_n(self.nieuw, 'sleutel', 'sleutels')} nieuw (nog niet eerder geleverd)",
        ]
        for title, changes in (("absoluut", self.grootste), ("relatief", self.grootste_relatief)):
            if changes:
                out.append(f"grootste wijzigingen ({title}):")
                out += [f"  {c.text()}  [load {c.oud_load_id}]" for c in changes]
        return out

    def _head(self) -> str:
        if not self.vervangt:
            names = ", ".join(r.named() for r in self.vervangen)
            return f"vervangt geen waarden: {self.overlap} eerder geleverde sleutels ongewijzigd, van {names}"
        hit = [r for r in self.vervangen if r.waarden]
        if len(hit) == 1:
            head = f"vervangt {_n(self.vervangt, 'waarde', 'waarden')} van {hit[0].named()}"
        else:
            head = f"vervangt {self.vervangt} waarden van {len(hit)} eerdere leveringen: " + ", ".join(
                f"{r.waarden} van {r.named()}" for r in hit
            )
        extra = [f"{n} {w}" for n, w in ((self.leeg, "leeg geworden"), (self.gevuld, "ingevuld")) if n]
        return head + (f", waarvan {' en '.join(extra)}" if extra else "")

    def as_dict(self) -> dict[str, Any]:
        """For the validation summary (meta.loads.validatie, key ``herziening``) and the attempt log."""
        out = asdict(self)
        for r in out["vervangen"]:
            r["peildatum"] = r["peildatum"].isoformat() if r["peildatum"] else None
        return out


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def getal(x: float | None) -> str:
    """A number as Dutch readers write it: 1.225, 7,4, -0,031948 (``leeg`` for a missing value)."""
    if x is None:
        return "leeg"
    s = f"{int(x):,}" if float(x).is_integer() else f"{x:,.6f}".rstrip("0").rstrip(".")
    return s.translate(str.maketrans(",.", ".,"))


def diff(con: duckdb.DuckDBPyConnection, plan: Plan | str, load_id: int) -> Revision | None:
    """Compare the rows of load ``load_id`` (already in its raw table) with the values current before it.

    ``plan`` is the delivery's plan (or just its kind). "Current before" is, per key, the row of the newest
    earlier load, exactly as the staging models choose it. Runs on ``con`` (the load's transaction on the
    private copy of the warehouse); leaves nothing behind. None for a kind without revisions.
    """
    kind_name = plan if isinstance(plan, str) else plan.kind
    kind = KINDS.get(kind_name)
    if kind is None:
        return None
    lid = int(load_id)
    keys = ", ".join(kind.keys)
    vals_new = ", ".join(f"nw.{v.column} AS nieuw_{v.column}" for v in kind.values)
    vals_old = ", ".join(f"o.{v.column} AS oud_{v.column}" for v in kind.values)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _wm_paar AS
        WITH n AS ({_rows_sql(kind)}),
        nieuw AS (SELECT * FROM n WHERE load_id = {lid}),
        sleutels AS (SELECT DISTINCT {keys} FROM nieuw),
        oud AS ({_current_rows_sql(kind, "sleutels", before=lid)})
        SELECT {", ".join("nw." + k for k in kind.keys)}, o.load_id AS oud_load, {vals_new}, {vals_old}
        FROM nieuw nw LEFT JOIN oud o ON {_same_key(kind, "nw", "o")}
        """
    )
    try:
        parts = []
        for v in kind.values:
            num = "NULL::DOUBLE" if v.text else "CAST({}_{} AS DOUBLE)"
            txt = "CAST({}_{} AS VARCHAR)" if v.text else "NULL::VARCHAR"
            parts.append(
                f"SELECT gebied_code AS _gebied, {kind.period} AS _periode, {v.label} AS _variabele, "
                f"oud_load AS _oud_load, {num.format('oud', v.column)} AS _oud, "
                f"{num.format('nieuw', v.column)} AS _nieuw, {txt.format('oud', v.column)} AS _oud_tekst, "
                f"{txt.format('nieuw', v.column)} AS _nieuw_tekst FROM _wm_paar WHERE oud_load IS NOT NULL"
            )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _wm_revisie AS
            SELECT *, CASE
                WHEN _oud IS NOT DISTINCT FROM _nieuw AND _oud_tekst IS NOT DISTINCT FROM _nieuw_tekst
                    THEN 'ongewijzigd'
                WHEN _oud IS NULL AND _oud_tekst IS NULL THEN 'gevuld'
                WHEN _nieuw IS NULL AND _nieuw_tekst IS NULL THEN 'leeg'
                ELSE 'gewijzigd' END AS _status
            FROM ({" UNION ALL ".join(parts)})
            -- a value that is empty before and after is no value (an optional column nobody fills)
            WHERE NOT (_oud IS NULL AND _nieuw IS NULL AND _oud_tekst IS NULL AND _nieuw_tekst IS NULL)
            """
        )
        return _collect(con, kind_name, lid)
    finally:
        for t in ("_wm_revisie", "_wm_paar"):
            with contextlib.suppress(duckdb.Error):  # an aborted transaction: the rollback drops them
                con.execute(f"DROP TABLE IF EXISTS temp.{t}")


def _collect(con: duckdb.DuckDBPyConnection, kind: str, load_id: int) -> Revision:
    rev = Revision(kind, load_id)
    rev.sleutels, rev.nieuw = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE oud_load IS NULL) FROM _wm_paar"
    ).fetchone()
    for status, n in con.execute("SELECT _status, count(*) FROM _wm_revisie GROUP BY ALL").fetchall():
        setattr(rev, status, n)
    for lid, bestand, variant, partner, peil, sleutels, waarden in con.execute(
        """
        WITH k AS (SELECT oud_load, count(*) AS sleutels FROM _wm_paar WHERE oud_load IS NOT NULL GROUP BY ALL),
        w AS (SELECT _oud_load AS oud_load, count(*) FILTER (WHERE _status <> 'ongewijzigd') AS waarden
              FROM _wm_revisie GROUP BY ALL)
        SELECT k.oud_load, l.bestand, l.variant, l.partner, json_extract_string(l.validatie, '$.peildatum'),
               k.sleutels, coalesce(w.waarden, 0)
        FROM k LEFT JOIN w USING (oud_load) LEFT JOIN meta.loads l ON l.load_id = k.oud_load
        ORDER BY k.oud_load
        """
    ).fetchall():
        rev.vervangen.append(Replaced(lid, bestand, variant, partner, _date(peil), sleutels, waarden))
    order = {
        "grootste": "abs(_nieuw - _oud) DESC NULLS LAST",
        "grootste_relatief": "abs(_nieuw - _oud) / abs(_oud) DESC",
    }
    for attr, by in order.items():
        where = "_status = 'gewijzigd'" + (" AND _oud <> 0" if attr == "grootste_relatief" else "")
        rows = con.execute(
            "SELECT _gebied, _periode, _variabele, _oud, _nieuw, _oud_tekst, _nieuw_tekst, _oud_load, l.bestand "
            "FROM _wm_revisie LEFT JOIN meta.loads l ON l.load_id = _oud_load "
            f"WHERE {where} ORDER BY {by}, _gebied, _periode, _variabele LIMIT {TOP}"
        ).fetchall()
        setattr(
            rev,
            attr,
            [Change(g, p, v, _num(o, ot), _num(n, nt), lid, b) for g, p, v, o, n, ot, nt, lid, b in rows],
        )
    return rev


def _num(number: float | None, text: str | None) -> float | int | str | None:
    """A value as shown: whole numbers as int (a count), other numbers as float, else the text."""
    if number is None:
        return text
    return int(number) if float(number).is_integer() else number


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------ the peildatum

_SEP = r"[-_.]"
_YMD = re.compile(
    rf"(?<![0-9])((?:19|20)[0-9]{{2}})({_SEP}?)(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])(?![0-9])"
)
_DMY = re.compile(
    rf"(?<![0-9])(0[1-9]|[12][0-9]|3[01])({_SEP})(0[1-9]|1[0-2])\2((?:19|20)[0-9]{{2}})(?![0-9])"
)


def vintage(delivery_path: Path | str, plan: Plan | None = None) -> dt.date | None:
    """The date of a download (*peildatum*) from its file name, or None.

    Recognised: ``2024-03-15``, ``2024_03_15``, ``20240315`` (year first) and ``15-03-2024`` (day first, with a
    separator). Only real calendar dates with a year 1900-2099 count, bounded by non-digits, so a CBS table
    code (``84583NED``), a year (``2019``) or a range of years (``2017-2025``) is never read as a date. With
    more than one date in the name the latest counts (``politie_2019-01-01_2019-12-31_download_2024-03-15``).
    ``plan`` is for metadata that a kind delivers alongside its file; no kind has such metadata today.
    """
    name = Path(delivery_path).name
    found: list[dt.date] = []
    for pattern, order in ((_YMD, (1, 3, 4)), (_DMY, (4, 3, 1))):
        for m in pattern.finditer(name):
            y, mo, d = (int(m.group(i)) for i in order)
            try:
                found.append(dt.date(y, mo, d))
            except ValueError:  # 2023-02-30
                continue
    return max(found, default=None)


# -------------------------------------------------------------------------------------------- the load hook


class Geweigerd(Exception):
    """A delivery refused after its rows went into raw (older than what it replaces): roll back the load."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.bericht)
        self.issue = issue


def review(
    con: duckdb.DuckDBPyConnection,
    res: Any,
    plan: Plan,
    partner: str | None,
    summary: dict[str, Any],
    opts: Options,
) -> None:
    """The revision step of a load, inside its transaction, after its rows went into raw (``res.load_id``).

    Sets ``res.revision``, stores the counts in ``summary["herziening"]`` (meta.loads.validatie and the
    attempt log), adds the one-line report to ``res.notes`` when the delivery replaces earlier keys, and
    raises :class:`Geweigerd` (with the error appended to ``res.issues``) when the delivery's peildatum
    (``summary["peildatum"]``) is older than that of a current delivery of the same kind, variant and partner
    whose keys it would replace; with ``opts.forceer`` that is a warning instead.
    """
    rev = diff(con, plan, res.load_id)
    res.revision = rev
    if rev is None:
        return
    summary["herziening"] = rev.as_dict()
    peil = _date(summary.get("peildatum"))
    newer = [
        r
        for r in rev.vervangen
        if peil and r.peildatum and r.peildatum > peil and (r.variant, r.partner) == (plan.variant, partner)
    ]
    if newer:
        name = res.path.name
        r = max(newer, key=lambda x: (x.peildatum, x.load_id))
        what = (
            f"{name} (peildatum {peil.isoformat()}) is ouder dan de geladen levering {r.named()}, peildatum "
            f"{r.peildatum.isoformat()}, en zou {_n(r.sleutels, 'sleutel', 'sleutels')} daarvan vervangen "
            f"({_n(rev.vervangt, 'waarde', 'waarden')} anders)"
        )
        if not getattr(opts, "forceer", False):
            issue = Issue(
                "fout",
                f"{name}: {what}. Zo zouden oudere cijfers nieuwere overschrijven; er is niets geladen. "
                "Laad het toch met --forceer, of maak een eerdere levering weer actueel met "
                "wijkmonitor heractiveer LOAD_ID.",
                regel="peildatum",
            )
            res.issues.append(issue)
            summary["geslaagd"] = False
            summary["fouten"] = summary.get("fouten", 0) + 1
            raise Geweigerd(issue)
        res.issues.append(
            Issue("waarschuwing", f"{name}: {what}; toch geladen (--forceer)", regel="peildatum")
        )
        summary["waarschuwingen"] = summary.get("waarschuwingen", 0) + 1
    if rev.overlap and not getattr(opts, "voorbeeld", False):
        res.notes.append(rev.summary())


def currency(con: duckdb.DuckDBPyConnection, kind_name: str, load_id: int) -> tuple[int, int]:
    """(keys of load ``load_id``, those keys whose current row belongs to another delivery).

    A re-activation copy of the load counts as the load itself. ``(0, 0)`` for a kind without revisions."""
    kind = KINDS.get(kind_name)
    if kind is None:
        return 0, 0
    lid = int(load_id)
    root = con.execute(f"SELECT root FROM ({_ROOTS}) WHERE load_id = ?", [lid]).fetchone()
    root = root[0] if root else lid
    return con.execute(
        f"""
        WITH n AS ({_rows_sql(kind)}),
        mijn AS (SELECT DISTINCT {", ".join(kind.keys)} FROM n WHERE load_id = {lid}),
        actueel AS ({_current_rows_sql(kind, "mijn")}),
        roots AS ({_ROOTS})
        SELECT count(*), count(*) FILTER (WHERE coalesce(r.root, a.load_id) <> {int(root)})
        FROM actueel a LEFT JOIN roots r ON r.load_id = a.load_id
        """
    ).fetchone()


def skipped_notes(con: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """For a delivery skipped as already loaded (load ``load_id``): how to make it current again, when later
    deliveries replaced some of its values."""
    row = con.execute("SELECT bronsoort FROM meta.loads WHERE load_id = ?", [int(load_id)]).fetchone()
    if row is None:
        return []
    total, other = currency(con, row[0], load_id)
    if not other:
        return []
    return [
        f"nieuwere leveringen vervangen {other} van de {total} sleutels van load {load_id}; "
        f"'wijkmonitor heractiveer {load_id}' maakt deze levering weer actueel"
    ]


# --------------------------------------------------------------------------------------- re-activation


class _Stop(Exception):
    """Throws the write session's copy away (a refusal, or a preview)."""


@dataclass
class Heractivering:
    """The outcome of :func:`reactivate`."""

    status: str  # geladen | voorbeeld | geweigerd | onbekend (no such load)
    bericht: str
    van: int  # the load that was asked for
    load_id: int | None = None  # the new load (geladen; in a preview the id it would get)
    revision: Revision | None = None

    @property
    def ok(self) -> bool:
        return self.status in {"geladen", "voorbeeld"}

    def report(self) -> str:
        lines = [self.bericht]
        if self.revision is not None:
            lines += [f"  {line}" for line in self.revision.lines()]
        return "\n".join(lines)


def reactivate(
    load_id: int,
    db_path: Path | None = None,
    *,
    voorbeeld: bool = False,
    user: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Heractivering:
    """Make load ``load_id`` current again for its keys (undo a correction): ``wijkmonitor heractiveer``.

    Its raw rows are copied under a new load id, which makes them the newest rows of their keys; the new
    ``meta.loads`` row repeats the original's file, sha256, copy and validation (with ``heractivering_van``),
    opmerking "heractivering van load N". Rows of other ``meta`` tables keyed by load id (other than the
    messages) are copied too. Refused (nothing changes) for a load that does not exist, was rejected or
    skipped, has no rows, or is already current for all its keys. ``voorbeeld``: compute and show the diff,
    change nothing. Recorded in the attempt log after publishing, like a load.
    """
    from etl.build import ensure_schema, rebuild
    from etl.load import current_user

    db_path = dbmod.resolve_db_path(db_path)
    lid = int(load_id)
    if not db_path.exists():
        return Heractivering("onbekend", f"er is nog geen database: {db_path}", lid)
    out = Heractivering("geweigerd", "", lid)
    record: dict[str, Any] = {}
    try:
        with dbmod.write_session(db_path) as con:
            ensure_schema(con)
            row = con.execute(
                f"SELECT bestand, bronsoort, status, root FROM meta.loads JOIN ({_ROOTS}) USING (load_id) "
                "WHERE load_id = ?",
                [lid],
            ).fetchone()
            if row is None:
                out.status, out.bericht = _unknown(db_path, lid)
                raise _Stop
            bestand, kind, status, root = row
            named = f"load {root} ({shown(bestand, 80)})"
            if status != "geladen" or kind not in KINDS:
                out.bericht = f"load {lid} ({shown(bestand, 80)}) kan niet heractiveerd worden (status {status}, soort {kind})"
                raise _Stop
            total, other = currency(con, kind, lid)
            if not total:
                out.bericht = f"{named} bevat geen gegevens; er is niets te heractiveren"
                raise _Stop
            if not other:
                out.bericht = (
                    f"{named} is al actueel: alle {total} sleutels hebben de waarden van deze levering; "
                    "niets gewijzigd"
                )
                raise _Stop
            new = (
                max(
                    con.execute("SELECT coalesce(max(load_id), 0) FROM meta.loads").fetchone()[0],
                    attempts.max_load_id(db_path),
                )
                + 1
            )
            record, out.revision = _copy_load(con, lid, root, new, user or current_user())
            out.load_id = new
            if voorbeeld:
                out.status = "voorbeeld"
                out.bericht = (
                    f"voorbeeld: heractivering van {named} zou {other} van de {total} sleutels weer actueel "
                    "maken; niets gewijzigd"
                )
                raise _Stop
            rebuild(con, progress)
            out.status = "geladen"
            out.bericht = (
                f"load {new}: heractivering van {named}: {other} van de {total} sleutels weer actueel"
            )
    except _Stop:
        return out
    record["klaar"] = dt.datetime.now()
    attempts.append(db_path, record)
    return out


def _unknown(db_path: Path, lid: int) -> tuple[str, str]:
    """Why a load id is not in the warehouse: never used, or an attempt that stored nothing."""
    rec = next((r for r in attempts.read(db_path) if r["load_id"] == lid), None)
    if rec is None:
        return "onbekend", f"load {lid} bestaat niet (zie 'wijkmonitor loads')"
    name = shown(rec.get("bestand") or "", 80)
    if rec.get("status") == "overgeslagen" and rec.get("zelfde_als"):
        return "geweigerd", (
            f"load {lid} ({name}) was een overgeslagen poging: dezelfde inhoud als load {rec['zelfde_als']}; "
            f"gebruik 'wijkmonitor heractiveer {rec['zelfde_als']}'"
        )
    return "geweigerd", (
        f"load {lid} ({name}) is {rec.get('status') or 'niet geladen'} en bevat geen gegevens; "
        "er is niets te heractiveren"
    )


def _copy_load(
    con: duckdb.DuckDBPyConnection, lid: int, root: int, new: int, user: str
) -> tuple[dict[str, Any], Revision | None]:
    """Copy the rows of load ``lid`` under load id ``new``; returns the attempt-log record of the copy and
    what it changes."""
    now = dt.datetime.now()
    kind, validatie = con.execute(
        "SELECT bronsoort, validatie FROM meta.loads WHERE load_id = ?", [lid]
    ).fetchone()
    for table in KINDS[kind].tables:
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * REPLACE ({int(new)} AS _load_id) FROM {table} "
            f"WHERE _load_id = {int(lid)}"
        )
    rows = sum(
        con.execute(f"SELECT count(*) FROM {t} WHERE _load_id = ?", [new]).fetchone()[0]
        for t in KINDS[kind].tables
    )
    rev = diff(con, kind, new)
    # the original's validation (with its peildatum: the figures are as old as the original delivery)
    validatie = {**(json.loads(validatie) if validatie else {}), "heractivering_van": root}
    validatie["herziening"] = rev.as_dict() if rev else None
    con.execute(
        """
        INSERT INTO meta.loads BY NAME
        SELECT * REPLACE (
            ? AS load_id, ? AS gestart, ? AS klaar, ? AS gebruiker, 'geladen' AS status, ? AS rijen_geladen,
            CAST(? AS JSON) AS validatie, ? AS opmerking)
        FROM meta.loads WHERE load_id = ?
        """,
        [
            new,
            now,
            now,
            user,
            rows,
            json.dumps(validatie, ensure_ascii=False, default=str),
            f"heractivering van load {root}",
            lid,
        ],
    )
    # other per-load facts (e.g. the area division a load follows); not its validation messages
    for (table,) in con.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'meta' "
        "AND column_name = 'load_id' AND table_name NOT IN ('loads', 'load_meldingen')"
    ).fetchall():
        con.execute(
            f'INSERT INTO meta."{table}" BY NAME SELECT * REPLACE ({int(new)} AS load_id) '
            f'FROM meta."{table}" WHERE load_id = {int(lid)}'
        )
    fields = ", ".join(attempts.LOAD_FIELDS)
    record = dict(
        zip(
            attempts.LOAD_FIELDS,
            con.execute(f"SELECT {fields} FROM meta.loads WHERE load_id = ?", [new]).fetchone(),
            strict=True,
        )
    )
    record.update(heractivering_van=root, peildatum=validatie.get("peildatum"), validatie=validatie)
    return record, rev
