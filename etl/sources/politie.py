"""politie: registered crimes per area, period and crime type (CBS/Politie open data, e.g. 47018NED, 47022NED).

Raw table ``raw.politie__misdrijven``; staging model ``etl/sql/staging/stg_politie__misdrijven.sql``.
"""

from __future__ import annotations

import duckdb

from etl.reader import Delivery
from etl.sources.base import Options, Plan, crime_codes
from etl.sources.checks import code_frame, key_frame, numbers_frame
from etl.validation import Frame, Rule

KIND = "politie"
REQUIRED = {"cbs-politie": ["SoortMisdrijf", "WijkenEnBuurten", "Perioden", "GeregistreerdeMisdrijven"]}
OPTIONAL = {"cbs-politie": ["ID", "Gemeentenaam", "SoortRegio"]}


def is_cbs_politie(names: set[str]) -> bool:
    """The CBS table of registered crimes, by its column names (CBS suffixes and case removed)."""
    return {"soortmisdrijf", "wijkenenbuurten", "perioden"} <= names


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

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
        KIND,
        variant,
        "raw.politie__misdrijven",
        "politie",
        cols,
        select,
        f"trim({col('WijkenEnBuurten')})",
        f"TRY_CAST(left(trim({col('Perioden')}), 4) AS INTEGER)",
    )


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Area codes (must exist that year), periods, crime types, counts and duplicate keys."""
    c = plan.columns

    out: list[Frame] = [code_frame(con, plan, view, c["WijkenEnBuurten"], must_exist=True)]
    out.append(
        Frame(
            "periode",
            f"SELECT {plan.sql('Perioden')} AS periode, min(_rij) AS _rij, count(*) AS _aantal "
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
    out.append(
        Frame(
            "soort",
            f"SELECT {plan.sql('SoortMisdrijf')} AS soort, min(_rij) AS _rij, count(*) AS _aantal "
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
    out.append(
        numbers_frame(
            plan,
            view,
            ["GeregistreerdeMisdrijven"],
            integer=True,
            nonnegative=True,
        )
    )
    out.append(
        key_frame(
            view,
            {
                "gebied": plan.sql("WijkenEnBuurten"),
                "soort misdrijf": plan.sql("SoortMisdrijf"),
                "periode": plan.sql("Perioden"),
            },
        )
    )
    return out


def variables() -> list[dict[str, str]]:
    """One variable per crime type of the registry: counts that add up over the year and over areas."""
    return [
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
