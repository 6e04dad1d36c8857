"""The registered source kinds: how to recognise a delivery, map its columns, check it and store it raw.

Kinds: politie, bevolking (CBS KWB or the plain long file), partner (corporatie, welzijn, gemeente,
enquete in one long template), leefbaarometer, gebieden (GeoJSON or a CBS code list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from etl.reader import Delivery, base_name, shown
from etl.validation import Frame, Rule, where

REGISTRY = Path(__file__).parent / "registry"
# CBS codes: GM + 4 digits; WK + gemeente + 2; BU + gemeente + 4. Amsterdam uses letters (BU0363FE03).
CODE_REGEX = r"^(?:GM[0-9]{4}|WK[0-9]{4}[0-9A-Z]{2}|BU[0-9]{4}[0-9A-Z]{4})$"
# A number as partners write it: 7, 7,3 (decimal comma), 7.3, 9.2e-05 (exponent only with a decimal point).
NUMBER_REGEX = r"^-?[0-9]+(?:,[0-9]+|(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)$"
INTEGER_REGEX = r"^-?[0-9]+(?:[.,]0+)?$"
PERIOD_REGEX = {
    "jaar": r"^(?:19|20)[0-9]{2}$",
    "halfjaar": r"^(?:19|20)[0-9]{2}-[Hh][12]$",
    "kwartaal": r"^(?:19|20)[0-9]{2}-[Qq][1-4]$",
    "maand": r"^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])$",
}
PERIOD_EXAMPLE = {"jaar": "2019", "halfjaar": "2019-H1", "kwartaal": "2019-Q3", "maand": "2019-03"}
LEVEL_PREFIX = {"buurt": "BU", "wijk": "WK", "gemeente": "GM"}


class SourceError(Exception):
    """The delivery cannot be checked at all (unknown shape, year unknown, required columns missing)."""


@cache
def variable_registry() -> dict[str, Any]:
    return yaml.safe_load((REGISTRY / "variabelen.yaml").read_text(encoding="utf-8"))["bronnen"]


@cache
def crime_codes() -> dict[str, str]:
    return yaml.safe_load((REGISTRY / "soort_misdrijf.yaml").read_text(encoding="utf-8"))["codes"]


@cache
def kwb_tables() -> dict[str, int]:
    return yaml.safe_load((REGISTRY / "kwb_tabellen.yaml").read_text(encoding="utf-8"))["tabellen"]


@dataclass
class Options:
    source: str | None = None  # --source
    jaar: int | None = None  # --jaar (KWB year, area division year of a gebieden file)
    gemeente: str | None = None  # --gemeente: keep only areas of this gemeente, skip others with a warning
    sheet: str | None = None  # --blad (XLSX)
    code_template: str | None = None  # gebieden: e.g. "BU{GEMEENTECODE}{BUURTCODE}"
    naam_template: str | None = None  # gebieden: e.g. "{BUURT}"


@dataclass
class Plan:
    """What a delivery is and how to handle it; built by :func:`plan_delivery`."""

    kind: str
    variant: str
    raw_table: str
    partner: str
    columns: dict[str, str]  # canonical name -> delivered column name (for messages only, never SQL)
    select: dict[str, str]  # raw column -> SQL expression over the delivery view
    code_expr: str  # SQL expression of the trimmed area code
    year_expr: str | None  # SQL expression of the year (INTEGER) or None
    extra_raw: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    idents: dict[str, str] = field(default_factory=dict)  # canonical name -> positional SQL column (k3)

    def sql(self, name: str) -> str:
        """The trimmed value of a canonical column as SQL (over the delivery view), NULL when absent."""
        return f"trim({self.idents[name]})" if name in self.idents else "NULL"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _listed(names: list[str], limit: int = 20) -> str:
    """Delivered names for a message: each shown safely (truncated, control characters visible)."""
    out = ", ".join(shown(n, 40) for n in names[:limit])
    return out + (f", … ({len(names)} in totaal)" if len(names) > limit else "")


def _match(delivery: Delivery, wanted: list[str]) -> dict[str, str]:
    by_base: dict[str, str] = {}
    for col in delivery.columns:
        by_base.setdefault(base_name(col), col)
    return {w: by_base[w.lower()] for w in wanted if w.lower() in by_base}


def detect_kind(delivery: Delivery) -> tuple[str, str]:
    """(kind, variant) from the columns; raises SourceError when the shape is unknown."""
    if delivery.fmt == "geojson":
        return "gebieden", "geojson"
    names = {base_name(c) for c in delivery.columns}
    if {"soortmisdrijf", "wijkenenbuurten", "perioden"} <= names:
        return "politie", "cbs-politie"
    if {"wijkenenbuurten", "aantalinwoners"} <= names:
        return "bevolking", "cbs-kwb"
    # Recognise the long templates even when one required column is missing or misspelt, so that the
    # delivery gets the precise "kolom ... ontbreekt" message instead of "onbekend bestandsformaat".
    if "bron" in names and len(names & {"gebied_code", "periode", "variabele", "waarde"}) >= 3:
        return "partner", "lang"
    if {"gebied_code", "jaar"} <= names and names & {"inwoners", "huishoudens", "woningen"}:
        return "bevolking", "lang"
    if "lbm" in names and names & {"bu_code", "wk_code", "gm_code"}:
        return "leefbaarometer", "lbm3"
    if {"identifier", "title"} <= names:
        return "gebieden", "cbs-codelijst"
    raise SourceError(
        "onbekend bestandsformaat: de kolommen ("
        + _listed(delivery.columns, 12)
        + ") passen bij geen enkele "
        "bron. Een bestand wordt herkend aan zijn kolomkoppen, bijvoorbeeld bron;gebied_code;periode;variabele;"
        "waarde voor een partnerbestand of SoortMisdrijf, WijkenEnBuurten, Perioden voor politiecijfers. "
        "Gebruik het sjabloon (wijkmonitor template) of zie docs/data-formats.md."
    )


REQUIRED = {
    ("politie", "cbs-politie"): ["SoortMisdrijf", "WijkenEnBuurten", "Perioden", "GeregistreerdeMisdrijven"],
    ("bevolking", "cbs-kwb"): ["WijkenEnBuurten", "AantalInwoners"],
    ("bevolking", "lang"): ["gebied_code", "jaar", "inwoners"],
    ("partner", "lang"): ["bron", "gebied_code", "periode", "variabele", "waarde"],
    ("leefbaarometer", "lbm3"): ["jaar", "lbm"],
    ("gebieden", "cbs-codelijst"): ["Identifier", "Title"],
    ("gebieden", "geojson"): [],
}
OPTIONAL = {
    ("politie", "cbs-politie"): ["ID", "Gemeentenaam", "SoortRegio"],
    ("bevolking", "cbs-kwb"): [
        "Gemeentenaam",
        "SoortRegio",
        "Codering",
        "HuishoudensTotaal",
        "Woningvoorraad",
    ],
    ("bevolking", "lang"): ["huishoudens", "woningen"],
    ("partner", "lang"): ["n", "sd"],
    ("leefbaarometer", "lbm3"): ["afw", "fys", "onv", "soc", "vrz", "won"],
    ("gebieden", "cbs-codelijst"): [],
    ("gebieden", "geojson"): [],
}
KIND_FOR_SOURCE_OPTION = {"politie", "bevolking", "partner", "leefbaarometer", "gebieden"}


def missing_columns(delivery: Delivery, kind: str, variant: str) -> list[str]:
    found = _match(delivery, REQUIRED[(kind, variant)])
    return [c for c in REQUIRED[(kind, variant)] if c not in found]


def kwb_year(delivery: Delivery, opts: Options) -> int:
    if opts.jaar:
        return opts.jaar
    m = re.search(r"(\d{5}NED)", delivery.path.name, re.IGNORECASE)
    if m and m.group(1).upper() in kwb_tables():
        return int(kwb_tables()[m.group(1).upper()])
    raise SourceError(
        f"{delivery.path.name}: een CBS-kerncijferbestand heeft geen jaarkolom. Geef het jaar met --jaar 2019, "
        "of laat de CBS-tabelcode in de bestandsnaam staan (bijv. 84583NED_kerncijfers.csv voor 2019)."
    )


def _fill_template(template: str, delivery: Delivery) -> str:
    """'BU{GEMEENTECODE}{BUURTCODE}' -> SQL concatenation over the delivery's property columns."""
    parts: list[str] = []
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]*)\})?", template):
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'")
        if name:
            props = delivery.geojson_properties
            if name not in props:
                raise SourceError(
                    f"eigenschap '{shown(name)}' uit het sjabloon '{shown(template)}' komt niet voor in het "
                    f"GeoJSON-bestand; wel: {_listed(props)}"
                )
            parts.append(f"coalesce(trim({delivery.ident(name)}), '')")
    return "(" + " || ".join(parts or ["NULL"]) + ")"


