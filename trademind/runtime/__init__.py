"""Wiring: builds settings, logging, database, bus, clock and cache; the live loop later."""
