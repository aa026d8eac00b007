"""Discussion questions: the offline generator and the OpenAI-compatible LLM generator.

Pure apart from ``llm``, which talks HTTP to the configured endpoint. May
import story and the foundation.
"""
