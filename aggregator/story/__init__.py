"""The article-plus-questions document: render, parse, a stored story's document, related terms.

Pure: data in, data out. Imports only the foundation.
"""
