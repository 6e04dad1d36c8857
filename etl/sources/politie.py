"""politie: registered crimes per area, period and crime type (CBS/Politie open data, e.g. 47018NED, 47022NED).

Raw table ``raw.politie__misdrijven``; staging model ``etl/sql/staging/stg_politie__misdrijven.sql``.
"""

from __future__ import annotations

import duckdb

from etl.reader import Delivery, shown
from etl.sources.base import Options, Plan, SourceError, crime_codes
from etl.sources.checks import code_frame, key_frame, numbers_frame
from etl.validation import Frame, Rule

KIND = "politie"
REQUIRED = {"cbs-politie": ["SoortMisdrijf", "WijkenEnBuurten", "Perioden", "GeregistreerdeMisdrijven"]}
OPTIONAL = {"cbs-politie": ["ID", "Gemeentenaam", "SoortRegio"]}


def is_cbs_politie(names: set[str]) -> bool:
    """The CBS table of registered crimes, by its column names (CBS suffixes and case removed)."""
    return {"soortmisdrijf", "wijkenenbuurten", "perioden"} <= names


def is_extract_without_dimensions(names: set[str]) -> bool:
    """Counts of crimes per area without the crime type or the period (an extract, e.g. written by pandas)."""
    return {"wijkenenbuurten", "geregistreerdemisdrijven"} <= names and not {
        "soortmisdrijf",
        "perioden",
    } <= names


def extract_refusal(names: set[str]) -> str:
    missing = " en ".join(c for c in ("SoortMisdrijf", "Perioden") if c.lower() not in names)
    return (
        f"dit lijkt een uittreksel van de politiecijfers (WijkenEnBuurten, GeregistreerdeMisdrijven), maar de "
        f"kolom(men) {missing} ontbreken: dan is niet te zien over welke soort misdrijf en welke periode een "
        "cijfer gaat. Lever de tabel 47018NED (per jaar) of 47022NED (per maand) zoals de open-data-API van CBS "
        "hem geeft (de 'TypedDataSet', met de kolommen SoortMisdrijf, WijkenEnBuurten, Perioden en "
        "GeregistreerdeMisdrijven_1)."
    )


# The view of the whole delivery as read (etl.reader.read_delivery's default). Check frames get the scope view,
# which with --gemeente holds only that gemeente's rows; whether a file has the right shape is about all of it
# (with --gemeente, a file of names would otherwise lose every row to the filter and load nothing).
DELIVERY_VIEW = "levering"


def whole_delivery(con: duckdb.DuckDBPyConnection, view: str) -> str:
    """The view of the whole delivery when there is one (a load or validate), else ``view`` itself."""
    try:
        con.execute(f"SELECT 1 FROM {DELIVERY_VIEW} LIMIT 0")
    except duckdb.CatalogException:
        return view
    return DELIVERY_VIEW


def refuse_names_for_codes(con: duckdb.DuckDBPyConnection, plan: Plan, view: str, column: str) -> None:
    """Refuse a CBS table whose area column holds names instead of codes (Python cbsodata's get_data writes
    the dimension titles: 'Ridderkerk', 'Centrum'), with one message instead of one per area."""
    filled, codes, example = con.execute(
        f"SELECT count(c), count(*) FILTER (regexp_matches(c, '^(NL|GM|WK|BU)[0-9]')), "
        f"arg_min(c, _rij) FILTER (c IS NOT NULL) FROM (SELECT nullif({plan.sql(column)}, '') AS c, _rij "
        f"FROM {whole_delivery(con, view)})"
    ).fetchone()
    if filled and not codes:
        raise SourceError(
            f"de kolom '{shown(plan.columns[column], 40)}' bevat namen in plaats van CBS-gebiedscodes (bijv. "
            f"'{shown(example, 40)}'). Zo schrijft bijvoorbeeld het Python-pakket cbsodata de tabel weg: get_data "
            "vervangt de codes door namen, en namen van buurten zijn niet uniek. Lever de tabel met de codes: de "
            "'TypedDataSet' van de open-data-API (OData) van CBS, bijvoorbeeld met het R-pakket cbsodataR "
            "(cbs_download_data)."
        )


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
    refuse_names_for_codes(con, plan, view, "WijkenEnBuurten")
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
