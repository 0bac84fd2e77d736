"""Page extraction: one item's bytes to an `Article`'s fields.

Owns decoding, cleaning, metadata, authors, dates, the main text and the
language of one page (HTML or the plain-text format). Pure functions over
`newsetl.models`: it may import `newsetl.models` and `newsetl.urls` only,
never storage, the web, or enrichment (`tests/test_layers.py`).
"""
