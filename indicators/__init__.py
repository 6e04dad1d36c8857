"""Indicator engine: catalogue, 2019 baseline, scores, composite liveability score and the verdict.

Never imports streamlit (checked by import-linter). The catalogue and settings become dimension tables
(``indicators.dimensions``); the SQL models live in ``indicators/sql/{intermediate,marts}``; the one build
that runs them in order is ``etl.build``. The package itself imports nothing, so that reading the catalogue
(``indicators.catalogue``, e.g. from the demo generator) does not pull in scipy and DuckDB.
"""
