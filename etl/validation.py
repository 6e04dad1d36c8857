"""Great Expectations 1.x on small check frames computed in DuckDB.

A national police file has ~9 M rows, but every per-value rule needs only the distinct values (13,000 area
codes, 108 periods, 60 crime types, a few thousand distinct counts), and uniqueness can be computed in DuckDB.
So each source describes *check frames*: a SQL query over the delivery that returns one row per distinct value
(with ``_rij``, the first line it occurs on, and ``_aantal``, how many lines have it), plus the expectations
that must hold on that frame. Each frame is validated by GX in an ephemeral context; every unexpected frame
row becomes a Dutch message with file, line, column, value and rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from etl.reader import shown

_counter = itertools.count()


@dataclass
class Rule:
    """One expectation on a check frame and how to explain its failures."""

    build: Callable[[Any], Any]  # gxe module -> Expectation (GX is imported lazily: it costs 2-3 s)
    kolom: str  # the column of the delivery the user has to fix
    regel: str  # the rule in plain Dutch, e.g. "moet een geheel getal zijn"
    waarde: str | None = None  # frame column holding the offending value (default: kolom)


@dataclass
class Frame:
    naam: str
    sql: str
    params: list[Any] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


@dataclass
class Issue:
    ernst: str  # fout | waarschuwing
    bericht: str
    rij: int | None = None
    aantal: int | None = None
    kolom: str | None = None
    waarde: str | None = None
    regel: str | None = None

    def as_row(self, load_id: int) -> tuple:
        return (load_id, self.ernst, self.rij, self.aantal, self.kolom, self.waarde, self.regel, self.bericht)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ernst": self.ernst,
            "rij": self.rij,
            "aantal": self.aantal,
            "kolom": self.kolom,
            "waarde": self.waarde,
            "regel": self.regel,
            "bericht": self.bericht,
        }


@dataclass
class ValidationResult:
    issues: list[Issue] = field(default_factory=list)
    expectations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.ernst == "fout"]

    @property
    def success(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "geslaagd": self.success,
            "verwachtingen": len(self.expectations),
            "mislukt": sum(1 for e in self.expectations if not e["geslaagd"]),
            "fouten": len(self.errors),
            "waarschuwingen": len(self.issues) - len(self.errors),
            "details": self.expectations,
        }


def where(column: str, op: str, value: Any) -> Any:
    """A GX row condition (Condition objects; string conditions are deprecated since GX 1.9)."""
    from great_expectations.expectations.row_conditions import Column

    col = Column(column)
    if op == "in":
        return col.is_in(value)
    if op == "==":
        return col == value
    raise ValueError(op)


def _gx_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, ctx


def run_frames(
    con: duckdb.DuckDBPyConnection, frames: list[Frame], bestand: str, suite: str
) -> ValidationResult:
    """Validate each frame with its own GX suite ``<suite>.<frame>`` and turn failures into messages."""
    import great_expectations.expectations as gxe

    gx, ctx = _gx_context()
    result = ValidationResult()
    for frame in frames:
        df = con.execute(frame.sql, frame.params).df()
        # GX's pandas engine wants plain object columns; DuckDB returns pandas string dtypes.
        df = df.astype({c: "object" for c in df.columns if pd.api.types.is_string_dtype(df[c])})
        n = next(_counter)
        batch = (
            ctx.data_sources.add_pandas(f"{suite}-{frame.naam}-{n}")
            .add_dataframe_asset("levering")
            .add_batch_definition_whole_dataframe("geheel")
        )
        gx_suite = ctx.suites.add(gx.ExpectationSuite(name=f"{suite}.{frame.naam}.{n}"))
        built = []
        for rule in frame.rules:
            exp = rule.build(gxe)
            gx_suite.add_expectation(exp)
            built.append((exp, rule))
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite}.{frame.naam}.{n}", data=batch, suite=gx_suite)
        )
        run = vd.run(batch_parameters={"dataframe": df}, result_format={"result_format": "COMPLETE"})
        by_id = {exp.id: rule for exp, rule in built}
        for res in run.results:
            cfg = res.expectation_config
            rule = by_id.get(cfg.id)
            if rule is None:  # pragma: no cover - GX always echoes the id
                continue
            unexpected = res.result.get("unexpected_index_list") or []
            if res.exception_info and res.exception_info.get("raised_exception"):
                raise RuntimeError(f"GX-fout in {cfg.type}: {res.exception_info.get('exception_message')}")
            result.expectations.append(
                {
                    "frame": frame.naam,
                    "verwachting": cfg.type,
                    "kolom": rule.kolom,
                    "regel": rule.regel,
                    "geslaagd": bool(res.success),
                    "afwijkend": len(unexpected) if not res.success else 0,
                }
            )
            if res.success:
                continue
            if not unexpected and cfg.type == "expect_column_to_exist":
                result.issues.append(
                    Issue(
                        "fout",
                        f"{bestand}: kolom '{shown(rule.kolom, 60)}' ontbreekt ({rule.regel})",
                        kolom=rule.kolom,
                        regel=cfg.type,
                    )
                )
                continue
            for idx in unexpected:
                row = df.loc[idx]
                col = rule.waarde or rule.kolom
                value = row.get(col) if col in df.columns else None
                value_text = shown(
                    "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
                )
                rij = int(row["_rij"]) if "_rij" in df.columns else None
                aantal = int(row["_aantal"]) if "_aantal" in df.columns else None
                kolom = shown(str(row["kolom"]) if rule.kolom == "{kolom}" else rule.kolom, 60)
                where = f"rij {rij}" if rij is not None else "bestand"
                if aantal and aantal > 1:
                    where += f" (en nog {aantal - 1} {'rij' if aantal == 2 else 'rijen'} met deze waarde)"
                quoted = f"'{value_text}'" if value_text else "(leeg)"
                result.issues.append(
                    Issue(
                        "fout",
                        f"{bestand}, {where}: kolom '{kolom}' = {quoted}: {rule.regel}",
                        rij=rij,
                        aantal=aantal,
                        kolom=kolom,
                        waarde=value_text,
                        regel=cfg.type,
                    )
                )
    result.issues.sort(key=lambda i: (i.rij is None, i.rij or 0))
    return result