def plan_delivery(delivery: Delivery, opts: Options) -> Plan:
    plan = _plan(delivery, opts)
    if plan.variant != "geojson":
        plan.idents = {name: delivery.ident(label) for name, label in plan.columns.items()}
    return plan


def _plan(delivery: Delivery, opts: Options) -> Plan:
    if opts.source and opts.source not in KIND_FOR_SOURCE_OPTION:
        raise SourceError(
            f"onbekende bron '{opts.source}'; kies uit {', '.join(sorted(KIND_FOR_SOURCE_OPTION))}"
        )
    kind, variant = detect_kind(delivery)
    if opts.source and opts.source != kind:
        raise SourceError(
            f"{delivery.path.name}: --source {opts.source} opgegeven, maar de kolommen horen bij "
            f"bron '{kind}' ({_listed(delivery.columns, 8)})"
        )
    cols = _match(delivery, REQUIRED[(kind, variant)] + OPTIONAL[(kind, variant)])
    idents = {name: delivery.ident(label) for name, label in cols.items()}

    def col(name: str) -> str:
        return idents.get(name, "NULL")

    if kind == "politie":
        select = {
            c: col(c)
            for c in [
                "ID",
                "SoortMisdrijf",
                "WijkenEnBuurten",
                "Perioden",
                "GeregistreerdeMisdrijven",
                "Gemeentenaam",
                "SoortRegio",
            ]
        }
        return Plan(
            kind,
            variant,
            "raw.politie__misdrijven",
            "politie",
            cols,
            select,
            f"trim({col('WijkenEnBuurten')})",
            f"TRY_CAST(left(trim({col('Perioden')}), 4) AS INTEGER)",
        )
    if kind == "bevolking" and variant == "cbs-kwb":
        year = kwb_year(delivery, opts)
        select = {
            c: col(c)
            for c in [
                "WijkenEnBuurten",
                "Gemeentenaam",
                "SoortRegio",
                "Codering",
                "AantalInwoners",
                "HuishoudensTotaal",
                "Woningvoorraad",
            ]
        }
        select["_jaar"] = str(int(year))
        plan = Plan(
            kind,
            variant,
            "raw.cbs__kerncijfers",
            "CBS",
            cols,
            select,
            f"trim({col('WijkenEnBuurten')})",
            str(int(year)),
        )
        if "Woningvoorraad" not in cols:
            plan.warnings.append(
                "kolom Woningvoorraad ontbreekt: indicatoren per 1.000 woningen krijgen geen noemer "
                "uit dit bestand"
            )
        return plan
    if kind == "bevolking":
        select = {c: col(c) for c in ["gebied_code", "jaar", "inwoners", "huishoudens", "woningen"]}
        return Plan(
            kind,
            variant,
            "raw.gemeente__bevolking",
            "gemeente",
            cols,
            select,
            f"trim({col('gebied_code')})",
            f"TRY_CAST(trim({col('jaar')}) AS INTEGER)",
        )
    if kind == "partner":
        select = {c: col(c) for c in ["bron", "gebied_code", "periode", "variabele", "waarde", "n", "sd"]}
        return Plan(
            kind,
            variant,
            "raw.partner__waarnemingen",
            "partner",
            cols,
            select,
            f"trim({col('gebied_code')})",
            f"TRY_CAST(left(trim({col('periode')}), 4) AS INTEGER)",
        )
    if kind == "leefbaarometer":
        lvl = next(p for p in ("bu", "wk", "gm") if p + "_code" in {base_name(c) for c in delivery.columns})
        cols.update(_match(delivery, [f"{lvl}_code", f"{lvl}_naam"]))
        idents.update({name: delivery.ident(label) for name, label in cols.items()})
        select = {"gebied_code": col(f"{lvl}_code"), "gebied_naam": col(f"{lvl}_naam"), "jaar": col("jaar")}
        select.update({c: col(c) for c in ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]})
        return Plan(
            kind,
            variant,
            "raw.leefbaarometer__scores",
            "BZK (Leefbaarometer)",
            cols,
            select,
            f"trim({col(f'{lvl}_code')})",
            f"TRY_CAST(trim({col('jaar')}) AS INTEGER)",
        )
    # gebieden
    year_sql = str(int(opts.jaar)) if opts.jaar else "NULL"
    if variant == "cbs-codelijst":
        select = {
            "gebied_code": col("Identifier"),
            "gebied_naam": col("Title"),
            "geometrie": "NULL",
            "eigenschappen": "NULL",
            "_jaar": year_sql,
        }
        return Plan(
            kind,
            variant,
            "raw.gebieden__gebieden",
            "CBS",
            cols,
            select,
            f"trim({col('Identifier')})",
            year_sql,
        )
    props = delivery.geojson_properties
    code_t = opts.code_template or next(
        (f"{{{p}}}" for p in ("gebied_code", "code", "statcode", "buurtcode") if p in props), None
    )
    naam_t = opts.naam_template or next(
        (f"{{{p}}}" for p in ("gebied_naam", "naam", "statnaam", "buurtnaam") if p in props), None
    )
    if not code_t:
        raise SourceError(
            f"{delivery.path.name}: geen eigenschap met de gebiedscode gevonden (gezocht: gebied_code, code, "
            f"statcode). Geef aan hoe de CBS-code wordt samengesteld, bijv. --code 'BU{{GEMEENTECODE}}{{BUURTCODE}}'"
            f" --naam '{{BUURT}}'. Eigenschappen in het bestand: {_listed(props)}"
        )
    code_sql = _fill_template(code_t, delivery)
    select = {
        "gebied_code": code_sql,
        "gebied_naam": _fill_template(naam_t, delivery) if naam_t else "NULL",
        "geometrie": "geometrie",
        "eigenschappen": "eigenschappen",
        "_jaar": year_sql,
    }
    return Plan(
        kind,
        variant,
        "raw.gebieden__gebieden",
        "gemeente",
        {},
        select,
        code_sql,
        year_sql,
        extra_raw={"code_template": code_t, "naam_template": naam_t},
    )


