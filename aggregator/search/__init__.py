"""The search query language, compiled to FTS5 match expressions (pure, no SQL).

The store's ``search`` module runs the compiled query; this package only turns
what a reader types into something no engine can choke on.
"""
