"""Reading archives: folders of `.txt`/`.html`/`.gz` files, manifests, and WARC files.

Turns files into `newsetl.models.Item`s (or `Reject`s), and writes the WARC
files that web ingestion archives its responses in. It may import
`newsetl.models` only.
"""
