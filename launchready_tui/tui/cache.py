"""The app's parse cache is the core one (`core/parse_cache.py`), shared with the CLI."""

from launchready_tui.core.parse_cache import (  # noqa: F401
    cache_dir,
    cached_parse,
    load_profile,
    load_runbooks,
    parser_fingerprint,
)
