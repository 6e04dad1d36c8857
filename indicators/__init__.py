"""Indicator engine: catalogue, 2019 baseline, scores, composite liveability score and the verdict.

Never imports streamlit (checked by import-linter). Works on a DuckDB connection handed to it.
"""

from indicators.build import build_marts
from indicators.catalogue import Settings, load_catalogue

__all__ = ["Settings", "build_marts", "load_catalogue"]
