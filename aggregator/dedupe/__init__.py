"""Deduplication rules, pure: canonical URLs, fingerprints, near duplicates, the decision.

No I/O and no SQL: the store fetches candidates and applies what these modules
decide. Imports only the foundation modules (errors, models, timeutil).
"""
