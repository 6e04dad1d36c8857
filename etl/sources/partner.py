"""partner: observations of the partners (corporatie, welzijn, gemeente, enquete, politie_week) in one long template.

One row per bron, gebied_code, periode and variabele; which variables a bron may deliver, per which period
and at which area level comes from ``etl/registry/variabelen.yaml``. Raw table ``raw.partner__waarnemingen``;
staging model ``etl/sql/staging/stg_partner__waarnemingen.sql``.
"""

from __future__ import annotations

import duckdb

from etl.reader import Delivery
from etl.sources.base import (
    INTEGER_REGEX,
    LEVEL_PREFIX,
    NUMBER_REGEX,
    PERIOD_EXAMPLE,
    PERIOD_REGEX,
    Options,
    Plan,
    variable_registry,
)
from etl.sources.checks import code_frame, key_frame
from etl.validation import Frame, Rule, where

KIND = "partner"
REQUIRED = {"lang": ["bron", "gebied_code", "periode", "variabele", "waarde"]}
# n_effectief: the effective sample size of a survey value after weighting (n / design effect); optional, so
# files with the seven-column header of earlier versions load as before.
OPTIONAL = {"lang": ["n", "sd", "n_effectief"]}


def is_lang(names: set[str]) -> bool:
    """The long template. Recognised even when one required column is missing or misspelt, so that the
    delivery gets the precise "kolom ... ontbreekt" message instead of "onbekend bestandsformaat"."""
    return "bron" in names and len(names & {"gebied_code", "periode", "variabele", "waarde"}) >= 3


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

    select = {
        c: col(c) for c in ["bron", "gebied_code", "periode", "variabele", "waarde", "n", "sd", "n_effectief"]
    }
    return Plan(
        KIND,
        variant,
        "raw.partner__waarnemingen",
        "partner",
        cols,
        select,
        f"trim({col('gebied_code')})",
        f"TRY_CAST(left(trim({col('periode')}), 4) AS INTEGER)",
    )


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Sources and variables, periods, area codes (must exist that year), values, survey n/sd/n_effectief,
    duplicate keys."""
    reg = variable_registry()
    c = plan.columns

    bron = f"lower({plan.sql('bron')})"
    var = f"lower({plan.sql('variabele')})"
    frames: list[Frame] = []
    # Source and variable names.
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToBeInSet(column="bron", value_set=list(reg)),
            c["bron"],
            f"onbekende bron; kies uit {', '.join(reg)}",
            waarde="bron",
        ),
        Rule(lambda g: g.ExpectColumnValuesToNotBeNull(column="bron"), c["bron"], "bron ontbreekt"),
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
            "geen geldige periode (2019, 2019-H1, 2019-Q3, 2019-03 of week 2019-W07)",
            waarde="periode",
        ),
        # an ISO year has 52 or 53 weeks: 2025-W53 does not exist (weken_over < 0)
        Rule(
            lambda g: g.ExpectColumnValuesToBeBetween(column="weken_over", min_value=0),
            c["periode"],
            "deze week bestaat niet: dat jaar heeft 52 ISO-weken (week 53 alleen in jaren met 53 weken, "
            "zoals 2020 en 2026)",
            waarde="periode",
        ),
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
    periode = plan.sql("periode")
    # weeks the ISO year has (the ISO week of 28 December) minus the delivered week; NULL for other periods
    weken_over = (
        f"CASE WHEN regexp_matches({periode}, '{PERIOD_REGEX['week']}') THEN "
        f"week(make_date(CAST(left({periode}, 4) AS INTEGER), 12, 28)) - CAST(substr({periode}, 7, 2) AS INTEGER) "
        "END"
    )
    frames.append(
        Frame(
            "periode",
            f"SELECT {bron} AS bron, {periode} AS periode, {weken_over} AS weken_over, min(_rij) AS _rij, "
            f"count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=rules,
        )
    )
    # Area codes: exist in that year, and on the level the source delivers at.
    frame = code_frame(con, plan, view, c["gebied_code"], must_exist=True, extra_group=f"{bron} AS bron")
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
            f"SELECT {var} AS variabele, {plan.sql('waarde')} AS waarde, "
            f"wm_getal({plan.sql('waarde')}) AS getal, min(_rij) AS _rij, count(*) AS _aantal "
            f"FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=rules,
        )
    )
    # Survey rows: n > 0 (whole) where required, sd >= 0 where required; n_effectief (optional) only for a
    # survey source, > 0 and at most n.
    need_n = [v for spec in reg.values() for v, vs in spec["variabelen"].items() if vs.get("n_verplicht")]
    need_sd = [v for spec in reg.values() for v, vs in spec["variabelen"].items() if vs.get("sd_verplicht")]
    survey = [
        b for b, spec in reg.items() if any(vs.get("n_verplicht") for vs in spec["variabelen"].values())
    ]
    not_survey = [b for b in reg if b not in survey]
    n_col, sd_col, neff_col = c.get("n", "n"), c.get("sd", "sd"), c.get("n_effectief", "n_effectief")
    n, sd, neff = plan.sql("n"), plan.sql("sd"), plan.sql("n_effectief")
    frames.append(
        Frame(
            "enquete",
            f"SELECT {bron} AS bron, {var} AS variabele, nullif({n}, '') AS n, nullif({sd}, '') AS sd, "
            f"nullif({neff}, '') AS n_effectief, wm_getal({n}) AS n_getal, wm_getal({sd}) AS sd_getal, "
            f"wm_getal({neff}) AS n_effectief_getal, wm_getal({neff}) - wm_getal({n}) AS n_effectief_boven_n, "
            f"min(_rij) AS _rij, count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
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
                *_effective_n_rules(neff_col, survey, not_survey),
            ],
        )
    )
    frames.append(
        key_frame(
            view,
            {
                "bron": bron,
                "gebied_code": plan.sql("gebied_code"),
                "periode": f"upper({plan.sql('periode')})",
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


def _effective_n_rules(delivered: str, survey: list[str], not_survey: list[str]) -> list[Rule]:
    """n_effectief: the effective sample size after weighting (n / design effect). Optional (empty is allowed);
    when given: only for a survey source, a number, greater than 0 and not greater than n."""
    name = "effectieve steekproefomvang (n_effectief)"
    return [
        Rule(
            lambda g: g.ExpectColumnValuesToBeNull(
                column="n_effectief", row_condition=where("bron", "in", not_survey)
            ),
            delivered,
            f"{name} hoort alleen bij enquêteresultaten (bron {' of '.join(survey)}); laat de kolom hier leeg",
            waarde="n_effectief",
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(column="n_effectief", regex=NUMBER_REGEX),
            delivered,
            f"{name} moet een getal zijn (decimaalteken komma of punt)",
            waarde="n_effectief",
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToBeBetween(
                column="n_effectief_getal", min_value=0, strict_min=True
            ),
            delivered,
            f"{name} moet groter dan 0 zijn",
            waarde="n_effectief",
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToBeBetween(column="n_effectief_boven_n", max_value=0),
            delivered,
            f"{name} mag niet groter zijn dan het aantal respondenten (n): n_effectief = n / ontwerpeffect",
            waarde="n_effectief",
        ),
    ]


def partner_label(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> str:
    """Who delivered a partner file: the registry's partner of each `bron` in it."""
    if plan.kind != KIND:
        return plan.partner
    reg = variable_registry()
    bronnen = [
        r[0]
        for r in con.execute(f"SELECT DISTINCT lower({plan.sql('bron')}) FROM {view} ORDER BY 1").fetchall()
        if r[0]
    ]
    return ", ".join(reg[b]["partner"] if b in reg else b for b in bronnen) or "partner"


def variables() -> list[dict[str, str]]:
    """Every variable of the registry: counts add up, survey means and percentages are weighted by n."""
    return [
        {
            "bron": bron,
            "variabele": var,
            "titel": vs["titel"],
            "eenheid": vs["eenheid"],
            "soort": vs["soort"],
            "aggregatie": "som" if vs["eenheid"] == "aantal" else "gewogen_gemiddelde",
        }
        for bron, spec in variable_registry().items()
        for var, vs in spec["variabelen"].items()
    ]
