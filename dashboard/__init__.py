"""Wijkmonitor dashboard (Streamlit). Pages are UI only; all data comes from dashboard.queries."""

from pathlib import Path

# The page scripts. Not "pages/": that folder name switches Streamlit to legacy routing.
VIEWS = Path(__file__).parent / "views"
# Every page, as AppTest and the page benchmark name it (relative to dashboard/app.py); derived from the
# folder so that a new page is tested and measured without being listed anywhere else.
PAGES = [f"views/{p.name}" for p in sorted(VIEWS.glob("*.py"))]
