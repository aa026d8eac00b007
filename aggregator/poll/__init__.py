"""One poll of the feeds: the poller (fetch, parse in processes, write) and the pure schedule.

May import ingest, questions, dedupe, store and the foundation; never app or cli.
"""
