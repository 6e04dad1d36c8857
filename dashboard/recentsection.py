"""The regiegroep's "Laatste 14 dagen": the police's recent weekly figures, delivered every 14 days.

One function, :func:`recent_section`, called by the Regiegroep page: the count of the last two delivered ISO
weeks per wijk against the same weeks in earlier years, and the 14-day hotspot signals per buurt
(``marts.fct_hotspots_14d``, the method of the monthly signal). It returns whether the gemeente has weekly
deliveries; without them it draws nothing and the page shows its monthly view.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries, state, tables
from dashboard import format as fmt
from dashboard.safe import md


def _p(p: float) -> str:
    return "< 0,001" if p < 0.001 else fmt.getal(p, 3)


def recent_section(gemeente: str) -> bool:
    """Draw "Laatste 14 dagen" for ``gemeente``; False (nothing drawn) when it has no weekly police figures."""
    laatste = queries.latest_week(gemeente)
    if laatste is None:
        return False
    recent = queries.recent_weeks_vs_earlier(laatste, gemeente)
    if recent.empty:
        return False
    st.subheader("Laatste 14 dagen")
    eerste = recent.iloc[0]
    jaren = int(eerste["jaren_eerder"])
    st.caption(
        f"Recente politiecijfers per week (de politie levert ze elke 14 dagen): {md(eerste['weken'])}, "
        f"{fmt.datum(eerste['van'])} tot en met {fmt.datum(eerste['tot'])}. "
        + (
            f"Vergeleken met het gemiddelde van dezelfde twee weken in de {jaren} jaar ervoor."
            if jaren > 1
            else "Vergeleken met dezelfde twee weken een jaar eerder."
            if jaren == 1
            else "Van eerdere jaren zijn deze weken niet geleverd: er is nog geen vergelijking."
        )
    )
    opties = sorted(recent["reeks"].unique(), key=lambda r: (r != "Woninginbraak", r))
    reeks = state.select(st, "Reeks (laatste 14 dagen)", opties, "reeks14")
    deel = recent[recent["reeks"] == reeks].sort_values("wijk_naam")
    fig, alt = charts.compare_bars(
        deel, "wijk_naam", "eerder", "recent", "gemiddeld eerdere jaren", "laatste 14 dagen", reeks
    )
    st.plotly_chart(fig, key="recent14", config={"displayModeBar": False}, alt=alt)
    st.caption(md(alt))
    if st.toggle("Toon als tabel", key="recent14_tabel"):
        tables.table(
            pd.DataFrame(
                {
                    "Wijk": deel["wijk_naam"],
                    "Laatste 14 dagen": deel["recent"].astype(int),
                    "Gemiddeld eerder": deel["eerder"].round(1),
                }
            ),
            "Signalen per wijk, laatste 14 dagen",
            key="recent14_wijken",
            hide_index=True,
            width="stretch",
        )

    st.markdown("**Signalen per buurt, per 14 dagen**")
    st.caption(
        "Dezelfde toets als het maandsignaal, op blokken van 14 dagen: het aantal in een buurt tegen hetzelfde "
        "blok en de blokken ervoor en erna in eerdere jaren, met de correctie voor het aantal buurten en reeksen "
        "dat tegelijk bekeken wordt, en minstens het minimum aantal gevallen. Met weinig geleverde jaren is de "
        "vergelijking smal: kijk ook naar de aantallen."
    )
    signalen = queries.hotspot_signals_14d(gemeente)
    nu = signalen[signalen["laatste"]] if not signalen.empty else signalen
    if nu.empty:
        st.success("Geen signalen in de laatste 14 dagen.", icon=":material/check_circle:")
    if not signalen.empty:
        lijst = pd.DataFrame(
            {
                "Buurt": signalen["gebied_naam"],
                "Wijk": signalen["wijk_naam"],
                "Wat": signalen["reeks"],
                "Weken": signalen["weken"],
                "Aantal": signalen["aantal"].astype(int),
                "Verwacht": signalen["verwacht"].map(lambda v: fmt.getal(v, 1)),
                "Kans bij toeval": signalen["p_waarde"].map(_p),
                "Na correctie voor alle toetsen": signalen["p_aangepast"].map(_p),
            }
        )
        if not nu.empty:
            tables.table(
                lijst[signalen["laatste"].to_numpy()],
                "Signalen per buurt, laatste 14 dagen",
                key="signalen14_nu",
                hide_index=True,
                width="stretch",
            )
        eerder = lijst[~signalen["laatste"].to_numpy()]
        if not eerder.empty and st.toggle(
            f"Toon ook de {len(eerder)} eerdere signalen van het afgelopen jaar", key="signalen14_eerder"
        ):
            tables.table(
                eerder,
                "Eerdere signalen per buurt",
                key="signalen14_eerder_tabel",
                hide_index=True,
                width="stretch",
            )
    return True
