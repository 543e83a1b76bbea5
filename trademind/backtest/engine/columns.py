"""Column indices of the engine loop's state, parameter and result arrays.

The numba loop keeps everything in four arrays, because every array passed to a compiled
function costs reference counting on each call (~10 ns): ``fs`` (float state, one row per symbol
and a last row for the account), ``is_`` (int state, one row per symbol and a last row of
counters), ``fp`` (all parameters, ints stored as floats) and ``tr`` (preallocated trade rows,
indices stored as floats: exact below 2**53). Module-level integers are compile-time constants
in numba.
"""

from __future__ import annotations

from typing import Final

# Per-symbol float state (one row per symbol).
F_POS: Final = 0  # shares held
F_ENTRY_QTY: Final = 1  # shares bought in the open round trip
F_ENTRY_VALUE: Final = 2  # dollars paid for them (fill prices, slippage included)
F_ENTRY_COMM: Final = 3
F_EXIT_QTY: Final = 4
F_EXIT_VALUE: Final = 5
F_EXIT_COMM: Final = 6
F_SLIP: Final = 7  # slippage cost of the round trip in dollars
F_PEAK: Final = 8  # highest price since entry (trailing stop)
F_LAST_CLOSE: Final = 9
F_VOL_USED: Final = 10  # shares filled in the current bar (volume cap)
F_EO_TARGET: Final = 11  # entry order: target quantity (sized at its first fill)
F_EO_FILLED: Final = 12
F_EO_VALUE: Final = 13
F_EO_COMM: Final = 14
F_EO_LIMIT: Final = 15
F_EO_STOP: Final = 16
F_XO_FILLED: Final = 17  # exit order: filled so far
F_XO_VALUE: Final = 18
F_XO_COMM: Final = 19
F_WIDTH: Final = 20

# Per-symbol int state.
I_EO_STATE: Final = 0  # 1 while an entry order works
I_EO_TYPE: Final = 1
I_EO_ACT: Final = 2  # first bar (symbol-local index) it may fill in
I_EO_SESSION: Final = 3  # session of its first active bar (-1 before)
I_EO_TRIG: Final = 4  # stop-limit triggered
I_EO_SIGNAL: Final = 5  # flat index of the signal bar
I_XO_STATE: Final = 6  # 1 while an exit (market) order works
I_XO_ACT: Final = 7
I_XO_KIND: Final = 8  # EXIT_* reason
I_XO_SIGNAL: Final = 9  # flat index of the exit signal bar, -1 for stops
I_ENTRY_FLAT: Final = 10  # flat index of the round trip's first entry fill
I_ENTRY_SIGNAL: Final = 11
I_CHECK_FROM: Final = 12  # first bar whose range may trigger stops and raise the peak
I_LATENCY: Final = 13  # latency of this symbol in bars
I_WIDTH: Final = 14

# Float parameters.
P_INITIAL_CASH: Final = 0
P_COMM_A: Final = 1
P_COMM_B: Final = 2
P_COMM_C: Final = 3
P_SLIP: Final = 4
P_SIZE_A: Final = 5
P_SIZE_B: Final = 6
P_SIZE_C: Final = 7
P_LIMIT_OFFSET: Final = 8
P_STOP_OFFSET: Final = 9
P_STOP_LOSS: Final = 10  # 0 = off
P_TAKE_PROFIT: Final = 11
P_TRAILING: Final = 12
P_VOLUME_CAP: Final = 13  # participation, 0 = no cap
P_WIDTH: Final = 14

# Int parameters (stored in the same vector, as floats).
Q_COMM_KIND: Final = 14
Q_SLIP_KIND: Final = 15
Q_SIZE_KIND: Final = 16
Q_ORDER_TYPE: Final = 17
Q_TIF: Final = 18
Q_CLOSE_MODE: Final = 19  # 1: market orders fill at the close
Q_FRACTIONAL: Final = 20
Q_PROTECTED: Final = 21  # 1: a stop-loss, take-profit or trailing stop is set
PARAM_WIDTH: Final = 22

ACCOUNT: Final = -1
"""Row of ``fs`` holding the account totals and row of ``is_`` holding the counters."""

# Account totals (columns of the account row).
A_CASH: Final = 0
A_COMMISSION: Final = 1
A_SLIPPAGE: Final = 2
A_WIDTH: Final = 3

# Counters (columns of the counter row).
C_ORDERS: Final = 0
C_FILLS: Final = 1
C_PARTIAL_FILLS: Final = 2  # fills that left part of the order working
C_REJECTED: Final = 3
C_CANCELLED: Final = 4
C_EXPIRED: Final = 5
C_OPEN_ORDERS: Final = 6  # still working when the data ends
C_TRADES: Final = 7
C_WIDTH: Final = 8

# Trade rows: floats.
T_QTY: Final = 0
T_ENTRY_PRICE: Final = 1
T_EXIT_PRICE: Final = 2
T_COMMISSION: Final = 3
T_PNL: Final = 4
T_SLIPPAGE: Final = 5
T_WIDTH: Final = 6

# Trade rows: indices (flat; the engine turns them into symbol-local bar indices).
U_SYMBOL: Final = 6
U_ENTRY: Final = 7
U_EXIT: Final = 8  # -1 while open
U_ENTRY_SIGNAL: Final = 9
U_EXIT_SIGNAL: Final = 10  # -1 for stops and open trades
U_EXIT_KIND: Final = 11
TRADE_WIDTH: Final = 12

# Exit reasons: trademind.fills.protective's EXIT_* codes (EXIT_OPEN, EXIT_SIGNAL, ...).
