"""The ledger: named accounts, cash, positions, fills, round trips, snapshots and P&L.

:mod:`~trademind.portfolio.ledger` is the pure in-memory book (Decimal money);
:mod:`~trademind.portfolio.store` persists it, :mod:`~trademind.portfolio.journal` is the
database :class:`~trademind.core.ports.BrokerJournal`, :mod:`~trademind.portfolio.symbols`
knows each symbol's sector and industry.
"""
