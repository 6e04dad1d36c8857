"""The documents meetings run on: the stuurgroep pack, the half-yearly report per wijk (PDF and Excel).

Built from the same data functions as the pages (``dashboard.queries``, ``dashboard.plans``,
``dashboard.steering``), on the live data or a snapshot (``dashboard.source``), rendered by
:mod:`dashboard.documents.render`.
"""