def variable_dimension() -> list[dict[str, str]]:
    """Every variable a source can deliver, with how it behaves over time and across areas.

    soort: stroom (summed over the year) or voorraad (last period counts); aggregatie: som (counts add up
    from buurt to wijk to gemeente), gewogen_gemiddelde (survey means and percentages, weighted by n) or
    geen (the Leefbaarometer score is not additive).
    """
    rows = [
        {
            "bron": "politie",
            "variabele": code,
            "titel": title,
            "eenheid": "aantal",
            "soort": "stroom",
            "aggregatie": "som",
        }
        for code, title in crime_codes().items()
    ]
    rows += [
        {
            "bron": "bevolking",
            "variabele": v,
            "titel": t,
            "eenheid": "aantal",
            "soort": "voorraad",
            "aggregatie": "som",
        }
        for v, t in (("inwoners", "Inwoners"), ("huishoudens", "Huishoudens"), ("woningen", "Woningen"))
    ]
    rows.append(
        {
            "bron": "leefbaarometer",
            "variabele": "lbm",
            "titel": "Leefbaarometer totaalscore",
            "eenheid": "score",
            "soort": "voorraad",
            "aggregatie": "geen",
        }
    )
    for bron, spec in variable_registry().items():
        for var, vs in spec["variabelen"].items():
            rows.append(
                {
                    "bron": bron,
                    "variabele": var,
                    "titel": vs["titel"],
                    "eenheid": vs["eenheid"],
                    "soort": vs["soort"],
                    "aggregatie": "som" if vs["eenheid"] == "aantal" else "gewogen_gemiddelde",
                }
            )
    return rows


