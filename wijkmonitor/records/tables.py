"""The covenant records: tables in SQLAlchemy Core.

This describes the schema at Alembic's head; the migrations in ``migrations/versions`` create it (the
tests check that the two agree). Names are Dutch where they are domain words users know.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

gebruikers = Table(
    "gebruikers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # lower-cased; the identity provider's e-mail claim is matched against it
    Column("email", String(254), nullable=False, unique=True),
    Column("naam", String(200), nullable=False, server_default=""),
    Column("actief", Boolean, nullable=False, server_default="1"),
    Column("demo", Boolean, nullable=False, server_default="0"),  # a demo user (demo mode's role picker)
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
)

gebruiker_rollen = Table(
    "gebruiker_rollen",
    metadata,
    Column("gebruiker_id", Integer, ForeignKey("gebruikers.id", ondelete="CASCADE"), primary_key=True),
    Column("rol", String(80), primary_key=True),
    Column("toegekend_op", DateTime(timezone=True), nullable=False),
    Column("toegekend_door", String(254), nullable=False),
)

instellingen = Table(
    "instellingen",
    metadata,
    Column("sleutel", String(80), primary_key=True),
    Column("waarde", Text, nullable=False),
    Column("gewijzigd_op", DateTime(timezone=True), nullable=False),
    Column("gewijzigd_door", String(254), nullable=False),
)

# Append-only: the database refuses UPDATE and DELETE (triggers in the first migration).
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("actor", String(254), nullable=False),  # e-mail, or systeem:<os user> for the command line
    Column("rollen", Text, nullable=False),  # the actor's roles at that moment, comma-separated
    Column("actie", String(80), nullable=False),  # e.g. gebruiker.toevoegen, levering.laden
    Column("object_soort", String(80), nullable=False),
    Column("object_id", String(254), nullable=False),
    Column("oud", Text),  # JSON
    Column("nieuw", Text),  # JSON
    Column("via", String(120), nullable=False),  # pagina:Beheer, opdracht:gebruiker toevoegen, …
    Column("uitkomst", String(20), nullable=False),
    Column("reden", Text),
    CheckConstraint("uitkomst IN ('uitgevoerd', 'geweigerd', 'mislukt')", name="ck_audit_uitkomst"),
    Index("ix_audit_tijdstip", "tijdstip"),
)


# ------------------------------------------------------------------------------------------ plans (#14)
# A wijkprogramma is the wijk's list of opgaven (long-term tasks per theme); a jaarplan per wijk per year
# holds the activities; half-yearly status reports are versions (a correction is a new version).

opgaven = Table(
    "opgaven",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wijk_code", String(20), nullable=False),
    Column("thema", String(80), nullable=False),  # theme code of the indicator catalogue
    Column("titel", String(200), nullable=False),
    Column("omschrijving", Text, nullable=False, server_default=""),
    Column("indicatoren", Text, nullable=False, server_default="[]"),  # JSON list of indicator codes
    Column("volgorde", Integer, nullable=False, server_default="0"),
    Column("vervallen", Boolean, nullable=False, server_default="0"),
    Column("gewijzigd_op", DateTime(timezone=True), nullable=False),
    Index("ix_opgaven_wijk", "wijk_code"),
)

jaarplannen = Table(
    "jaarplannen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wijk_code", String(20), nullable=False),
    Column("jaar", Integer, nullable=False),
    # concept -> ingediend -> advies (advies regiegroep) -> vastgesteld; back to concept with a reason
    Column("status", String(20), nullable=False, server_default="concept"),
    Column("advies", Text),  # the regiegroep's advice (with the step to `advies`)
    Column("vastgesteld_op", Date),  # the stuurgroep meeting that adopted it
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("gewijzigd_op", DateTime(timezone=True), nullable=False),
    UniqueConstraint("wijk_code", "jaar", name="uq_jaarplannen_wijk_jaar"),
    CheckConstraint(
        "status IN ('concept', 'ingediend', 'advies', 'vastgesteld')", name="ck_jaarplannen_status"
    ),
)

# Every workflow step, with who, when and why (visible to all; the audit trail holds it too).
jaarplan_stappen = Table(
    "jaarplan_stappen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jaarplan_id", Integer, ForeignKey("jaarplannen.id", ondelete="CASCADE"), nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("door", String(254), nullable=False),
    Column("van", String(20), nullable=False),
    Column("naar", String(20), nullable=False),
    Column("toelichting", Text, nullable=False, server_default=""),
    Column("vergaderdatum", Date),
    Index("ix_jaarplan_stappen_plan", "jaarplan_id"),
)

activiteiten = Table(
    "activiteiten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jaarplan_id", Integer, ForeignKey("jaarplannen.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(20), nullable=False),  # A01, A02, ...: the key in the Excel templates
    Column("titel", String(200), nullable=False),
    Column("omschrijving", Text, nullable=False, server_default=""),
    Column("thema", String(80), nullable=False),
    Column("opgave_id", Integer, ForeignKey("opgaven.id", ondelete="SET NULL")),
    Column("indicatoren", Text, nullable=False, server_default="[]"),  # JSON list of indicator codes
    Column("trekker", String(40), nullable=False),  # lead partner
    Column("start_maand", Integer, nullable=False),
    Column("eind_maand", Integer, nullable=False),
    Column("budget", Float),
    Column("verwacht_effect", Text, nullable=False, server_default=""),
    # an activity dropped by an amendment after adoption stays, marked (adopted plans are history)
    Column("geschrapt", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("jaarplan_id", "code", name="uq_activiteiten_plan_code"),
    CheckConstraint(
        "start_maand BETWEEN 1 AND 12 AND eind_maand BETWEEN start_maand AND 12", name="ck_maanden"
    ),
)

activiteit_uren = Table(
    "activiteit_uren",
    metadata,
    Column("activiteit_id", Integer, ForeignKey("activiteiten.id", ondelete="CASCADE"), primary_key=True),
    Column("partner", String(40), primary_key=True),
    Column("uren", Float, nullable=False),  # planned hours
)

# Changes to an adopted jaarplan: amendments, each with its reason and the old and new activity.
jaarplan_wijzigingen = Table(
    "jaarplan_wijzigingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jaarplan_id", Integer, ForeignKey("jaarplannen.id", ondelete="CASCADE"), nullable=False),
    Column("tijdstip", DateTime(timezone=True), nullable=False),
    Column("door", String(254), nullable=False),
    Column("soort", String(20), nullable=False),  # toegevoegd | gewijzigd | geschrapt
    Column("activiteit_code", String(20), nullable=False),
    Column("reden", Text, nullable=False),
    Column("oud", Text),  # JSON
    Column("nieuw", Text),  # JSON
    Index("ix_jaarplan_wijzigingen_plan", "jaarplan_id"),
)

statusrapporten = Table(
    "statusrapporten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wijk_code", String(20), nullable=False),
    Column("jaar", Integer, nullable=False),
    Column("halfjaar", Integer, nullable=False),
    Column("versie", Integer, nullable=False),  # 1 = the report; 2, 3, ... = corrections
    Column("ingediend_op", DateTime(timezone=True), nullable=False),
    Column("ingediend_door", String(254), nullable=False),
    Column("via", String(20), nullable=False, server_default="app"),  # app | excel
    Column("goed", Text, nullable=False, server_default=""),  # wat ging goed
    Column("niet_goed", Text, nullable=False, server_default=""),  # wat ging niet goed
    Column("vragen", Text, nullable=False, server_default=""),  # wat vragen we van de regiegroep
    Column("correctie_reden", Text),
    UniqueConstraint("wijk_code", "jaar", "halfjaar", "versie", name="uq_statusrapporten_versie"),
    CheckConstraint("halfjaar IN (1, 2)", name="ck_statusrapporten_halfjaar"),
)

status_regels = Table(
    "status_regels",
    metadata,
    Column("rapport_id", Integer, ForeignKey("statusrapporten.id", ondelete="CASCADE"), primary_key=True),
    Column("activiteit_code", String(20), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("procent", Integer, nullable=False),
    Column("toelichting", Text, nullable=False, server_default=""),
    CheckConstraint(
        "status IN ('niet gestart', 'loopt', 'afgerond', 'vertraagd', 'vervallen')", name="ck_status_regels"
    ),
    CheckConstraint("procent BETWEEN 0 AND 100", name="ck_status_procent"),
)

status_uren = Table(
    "status_uren",
    metadata,
    Column("rapport_id", Integer, ForeignKey("statusrapporten.id", ondelete="CASCADE"), primary_key=True),
    Column("activiteit_code", String(20), primary_key=True),
    Column("partner", String(40), primary_key=True),
    Column("uren", Float, nullable=False),  # hours spent in this half-year
)

# ------------------------------------------------------------------------------------------ steering (#15)
# Meetings of the three levels, the decisions taken in them, the partners' capacity and its distribution
# over the wijken, the normering, the action list and the agreements. Nothing here is deleted: an action
# is `vervallen`, a distribution `vervangen`, an agreement inactive.

vergaderingen = Table(
    "vergaderingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("niveau", String(20), nullable=False),  # stuurgroep | regiegroep | team
    Column("wijk_code", String(20)),  # team meetings only
    Column("datum", Date, nullable=False),
    Column("aanwezig", Text, nullable=False, server_default="[]"),  # JSON list of roles present
    Column("data_versie", String(200), nullable=False, server_default=""),  # the warehouse publication
    Column("notities", Text, nullable=False, server_default=""),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("aangemaakt_door", String(254), nullable=False),
    CheckConstraint("niveau IN ('stuurgroep', 'regiegroep', 'team')", name="ck_vergaderingen_niveau"),
    Index("ix_vergaderingen_datum", "datum"),
)

besluiten = Table(
    "besluiten",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vergadering_id", Integer, ForeignKey("vergaderingen.id"), nullable=False),
    Column("soort", String(20), nullable=False),  # jaarplan | verdeling | normering | overig
    Column("onderwerp", String(200), nullable=False),  # e.g. WK099901/2025, verdeling 2025-H1
    Column("tekst", Text, nullable=False, server_default=""),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("aangemaakt_door", String(254), nullable=False),
    CheckConstraint("soort IN ('jaarplan', 'verdeling', 'normering', 'overig')", name="ck_besluiten_soort"),
    Index("ix_besluiten_vergadering", "vergadering_id"),
)

# A partner's hours available for the wijken in a year.
capaciteit = Table(
    "capaciteit",
    metadata,
    Column("partner", String(40), primary_key=True),
    Column("jaar", Integer, primary_key=True),
    Column("uren", Integer, nullable=False),
    Column("gewijzigd_op", DateTime(timezone=True), nullable=False),
    Column("gewijzigd_door", String(254), nullable=False),
    CheckConstraint("uren >= 0", name="ck_capaciteit_uren"),
)

# A distribution of the partners' hours of a year over the wijken: a scenario of the regiegroep, its advice,
# and the stuurgroep's adoption (twice a year: the round is the half-year it was made in).
verdelingen = Table(
    "verdelingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jaar", Integer, nullable=False),
    Column("halfjaar", Integer, nullable=False),
    Column("naam", String(200), nullable=False),
    Column("status", String(20), nullable=False, server_default="scenario"),
    Column("advies", Text, nullable=False, server_default=""),
    Column("behoefte", Text, nullable=False, server_default="{}"),  # JSON {wijk: need} when it was made
    Column("gewichten", Text, nullable=False, server_default="{}"),  # JSON: the need formula's weights
    Column("data_versie", String(200), nullable=False, server_default=""),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("aangemaakt_door", String(254), nullable=False),
    Column("gewijzigd_op", DateTime(timezone=True), nullable=False),
    Column("besluit_id", Integer, ForeignKey("besluiten.id")),
    CheckConstraint(
        "status IN ('scenario', 'advies', 'vastgesteld', 'vervangen', 'afgewezen')",
        name="ck_verdelingen_status",
    ),
    CheckConstraint("halfjaar IN (1, 2)", name="ck_verdelingen_halfjaar"),
    Index("ix_verdelingen_jaar", "jaar"),
)

verdeling_uren = Table(
    "verdeling_uren",
    metadata,
    Column("verdeling_id", Integer, ForeignKey("verdelingen.id", ondelete="CASCADE"), primary_key=True),
    Column("partner", String(40), primary_key=True),
    Column("wijk_code", String(20), primary_key=True),
    Column("uren", Integer, nullable=False),
    CheckConstraint("uren >= 0", name="ck_verdeling_uren"),
)

# The norm bands per indicator ("om de opgaven per wijk goed te kunnen bepalen"): proposed by the
# regiegroep, adopted by the stuurgroep; the adopted one replaces the catalogue's bands.
normeringen = Table(
    "normeringen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(80), nullable=False),
    Column("banden", Text, nullable=False),  # JSON [[ondergrens, label], ...] ascending
    Column("status", String(20), nullable=False, server_default="voorstel"),
    Column("toelichting", Text, nullable=False, server_default=""),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("aangemaakt_door", String(254), nullable=False),
    Column("besluit_id", Integer, ForeignKey("besluiten.id")),
    CheckConstraint(
        "status IN ('voorstel', 'vastgesteld', 'vervangen', 'afgewezen')", name="ck_normeringen_status"
    ),
    Index("ix_normeringen_indicator", "indicator"),
)

acties = Table(
    "acties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("omschrijving", Text, nullable=False),
    Column("partner", String(40), nullable=False),  # owner: a partner (no personal names)
    Column("rol", String(100), nullable=False, server_default=""),  # e.g. wijkagent, opbouwwerker
    Column("wijk_code", String(20)),
    Column("deadline", Date),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("toelichting", Text, nullable=False, server_default=""),
    Column("vergadering_id", Integer, ForeignKey("vergaderingen.id")),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("aangemaakt_door", String(254), nullable=False),
    Column("gewijzigd_op", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('open', 'loopt', 'gereed', 'vervallen')", name="ck_acties_status"),
)

afspraken = Table(
    "afspraken",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("omschrijving", Text, nullable=False),  # what was promised
    Column("partner", String(40), nullable=False),  # by whom: a partner, or regiegroep / stuurgroep / teams
    Column("termijn", String(200), nullable=False, server_default=""),  # by when or how often, in words
    Column("meting", String(20), nullable=False, server_default="handmatig"),
    Column("parameters", Text, nullable=False, server_default="{}"),  # JSON, per kind of measurement
    Column("actief", Boolean, nullable=False, server_default="1"),
    Column("vergadering_id", Integer, ForeignKey("vergaderingen.id")),
    Column("aangemaakt_op", DateTime(timezone=True), nullable=False),
    Column("aangemaakt_door", String(254), nullable=False),
    CheckConstraint(
        "meting IN ('handmatig', 'levering', 'levering_na_periode', 'vergaderritme', 'rapportage')",
        name="ck_afspraken_meting",
    ),
)

# The periodic check of an agreement the monitor cannot measure itself (one per agreement and half-year;
# a new check of the same period replaces the older one on screen, both stay).
afspraak_toetsingen = Table(
    "afspraak_toetsingen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("afspraak_id", Integer, ForeignKey("afspraken.id"), nullable=False),
    Column("periode", String(10), nullable=False),  # 2025-H1
    Column("status", String(20), nullable=False),
    Column("toelichting", Text, nullable=False, server_default=""),
    Column("getoetst_op", DateTime(timezone=True), nullable=False),
    Column("getoetst_door", String(254), nullable=False),
    CheckConstraint(
        "status IN ('nagekomen', 'niet nagekomen', 'loopt')", name="ck_afspraak_toetsingen_status"
    ),
    Index("ix_afspraak_toetsingen_afspraak", "afspraak_id"),
)
