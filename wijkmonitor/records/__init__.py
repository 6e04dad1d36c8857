"""The covenant records store: users and roles, settings, the audit trail (and what later issues add).

Separate from the DuckDB warehouse on purpose: see :mod:`wijkmonitor.records.store` and
docs/architecture.md ("Two stores"). Never imports streamlit, the dashboard or the ETL.
"""
