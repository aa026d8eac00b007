"""One poll of the feeds: the poller (fetch, parse in processes, write) and the pure schedule.

``settings.PollSettings`` is what the config loader builds for the poller. A
service layer: may import store, the pure domain packages (ingest, questions,
dedupe, story, search) and the foundation; never app or cli.
"""
