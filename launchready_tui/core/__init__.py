"""The headless core: profiles, runbooks, checks, engine, state and export.

Nothing under `core/` may import Textual. A test enforces it.
"""
