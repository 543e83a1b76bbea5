"""The JSON API (``/api/v1``): thin routers over the services, typed by their results."""
