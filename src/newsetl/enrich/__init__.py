"""Enrichment: people, places, organisations, quotes with speakers and dates in a body.

Rule-based and pure: it may import `newsetl.models` only (plus the
gazetteers installed as packages). The entry point is `enrich`.
"""

from newsetl.enrich.enrichment import Enrichment, enrich

__all__ = ["Enrichment", "enrich"]
