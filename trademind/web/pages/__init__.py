"""The dashboard's pages (Jinja2 + HTMX, no inline script)."""
