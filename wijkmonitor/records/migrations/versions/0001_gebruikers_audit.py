"""Users and roles, settings, and the append-only audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gebruikers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("naam", sa.String(200), nullable=False, server_default=""),
        sa.Column("actief", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("aangemaakt_op", TZ, nullable=False),
    )
    op.create_table(
        "gebruiker_rollen",
        sa.Column(
            "gebruiker_id",
            sa.Integer,
            sa.ForeignKey("gebruikers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("rol", sa.String(80), primary_key=True),
        sa.Column("toegekend_op", TZ, nullable=False),
        sa.Column("toegekend_door", sa.String(254), nullable=False),
    )
    op.create_table(
        "instellingen",
        sa.Column("sleutel", sa.String(80), primary_key=True),
        sa.Column("waarde", sa.Text, nullable=False),
        sa.Column("gewijzigd_op", TZ, nullable=False),
        sa.Column("gewijzigd_door", sa.String(254), nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tijdstip", TZ, nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("rollen", sa.Text, nullable=False),
        sa.Column("actie", sa.String(80), nullable=False),
        sa.Column("object_soort", sa.String(80), nullable=False),
        sa.Column("object_id", sa.String(254), nullable=False),
        sa.Column("oud", sa.Text),
        sa.Column("nieuw", sa.Text),
        sa.Column("via", sa.String(120), nullable=False),
        sa.Column("uitkomst", sa.String(20), nullable=False),
        sa.Column("reden", sa.Text),
        sa.CheckConstraint("uitkomst IN ('uitgevoerd', 'geweigerd', 'mislukt')", name="ck_audit_uitkomst"),
    )
    op.create_index("ix_audit_tijdstip", "audit", ["tijdstip"])
    _append_only("audit")


def _append_only(table: str) -> None:
    """The database itself refuses UPDATE and DELETE on ``table`` (a fixed name, never user input)."""
    message = f"{table} is append-only: wijzigen en verwijderen is niet toegestaan"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def downgrade() -> None:  # pragma: no cover - records are never migrated down in place
    raise NotImplementedError("restore a backup instead (docs/deployment.md)")
