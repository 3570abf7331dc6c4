"""The app's pages (app.py routes to them) and what they share (common)."""

import logging


class _NoRuntimeYet(logging.Filter):
    """``streamlit run app.py`` imports app.py, and so these pages, to build the server
    before Streamlit's runtime exists. Each ``st.cache_data`` loader decorated then logs
    "No runtime found, using MemoryCacheStorageManager", though that is only the
    decorator's check of its parameters: every call goes through the runtime's caches.
    The line read like a fault in the server log of every start; this drops it, and only
    it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("No runtime found")


logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(_NoRuntimeYet())
