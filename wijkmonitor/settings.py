"""The warehouse's settings (baseline and target year, margin, disclosure threshold, analysis division, …):
checked, written and the marts rebuilt. One function for `wijkmonitor instellingen` and for the beheerder's
settings page (through the job process, :mod:`wijkmonitor.jobs`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from etl import db as dbmod
from etl.build import rebuild
from indicators.catalogue import FLOAT_SETTINGS, SETTING_KEYS, Settings

ETL_SETTING_KEYS = ("indeling",)  # settings of the ETL itself (the others are the indicator engine's)
ALL_KEYS = SETTING_KEYS + ETL_SETTING_KEYS


def parse(assignments: Iterable[str]) -> dict[str, str]:
    """``["doeljaar=2027", "indeling="]`` -> ``{"doeljaar": "2027", "indeling": ""}``; ValueError (Dutch)."""
    out: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in ALL_KEYS:
            raise ValueError(f"gebruik SLEUTEL=WAARDE met SLEUTEL uit {', '.join(ALL_KEYS)}")
        out[key] = value
    return out


def current(db_path: Path) -> dict[str, str]:
    """The values the database overrides (``meta.instellingen``); empty without a database."""
    if not Path(db_path).exists():
        return {}
    with dbmod.connect_readonly(db_path) as con:
        return dict(con.execute("SELECT sleutel, waarde FROM meta.instellingen").fetchall())


def check(changes: dict[str, str], base: dict[str, str]) -> Settings:
    """The settings that ``changes`` on top of ``base`` give; ValueError with a Dutch message."""
    for key, value in changes.items():
        if value == "":  # back to the default (the catalogue's; for indeling the newest complete division)
            continue
        if key == "indeling":
            if value and not value.isdigit():
                raise ValueError(
                    "indeling is een jaar (bijv. indeling=2024), 0 voor de indeling zonder jaar, of leeg "
                    "(indeling=) voor de nieuwste volledige indeling"
                )
            continue
        try:
            float(value) if key in FLOAT_SETTINGS else int(value)
        except ValueError:
            kind = (
                "een getal (bijv. 0.05; een punt als decimaalteken)"
                if key in FLOAT_SETTINGS
                else "een geheel getal"
            )
            raise ValueError(f"{key} moet {kind} zijn, niet {value[:40]!r}") from None
    return Settings.resolve({**base, **{k: v for k, v in changes.items() if k in SETTING_KEYS}})


def apply(
    db_path: Path, changes: dict[str, str], progress: Callable[[str], None] | None = None
) -> dict[str, tuple[str | None, str]]:
    """Check, write and rebuild; returns {key: (old, new)} of the values that changed."""
    base = current(db_path)
    check(changes, base)
    if not Path(db_path).exists():
        raise ValueError(f"geen database: {db_path}")
    changed = {k: (base.get(k), v) for k, v in changes.items() if base.get(k) != v}
    if changed:
        with dbmod.write_session(db_path) as con:
            for key, (_old, value) in changed.items():
                con.execute("INSERT OR REPLACE INTO meta.instellingen VALUES (?, ?)", [key, value])
            rebuild(con, progress)
    return changed
