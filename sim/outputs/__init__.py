"""Files out: the results folder and its journal, markdown summaries, charts and the
self-contained report.html of each command.
"""
