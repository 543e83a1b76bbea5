"""The web entry point: the FastAPI app (JSON API under ``/api/v1``, the dashboard's pages, the
SSE stream) over the same services as the CLI. See docs/api.md and docs/dashboard.md."""
