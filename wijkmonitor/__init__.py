"""The application shell: the `wijkmonitor` command wires the ETL, the indicator engine and the dashboard.

etl/         partner files -> raw -> validated -> staging, and the warehouse build (etl/build.py)
indicators/  the indicator catalogue, statistics and SQL models
dashboard/   the Streamlit pages (read-only)
wijkmonitor/ this package: the command line (`wijkmonitor.cli`), the only place all three meet
"""
