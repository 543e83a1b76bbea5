"""Technical indicators: TA-Lib-exact numba kernels, computed in full or incrementally, stored.

* :mod:`~trademind.indicators.spec`: the configured indicator set and its column names;
* :mod:`~trademind.indicators.kernels`: the numba state machines (one per indicator);
* :mod:`~trademind.indicators.compute`: the engine (full and incremental computation);
* :mod:`~trademind.indicators.state`: price arrays and the persisted engine state;
* :mod:`~trademind.indicators.store`: bulk writes and reads of values and states;
* :mod:`~trademind.indicators.service`: ``update_indicators`` for stored bars.

Importing this package loads nothing heavy; numba is imported with the kernels.
"""
