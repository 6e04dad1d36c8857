"""The covenant records: tables in SQLAlchemy Core.

This describes the schema at Alembic's head; the migrations in ``migrations/versions`` create it (the
tests check that the two agree). Names are Dutch where they are domain words users know.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
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
