"""Provider backends: real ones (OpenAI, Replicate) and local ones that need no network or key.

Settings pick one per capability by dotted path (see `media_pipeline.registry`).
"""
