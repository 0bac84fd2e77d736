"""The web: source configuration, discovery (feeds, sitemaps, URL lists) and polite,
address-guarded fetching.

It may import `newsetl.models`, `newsetl.urls` and `newsetl.archive` (fetched
responses are archived as WARC), never storage or extraction.
"""
