"""The backtest's option texts (``--commission``, ``--slippage``, sizing, exits, orders,
``--param``): parsed into engine models (a malformed text is a UsageError, exit 2) and described
back for stored runs. In services, below the CLI, because the backtest services call them."""
