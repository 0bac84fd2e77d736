"""Imported first by the extraction pool's fork server: from then on it ignores SIGINT.

A terminal's Ctrl-C goes to the whole foreground process group. The fork
server, still importing its other preloads (seconds), died of it with a
40-line KeyboardInterrupt traceback, and the task's retry met a dead server.
Only the run's own process should decide how to stop (the CLI prints one
line, and `stop_extraction_pool` ends the workers). The workers it forks
keep this disposition: the fork server restores the handlers it found,
which is this one.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
