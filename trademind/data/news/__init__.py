"""News: the source port, the validated news item, the point-in-time store, the adapters
(RSS/Atom through feedparser, yfinance) and the CSV/JSONL importer. See docs/ai.md, "News"."""
