"""The article-plus-questions document: rendering, parsing, and related-story terms.

Pure: data in, data out. Imports only the foundation.
"""
