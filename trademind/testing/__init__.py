"""Hand-written fakes shipped for tests (ours and those of code built on TradeMind).

Each fake lives in its own module and implements a port or stands in for an outside service:
``testing.yahoo`` (``yfinance.download``), ``testing.bars`` (the bar repository the services
read through), ``testing.clock`` (a clock that moves only when told to), ``testing.fake_broker``
(a broker and simulated venue), ``testing.memory_ledger`` (a ledger hook in memory),
``testing.journal`` (a broker journal in memory), ``testing.safety`` (a weekday session
calendar and a pre-trade context builder). Nothing
here is used by the application itself.
"""
