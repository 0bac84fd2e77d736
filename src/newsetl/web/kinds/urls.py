"""`kind = "urls"`: a fixed list of page URLs, given under `urls`.

Nothing is fetched during discovery: the listed URLs (canonical, unique,
in config order) are the pages. `SourceKind.listed` already does that for
any kind whose `fetch_as` is None, so this class only names the kind.
"""

from __future__ import annotations

from typing import ClassVar

from newsetl.web.kinds.base import SourceKind


class UrlListKind(SourceKind):
    """Listed page URLs; never fetched as a document."""

    name: ClassVar[str] = "urls"
    fetch_as = None
    url_key = "urls"
