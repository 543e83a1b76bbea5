"""Domain types, events, clock, errors and ports. Imports nothing else of TradeMind."""
