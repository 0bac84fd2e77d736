"""Imported once by the extraction pool's fork server (see `pipeline._pool`).

Extracting one small article here loads what every extraction needs on first
use (the language model, the place gazetteer), so the worker processes
forked from the server start with them loaded and share those pages instead
of each loading its own copy.
"""

from newsetl.enrich.people import first_names
from newsetl.models import Item
from newsetl.pipeline.extract import extract_item

_SAMPLE = (b"Minister visits the harbour in Lisbon\n\n"
           b"\"We will rebuild the pier,\" said Ana Costa, the minister, on Monday.\n")

extract_item(Item(key="warm-up", data=_SAMPLE, archive_path="warm-up", source="warm-up"))
first_names()  # the given-name list that German, French and Spanish articles need
