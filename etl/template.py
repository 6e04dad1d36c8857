"""Excel templates for partner sources, generated from the variable registry.

Sheet "gegevens": the header row of the long template and example rows; "variabelen": what the source may
deliver (unit, flow/stock, valid range, n/sd required); "gebieden": the valid area codes at the source's
level (from the database when there is one); "uitleg": the rules in plain Dutch.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from etl.db import connect_readonly
from etl.sources import PERIOD_EXAMPLE, variable_registry

COLUMNS = ["bron", "gebied_code", "periode", "variabele", "waarde", "n", "sd", "n_effectief"]
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
SOORT = {
    "stroom": "stroom (aantal in de periode; opgeteld over het jaar)",
    "voorraad": "voorraad (stand op het eind van de periode)",
}


def _areas(db_path: Path | None, levels: list[str]) -> list[tuple[str, str, str]]:
    if db_path is None:
        return []
    with connect_readonly(db_path) as con:
        if not con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
            "AND table_name = 'dim_gebied'"
        ).fetchone()[0]:
            return []
        return con.execute(
            "SELECT gebied_code, gebied_naam, niveau FROM marts.dim_gebied WHERE list_contains(?, niveau) "
            "ORDER BY gebied_code",
            [levels],
        ).fetchall()


def _example_period(periodicity: str) -> str:
    return PERIOD_EXAMPLE[periodicity].replace("2019", "2024")


def write_template(bron: str, out: Path, db_path: Path | None = None) -> Path:
    """Write the Excel template for partner source ``bron`` to ``out``."""
    spec = variable_registry()[bron]
    areas = _areas(db_path, spec["niveaus"])
    wb = Workbook()
    ws = wb.active
    ws.title = "gegevens"
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    first_level = [a[0] for a in areas if a[2] == spec["niveaus"][0]]
    example_area = (
        first_level[0]
        if first_level
        else {"buurt": "BU05970100", "wijk": "WK059701", "gemeente": "GM0597"}[spec["niveaus"][0]]
    )
    examples = []
    for name, var in list(spec["variabelen"].items())[:3]:
        n = 250 if var.get("n_verplicht") else None
        sd = 1.4 if var.get("sd_verplicht") else None
        n_eff = 180 if var.get("n_verplicht") else None  # 250 respondents, design effect about 1.4
        value = {"aantal": 12, "percentage": 18.5, "gemiddelde": 7.3}[var["eenheid"]]
        examples.append(
            [bron, example_area, _example_period(spec["periodiciteit"]), name, value, n, sd, n_eff]
        )
    for col, width in zip("ABCDEFGH", [12, 14, 10, 30, 10, 8, 8, 12], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    choices = DataValidation(
        type="list", formula1=f"=variabelen!$A$2:$A${len(spec['variabelen']) + 1}", allow_blank=False
    )
    choices.error = "Kies een variabele uit het tabblad 'variabelen'."
    ws.add_data_validation(choices)
    choices.add("D2:D100000")

    wv = wb.create_sheet("variabelen")
    wv.append(
        ["variabele", "omschrijving", "eenheid", "soort", "minimum", "maximum", "n verplicht", "sd verplicht"]
    )
    for name, var in spec["variabelen"].items():
        wv.append(
            [
                name,
                var["titel"],
                var["eenheid"],
                SOORT[var["soort"]],
                var.get("min"),
                var.get("max"),
                "ja" if var.get("n_verplicht") else "nee",
                "ja" if var.get("sd_verplicht") else "nee",
            ]
        )
    for cell in wv[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    wv.column_dimensions["A"].width = 30
    wv.column_dimensions["B"].width = 55
    wv.column_dimensions["D"].width = 50

    wg = wb.create_sheet("gebieden")
    wg.append(["gebied_code", "naam", "niveau"])
    for cell in wg[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for area in areas:
        wg.append(list(area))
    if not areas:
        wg.append(["(nog geen gebiedsindeling geladen: gebruik de CBS-codes van uw gemeente)"])
    wg.column_dimensions["A"].width = 14
    wg.column_dimensions["B"].width = 35

    wu = wb.create_sheet("uitleg")
    rules = [
        f"Sjabloon voor bron '{bron}' ({spec['titel']}).",
        f"Eén rij per {' of '.join(spec['niveaus'])}, periode en variabele; periode per {spec['periodiciteit']}, "
        f"zoals {_example_period(spec['periodiciteit'])}.",
        "Kolom bron: altijd '" + bron + "'. Kolom gebied_code: een CBS-code uit het tabblad 'gebieden'.",
        "Kolom waarde: een getal; decimaalteken komma of punt. Aantallen zijn hele getallen en nooit negatief.",
        "Kolommen n en sd: alleen voor enquêteresultaten (aantal respondenten, standaarddeviatie).",
        "Kolom n_effectief (mag leeg blijven): alleen voor enquêteresultaten van een gewogen steekproef: de "
        "effectieve steekproefomvang na weging, dus n gedeeld door het ontwerpeffect. Groter dan 0 en niet groter "
        "dan n. Leeg: de Wijkmonitor rekent met het standaardontwerpeffect uit de instellingen (normaal 1, dus "
        "n_effectief = n).",
        "Elke combinatie van bron, gebied_code, periode en variabele mag één keer voorkomen.",
        "Een nieuwe levering voor dezelfde gebieden en perioden vervangt de vorige; de oude blijft bewaard.",
        "Lever aan met: wijkmonitor load <bestand>. Een bestand met fouten wordt in zijn geheel geweigerd, met "
        "per fout de rij, de kolom en wat er mis is.",
        "Tel nooit personen onder de 5 apart uit: de Wijkmonitor toont alleen geaggregeerde cijfers.",
    ]
    for line in rules:
        wu.append([line])
    wu.append([])
    wu.append(["Voorbeeld (vul uw eigen rijen in op het tabblad 'gegevens'):"])
    wu.append(COLUMNS)
    for example in examples:
        wu.append(example)
    wu.column_dimensions["A"].width = 120
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
