"""Wijkmonitor dashboard (Streamlit). Pages are UI only; all data comes from dashboard.queries."""
