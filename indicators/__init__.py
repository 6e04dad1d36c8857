"""Indicator engine: catalogue, 2019 baseline, scores, composite liveability score and the verdict.

Never imports streamlit (checked by import-linter). The catalogue and settings become dimension tables
(``indicators.dimensions``); the SQL models live in ``indicators/sql/{intermediate,marts}``; the one build
that runs them in order is ``etl.build``.
"""

from indicators.catalogue import Settings, load_catalogue
from indicators.dimensions import dim_tables, settings_of

__all__ = ["Settings", "dim_tables", "load_catalogue", "settings_of"]
