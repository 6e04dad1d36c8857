"""bevolking: inhabitants, households and dwellings per area and year. Two variants, one staging model:

- ``cbs-kwb``: CBS Kerncijfers wijken en buurten (one table per year, e.g. 84583NED for 2019), raw table
  ``raw.cbs__kerncijfers``; the year comes from ``--jaar`` or the table code in the file name.
- ``lang``: the gemeente's plain long file (gebied_code, jaar, inwoners, ...), raw table ``raw.gemeente__bevolking``.

Staging model ``etl/sql/staging/stg_bevolking__kerncijfers.sql``. A bevolking delivery also defines areas.
"""

from __future__ import annotations

import re

import duckdb

from etl.reader import Delivery
from etl.sources.base import Options, Plan, SourceError, kwb_tables
from etl.sources.checks import code_frame, key_frame, numbers_frame, year_frame
from etl.sources.politie import refuse_names_for_codes
from etl.validation import Frame

KIND = "bevolking"
REQUIRED = {
    "cbs-kwb": ["WijkenEnBuurten", "AantalInwoners"],
    "lang": ["gebied_code", "jaar", "inwoners"],
}
OPTIONAL = {
    "cbs-kwb": [
        "Gemeentenaam",
        "SoortRegio",
        "Codering",
        "HuishoudensTotaal",
        "Woningvoorraad",
    ],
    "lang": ["huishoudens", "woningen"],
}


def is_cbs_kwb(names: set[str]) -> bool:
    """CBS Kerncijfers wijken en buurten, by its column names (CBS suffixes and case removed)."""
    return {"wijkenenbuurten", "aantalinwoners"} <= names


def is_lang(names: set[str]) -> bool:
    """The plain long file: an area code, a year and at least one of the counts."""
    return {"gebied_code", "jaar"} <= names and bool(names & {"inwoners", "huishoudens", "woningen"})


def kwb_year(delivery: Delivery, opts: Options) -> int:
    if opts.jaar:
        return opts.jaar
    # The table id in the file name, else in the folder's name: cbsodataR writes 84583NED/data.csv.
    for name in (delivery.path.name, delivery.path.parent.name):
        m = re.search(r"(\d{5}NED)", name, re.IGNORECASE)
        if m and m.group(1).upper() in kwb_tables():
            return int(kwb_tables()[m.group(1).upper()])
    raise SourceError(
        f"{delivery.path.name}: een CBS-kerncijferbestand heeft geen jaarkolom. Geef het jaar met --jaar 2019, "
        "of laat de CBS-tabelcode in de bestandsnaam staan (bijv. 84583NED_kerncijfers.csv voor 2019) of in de "
        "naam van de map (zoals cbsodataR het bestand opslaat: 84583NED/data.csv)."
    )


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

    if variant == "cbs-kwb":
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
        result = Plan(
            KIND,
            variant,
            "raw.cbs__kerncijfers",
            "CBS",
            cols,
            select,
            f"trim({col('WijkenEnBuurten')})",
            str(int(year)),
        )
        if "Woningvoorraad" not in cols:
            result.warnings.append(
                "kolom Woningvoorraad ontbreekt: indicatoren per 1.000 woningen krijgen geen noemer "
                "uit dit bestand"
            )
        return result
    select = {c: col(c) for c in ["gebied_code", "jaar", "inwoners", "huishoudens", "woningen"]}
    return Plan(
        KIND,
        variant,
        "raw.gemeente__bevolking",
        "gemeente",
        cols,
        select,
        f"trim({col('gebied_code')})",
        f"TRY_CAST(trim({col('jaar')}) AS INTEGER)",
    )


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Area codes (new areas are allowed: this file defines them), counts, years and duplicate keys."""
    c = plan.columns
    if plan.variant == "cbs-kwb":
        refuse_names_for_codes(con, plan, view, "WijkenEnBuurten")
    out: list[Frame] = [
        code_frame(con, plan, view, c.get("WijkenEnBuurten", c.get("gebied_code", "")), must_exist=False)
    ]
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
    out.append(numbers_frame(plan, view, numbers, integer=True, nonnegative=True))
    if plan.variant == "lang":
        out.append(year_frame(plan, view, "2019"))
        out.append(key_frame(view, {"gebied_code": plan.sql("gebied_code"), "jaar": plan.sql("jaar")}))
    else:
        out.append(key_frame(view, {"gebied": plan.sql("WijkenEnBuurten")}))
    return out


def variables() -> list[dict[str, str]]:
    """Inhabitants, households and dwellings: stocks that add up over areas."""
    return [
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
