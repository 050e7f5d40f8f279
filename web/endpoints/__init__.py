"""Endpoint modules: each exposes ``routes(ctx) -> list[BaseRoute]``."""