# ---------------------------------------------------------------------------------------------- checks


def _valid_code_counts(con: duckdb.DuckDBPyConnection, years: list[int]) -> dict[int, int]:
    """How many area codes the loaded area division holds for each year (0 when there is none)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'dim_gebied'"
    ).fetchone()[0]
    if not exists:
        return {y: 0 for y in years}
    return {
        y: con.execute(
            "SELECT count(*) FROM marts.dim_gebied WHERE (geldig_van IS NULL OR geldig_van <= ?) "
            "AND (geldig_tot IS NULL OR geldig_tot >= ?)",
            [y, y],
        ).fetchone()[0]
        for y in years
    }


def _code_frame(
    con: duckdb.DuckDBPyConnection, plan: Plan, view: str, kolom: str, must_exist: bool, extra_group: str = ""
) -> Frame:
    year = plan.year_expr or "NULL"
    sql = (
        f"SELECT {plan.code_expr} AS gebied_code, {year} AS jaar{extra_group and ', ' + extra_group}, "
        f"min(_rij) AS _rij, count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij"
    )
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToNotBeNull(column="gebied_code"),
            kolom,
            "gebiedscode ontbreekt",
            waarde="gebied_code",
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(column="gebied_code", regex=CODE_REGEX),
            kolom,
            "geen geldige CBS-gebiedscode (zoals GM0597, WK059701 of BU05970100)",
            waarde="gebied_code",
        ),
    ]
    if must_exist:
        years = sorted(
            {r[0] for r in con.execute(f"SELECT DISTINCT {year} FROM {view}").fetchall() if r[0] is not None}
        )
        valid = _valid_code_counts(con, years)
        if years and not any(valid.values()):
            raise SourceError(
                "er is nog geen gebiedsindeling geladen, dus de gebiedscodes kunnen niet gecontroleerd "
                "worden. Laad eerst een bevolkingsbestand (CBS Kerncijfers wijken en buurten) of een "
                "gebiedenbestand (GeoJSON of CBS-codelijst)."
            )
        if years:
            # Whether a code exists in that year's division is decided in DuckDB (`bekend` = 1/0): handing GX
            # the ~14,000 valid codes as a value set costs seconds per year (it copies the set many times).
            sql = (
                "SELECT f.*, CASE WHEN f.gebied_code IS NULL THEN NULL ELSE CAST(EXISTS (SELECT 1 FROM "
                "marts.dim_gebied AS d WHERE d.gebied_code = f.gebied_code AND (d.geldig_van IS NULL OR "
                "d.geldig_van <= f.jaar) AND (d.geldig_tot IS NULL OR d.geldig_tot >= f.jaar)) AS INTEGER) END "
                f"AS bekend FROM ({sql}) AS f ORDER BY f._rij"
            )
        for y in years:
            if valid[y]:
                regel = f"gebiedscode bestaat niet in de gebiedsindeling van {y}"
            else:
                regel = f"gebiedscode onbekend: er is geen gebiedsindeling die {y} dekt"
            rules.append(
                Rule(
                    lambda g, y=y: g.ExpectColumnValuesToBeInSet(
                        column="bekend", value_set=[1], row_condition=where("jaar", "==", y)
                    ),
                    kolom,
                    regel,
                    waarde="gebied_code",
                )
            )
    return Frame("gebied", sql, rules=rules)


def _numbers_frame(plan: Plan, view: str, names: list[str], integer: bool, nonnegative: bool) -> Frame:
    """Distinct non-missing values of several number columns, unpivoted into (kolom, waarde, getal).

    ``kolom`` is the delivered column name, bound as a parameter (it is text from the file)."""
    unions = " UNION ALL ".join(
        f"SELECT ? AS kolom, {plan.sql(name)} AS waarde, _rij FROM {view} WHERE NOT wm_leeg({plan.sql(name)})"
        for name in names
    )
    params = [plan.columns[name] for name in names]
    sql = (
        f"SELECT kolom, waarde, wm_getal(waarde) AS getal, min(_rij) AS _rij, count(*) AS _aantal "
        f"FROM ({unions}) GROUP BY ALL ORDER BY _rij"
    )
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(
                column="waarde", regex=INTEGER_REGEX if integer else NUMBER_REGEX
            ),
            "{kolom}",
            "moet een geheel getal zijn" if integer else "moet een getal zijn",
            waarde="waarde",
        )
    ]
    if nonnegative:
        rules.append(
            Rule(
                lambda g: g.ExpectColumnValuesToBeBetween(column="getal", min_value=0),
                "{kolom}",
                "mag niet negatief zijn",
                waarde="waarde",
            )
        )
    return Frame("getallen", sql, params=params, rules=rules)


def _year_frame(plan: Plan, view: str, example: str) -> Frame:
    """Distinct values of the year column; each must be a year such as 2019."""
    column = plan.columns["jaar"]
    sql = (
        f"SELECT {plan.sql('jaar')} AS jaar, min(_rij) AS _rij, count(*) AS _aantal FROM {view} "
        "GROUP BY ALL ORDER BY _rij"
    )
    return Frame(
        "jaar",
        sql,
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToMatchRegex(column="jaar", regex=PERIOD_REGEX["jaar"]),
                column,
                f"geen geldig jaar (bijv. {example})",
                waarde="jaar",
            )
        ],
    )


def _key_frame(view: str, key_exprs: dict[str, str]) -> Frame:
    key_sql = " || ' | ' || ".join(f"coalesce({e}, '')" for e in key_exprs.values())
    sql = (
        f"SELECT {key_sql} AS sleutel, min(_rij) AS _rij, count(*) AS _aantal FROM {view} "
        f"GROUP BY ALL HAVING count(*) > 1 ORDER BY _rij"
    )
    label = " + ".join(key_exprs)
    return Frame(
        "uniek",
        sql,
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToBeBetween(column="_aantal", max_value=1),
                label,
                f"dubbele regel: de combinatie {label} komt vaker voor (elke combinatie mag één keer voorkomen)",
                waarde="sleutel",
            )
        ],
    )


def _column_frame(delivery: Delivery, plan: Plan) -> Frame:
    required = REQUIRED[(plan.kind, plan.variant)]
    present = [c for c in required if c in plan.columns]
    cols = ", ".join(f"NULL AS {q(c)}" for c in present) or "NULL AS _leeg"
    sql = f"SELECT {cols} WHERE false"
    return Frame(
        "kolommen",
        sql,
        rules=[Rule(lambda g, c=c: g.ExpectColumnToExist(column=c), c, "verplichte kolom") for c in required],
    )


def build_frames(con: duckdb.DuckDBPyConnection, delivery: Delivery, plan: Plan, view: str) -> list[Frame]:
    """The check frames of one delivery (the scope view ``view`` holds the rows that will be loaded)."""
    frames: list[Frame] = [_column_frame(delivery, plan)]
    if missing_columns(delivery, plan.kind, plan.variant):
        return frames  # nothing else can be checked without them
    c = plan.columns

    def t(name: str) -> str:
        return plan.sql(name)

    if plan.kind == "politie":
        frames.append(_code_frame(con, plan, view, c["WijkenEnBuurten"], must_exist=True))
        frames.append(
            Frame(
                "periode",
                f"SELECT {t('Perioden')} AS periode, min(_rij) AS _rij, count(*) AS _aantal "
                f"FROM {view} GROUP BY ALL ORDER BY _rij",
                rules=[
                    Rule(
                        lambda g: g.ExpectColumnValuesToMatchRegex(
                            column="periode", regex=r"^(?:19|20)[0-9]{2}(?:JJ00|MM(?:0[1-9]|1[0-2]))$"
                        ),
                        c["Perioden"],
                        "geen geldige periode (jaar: 2019JJ00, maand: 2019MM01)",
                        waarde="periode",
                    )
                ],
            )
        )
        codes = list(crime_codes())
        frames.append(
            Frame(
                "soort",
                f"SELECT {t('SoortMisdrijf')} AS soort, min(_rij) AS _rij, count(*) AS _aantal "
                f"FROM {view} GROUP BY ALL ORDER BY _rij",
                rules=[
                    Rule(
                        lambda g: g.ExpectColumnValuesToBeInSet(column="soort", value_set=codes),
                        c["SoortMisdrijf"],
                        "onbekende soort misdrijf (zie de CBS-codelijst SoortMisdrijf, bijv. 1.1.1)",
                        waarde="soort",
                    )
                ],
            )
        )
        frames.append(
            _numbers_frame(
                plan,
                view,
                ["GeregistreerdeMisdrijven"],
                integer=True,
                nonnegative=True,
            )
        )
        frames.append(
            _key_frame(
                view,
                {
                    "gebied": t("WijkenEnBuurten"),
                    "soort misdrijf": t("SoortMisdrijf"),
                    "periode": t("Perioden"),
                },
            )
        )
    elif plan.kind == "bevolking":
        frames.append(
            _code_frame(con, plan, view, c.get("WijkenEnBuurten", c.get("gebied_code", "")), must_exist=False)
        )
        numbers = [
            k
            for k in (
                "AantalInwoners",
                "HuishoudensTotaal",
                "Woningvoorraad",
                "inwoners",
                "huishoudens",
                "woningen",
            )
            if k in c
        ]
        frames.append(_numbers_frame(plan, view, numbers, integer=True, nonnegative=True))
        if plan.variant == "lang":
            frames.append(_year_frame(plan, view, "2019"))
            frames.append(_key_frame(view, {"gebied_code": t("gebied_code"), "jaar": t("jaar")}))
        else:
            frames.append(_key_frame(view, {"gebied": t("WijkenEnBuurten")}))
    elif plan.kind == "partner":
        frames.extend(_partner_frames(con, plan, view))
    elif plan.kind == "leefbaarometer":
        frames.append(
            _code_frame(
                con,
                plan,
                view,
                c.get("bu_code") or c.get("wk_code") or c.get("gm_code", ""),
                must_exist=False,
            )
        )
        frames.append(_year_frame(plan, view, "2020"))
        dims = [k for k in ("lbm", "afw", "fys", "onv", "soc", "vrz", "won") if k in c]
        frames.append(_numbers_frame(plan, view, dims, integer=False, nonnegative=False))
        frames.append(_key_frame(view, {"gebied": plan.code_expr, "jaar": t("jaar")}))
    else:  # gebieden
        label = "gebied_code" if plan.variant == "geojson" else c["Identifier"]
        frames.append(_code_frame(con, plan, view, label, must_exist=False))
        if plan.variant == "geojson":
            frames.append(
                Frame(
                    "geometrie",
                    f"SELECT geometrie_type, min(_rij) AS _rij, count(*) AS _aantal "
                    f"FROM {view} GROUP BY ALL ORDER BY _rij",
                    rules=[
                        Rule(
                            lambda g: g.ExpectColumnValuesToBeInSet(
                                column="geometrie_type", value_set=["Polygon", "MultiPolygon"]
                            ),
                            "geometry",
                            "de geometrie moet een Polygon of MultiPolygon zijn",
                            waarde="geometrie_type",
                        )
                    ],
                )
            )
            frames.append(
                Frame(
                    "geometrie_geldig",
                    f"SELECT geometrie_fout, min(_rij) AS _rij, count(*) AS _aantal FROM {view} "
                    "GROUP BY ALL ORDER BY _rij",
                    rules=[
                        Rule(
                            lambda g: g.ExpectColumnValuesToBeNull(column="geometrie_fout"),
                            "geometry",
                            "de geometrie moet een geldige polygoon in WGS84 zijn",
                            waarde="geometrie_fout",
                        )
                    ],
                )
            )
        frames.append(_key_frame(view, {"gebied_code": plan.code_expr}))
    names = _names_frame(plan, view)
    if names is not None:
        frames.append(names)
    return frames


# An area name as it may be shown: letters and digits of any script, spaces and the punctuation real CBS and
# municipal names use (checked against every buurt name of 2017 and 2024). No markup ([, ], <, >, *, _, `, #,
# :, $, |, \), no control characters, at most 100 characters. Python syntax: GX validates pandas frames.
NAME_REGEX = r"^(?:[^\W_]|[ .,'\u2018\u2019\u201c\u201d\"&+()/\u2010-\u2014-]){1,100}$"
NAME_RULE = (
    "naam bevat tekens die niet zijn toegestaan of is te lang: alleen letters, cijfers, spaties en "
    ". , ' ’ \" & + ( ) / - – (geen opmaak of stuurtekens), hoogstens 100 tekens"
)


def _names_frame(plan: Plan, view: str) -> Frame | None:
    """Distinct area names of the delivery: they are shown on every page, so they must be plain names."""
    exprs = {
        raw: plan.select[raw]
        for raw in ("gebied_naam", "Gemeentenaam")
        if raw in plan.select and plan.select[raw] != "NULL"
    }
    if not exprs:
        return None
    labels = {
        "gebied_naam": plan.columns.get("Title")
        or plan.columns.get(next((k for k in plan.columns if k.endswith("_naam")), ""), "naam"),
        "Gemeentenaam": plan.columns.get("Gemeentenaam", "Gemeentenaam"),
    }
    if plan.variant == "geojson":
        labels["gebied_naam"] = f"naam ({plan.extra_raw.get('naam_template')})"
    unions = " UNION ALL ".join(
        f"SELECT ? AS kolom, CAST({expr} AS VARCHAR) AS naam, _rij FROM {view} "
        f"WHERE nullif(trim(CAST({expr} AS VARCHAR)), '') IS NOT NULL"
        for expr in exprs.values()
    )
    return Frame(
        "namen",
        f"SELECT kolom, trim(naam) AS naam, min(_rij) AS _rij, count(*) AS _aantal FROM ({unions}) "
        "GROUP BY ALL ORDER BY _rij",
        params=[labels[raw] for raw in exprs],
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToMatchRegex(column="naam", regex=NAME_REGEX),
                "{kolom}",
                NAME_RULE,
                waarde="naam",
            )
        ],
    )


def _partner_frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    reg = variable_registry()
    c = plan.columns

    def t(name: str) -> str:
        return plan.sql(name)

    bron = f"lower({t('bron')})"
    var = f"lower({t('variabele')})"
    frames: list[Frame] = []
    # Source and variable names.
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToBeInSet(column="bron", value_set=list(reg)),
            c["bron"],
            f"onbekende bron; kies uit {', '.join(reg)}",
            waarde="bron",
        )
    ]
    for b, spec in reg.items():
        rules.append(
            Rule(
                lambda g, b=b, v=list(spec["variabelen"]): g.ExpectColumnValuesToBeInSet(
                    column="variabele", value_set=v, row_condition=where("bron", "==", b)
                ),
                c["variabele"],
                f"onbekende variabele voor bron {b}; toegestaan: {', '.join(spec['variabelen'])}",
                waarde="variabele",
            )
        )
    frames.append(
        Frame(
            "variabele",
            f"SELECT {bron} AS bron, {var} AS variabele, min(_rij) AS _rij, "
            f"count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=rules,
        )
    )
    # Periods: a valid code, and the periodicity the source delivers in.
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(
                column="periode", regex="|".join(f"(?:{r})" for r in PERIOD_REGEX.values())
            ),
            c["periode"],
            "geen geldige periode (2019, 2019-H1, 2019-Q3 of 2019-03)",
            waarde="periode",
        )
    ]
    for b, spec in reg.items():
        p = spec["periodiciteit"]
        rules.append(
            Rule(
                lambda g, b=b, p=p: g.ExpectColumnValuesToMatchRegex(
                    column="periode", regex=PERIOD_REGEX[p], row_condition=where("bron", "==", b)
                ),
                c["periode"],
                f"bron {b} levert per {p} (periode zoals {PERIOD_EXAMPLE[p]})",
                waarde="periode",
            )
        )
    frames.append(
        Frame(
            "periode",
            f"SELECT {bron} AS bron, {t('periode')} AS periode, min(_rij) AS _rij, "
            f"count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=rules,
        )
    )
    # Area codes: exist in that year, and on the level the source delivers at.
    frame = _code_frame(con, plan, view, c["gebied_code"], must_exist=True, extra_group=f"{bron} AS bron")
    for b, spec in reg.items():
        regex = "^(?:" + "|".join(LEVEL_PREFIX[lv] for lv in spec["niveaus"]) + ")"
        frame.rules.append(
            Rule(
                lambda g, b=b, r=regex: g.ExpectColumnValuesToMatchRegex(
                    column="gebied_code", regex=r, row_condition=where("bron", "==", b)
                ),
                c["gebied_code"],
                f"bron {b} levert per {' of '.join(spec['niveaus'])}",
                waarde="gebied_code",
            )
        )
    frames.append(frame)
    # Values: a number, inside the variable's range, whole for counts.
    rules = [
        Rule(lambda g: g.ExpectColumnValuesToNotBeNull(column="waarde"), c["waarde"], "waarde ontbreekt"),
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(column="waarde", regex=NUMBER_REGEX),
            c["waarde"],
            "moet een getal zijn (decimaalteken komma of punt)",
        ),
    ]
    counts = [v for spec in reg.values() for v, vs in spec["variabelen"].items() if vs["eenheid"] == "aantal"]
    rules.append(
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(
                column="waarde", regex=INTEGER_REGEX, row_condition=where("variabele", "in", counts)
            ),
            c["waarde"],
            "een aantal moet een geheel getal zijn",
        )
    )
    for spec in reg.values():
        for v, vs in spec["variabelen"].items():
            lo, hi = vs.get("min"), vs.get("max")
            if lo is None and hi is None:
                continue
            if lo == 0 and hi is None:
                regel = "mag niet negatief zijn"
            elif hi is None:
                regel = f"moet minstens {lo} zijn"
            else:
                regel = f"moet tussen {lo} en {hi} liggen ({vs['eenheid']})"
            rules.append(
                Rule(
                    lambda g, v=v, lo=lo, hi=hi: g.ExpectColumnValuesToBeBetween(
                        column="getal", min_value=lo, max_value=hi, row_condition=where("variabele", "==", v)
                    ),
                    c["waarde"],
                    f"{v} {regel}",
                    waarde="waarde",
                )
            )
    frames.append(
        Frame(
            "waarde",
            f"SELECT {var} AS variabele, {t('waarde')} AS waarde, "
            f"wm_getal({t('waarde')}) AS getal, min(_rij) AS _rij, count(*) AS _aantal "
            f"FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=rules,
        )
    )
    # Survey rows: n > 0 (whole) where required, sd >= 0 where required.
    need_n = [v for spec in reg.values() for v, vs in spec["variabelen"].items() if vs.get("n_verplicht")]
    need_sd = [v for spec in reg.values() for v, vs in spec["variabelen"].items() if vs.get("sd_verplicht")]
    n_col, sd_col = c.get("n", "n"), c.get("sd", "sd")
    frames.append(
        Frame(
            "enquete",
            f"SELECT {var} AS variabele, nullif({t('n')}, '') AS n, "
            f"nullif({t('sd')}, '') AS sd, wm_getal({t('n')}) AS n_getal, wm_getal({t('sd')}) AS sd_getal,"
            f" min(_rij) AS _rij, count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=[
                *_survey_rules(
                    "n",
                    n_col,
                    need_n,
                    INTEGER_REGEX,
                    1,
                    "aantal respondenten (n)",
                    "verplicht bij enquêteresultaten",
                    "een geheel getal",
                    "groter dan 0",
                ),
                *_survey_rules(
                    "sd",
                    sd_col,
                    need_sd,
                    NUMBER_REGEX,
                    0,
                    "standaarddeviatie (sd)",
                    "verplicht bij een gemiddelde",
                    "een getal",
                    "niet negatief",
                ),
            ],
        )
    )
    frames.append(
        _key_frame(
            view,
            {
                "bron": bron,
                "gebied_code": t("gebied_code"),
                "periode": f"upper({t('periode')})",
                "variabele": var,
            },
        )
    )
    return frames


def _survey_rules(
    column: str,
    delivered: str,
    required_for: list[str],
    regex: str,
    minimum: float,
    name: str,
    when: str,
    kind: str,
    bound: str,
) -> list[Rule]:
    """n and sd of survey rows: present where the registry requires it, a number of the right kind, in range."""
    return [
        Rule(
            lambda g: g.ExpectColumnValuesToNotBeNull(
                column=column, row_condition=where("variabele", "in", required_for)
            ),
            delivered,
            f"{name} is {when}",
            waarde=column,
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(column=column, regex=regex),
            delivered,
            f"{name} moet {kind} zijn",
            waarde=column,
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToBeBetween(column=f"{column}_getal", min_value=minimum),
            delivered,
            f"{name} moet {bound} zijn" if bound != "niet negatief" else f"{name} mag niet negatief zijn",
            waarde=column,
        ),
    ]


def partner_label(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> str:
    """Who delivered a partner file: the registry's partner of each `bron` in it."""
    if plan.kind != "partner":
        return plan.partner
    reg = variable_registry()
    bronnen = [
        r[0]
        for r in con.execute(f"SELECT DISTINCT lower({plan.sql('bron')}) FROM {view} ORDER BY 1").fetchall()
        if r[0]
    ]
    return ", ".join(reg[b]["partner"] if b in reg else b for b in bronnen) or "partner"
