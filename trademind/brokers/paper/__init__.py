"""The paper broker: a simulated account whose fills are the backtest engine's, exactly.

:class:`PaperBroker` implements :class:`~trademind.brokers.base.Broker` and
:class:`~trademind.brokers.base.SimulatedVenue`. It is configured with :class:`PaperConfig`:
the execution options of ``backtest run`` (sizing rule, fractional shares, entry order type,
offsets and time in force, stop-loss, take-profit, trailing stop, slippage, commission, volume
cap, latency in bars, fills at the next open or at the close) plus the account id and its
starting cash.

Semantics: exactly the backtest kernel's (``trademind.backtest.engine.kernel*``), through the
same rules of ``trademind.fills``, so that a replay's fills equal the backtest's. For each
timestamp the trading loop calls:

* ``open_bars(bars)``: per symbol, in the order given: a working exit order fills at the open
  (next-open mode); then the entry order (market: at the open; limit, stop, stop-limit: against
  the bar's range, gap-through first, ``fills.orders.bar_fill``); then the protective exits
  inside the bar (``fills.protective``).
* the strategies decide on the bars' closes and place orders;
* ``close_bars(bars)``: per symbol: the last close, the trailing peak (the bar's high), and in
  close mode the working market orders fill at the close.

An order placed between ``open_bars`` and ``close_bars`` of a timestamp is decided at that
bar's close and becomes active per ``fills.latency.activation_bar``: market orders at the next
bar's open (close mode: at this bar's close), other entries from the next bar, ``latency_bars``
later. One entry (BUY) and one exit (SELL) order work per symbol at a time.

Sizing at the first fill: the quantity of an entry order given at placement is an estimate at
the decision's close. The venue sizes the order at its first fill, when the price (slippage
included) is known, with the sizing rule over the equity then (cash plus every position at its
last close) and the cash (``fills.sizing.entry_target``; this is what the backtest does), and
:attr:`OrderState.quantity` reports that working quantity from then on. An exit (SELL) order
sells the whole position whatever quantity it gives, and works until the position is flat
(its time in force is not applied, as in the backtest); only MARKET sells are taken.

Protective exits (stop-loss, trailing stop, take-profit) are venue-managed orders attached to
the position, with client order ids derived from the entry's (``<entry id>.sl``, ``.ts``,
``.tp``; :mod:`trademind.brokers.paper.protective`), published as orders and fills like any
other. The volume cap is shared per symbol per bar; what it leaves keeps working on later bars.
DAY entry orders expire when the session of their first active bar ends (daily and longer bars:
each bar is a session; intraday: the local date in ``session_timezone``). When the cash runs
out the entry is shrunk to it (``fills.cash``) and the rest is rejected: an order with no fill
ends REJECTED ("insufficient buying power"), one that filled in part ends CANCELLED with that
reason (a partly filled order cannot be rejected).

Rejections are order states with status REJECTED and a reason: unknown symbol (not among the
configured ``symbols``, if any), market closed (``is_market_open`` says so; replay: every bar
is a session), no quote (no bar seen for the symbol), insufficient buying power (no cash and no
position that could bring any), or an order the venue's one-entry/one-exit book cannot take.
Placing is idempotent per client order id. Events, in the order things happen:
``OrderStatusChanged`` whenever an order's state changes (status, working or filled quantity),
``OrderFilled`` per fill, ``AccountUpdated`` after each ``close_bars``.

Numbers: the working state is float64 exactly as the kernel computes it; values cross to the
domain as ``Decimal(repr(x))`` (:mod:`trademind.brokers.paper.decimals`), which reads back as
the same float. A fill's ``ts`` is the start of the bar it filled in (the backtest's round trip
times); order states and events carry the clock's time.

Persistence: every order state and fill goes to the :class:`~trademind.core.ports.BrokerJournal`
as it happens, before its event is published; the venue's working state (cash, every symbol's
book: position, round trip, peak, volatility trackers, working orders with their activation
bars, triggers and fills so far) is saved after each ``close_bars``, each ``open_bars`` in
which anything happened (a fill or an order's change: an open without either changes only what
the bars themselves give, so a restart from the previous close's state reopens them to the
same state) and each order placed or cancelled, and a broker built on a journal that has it
resumes from it exactly.
Each of those calls (``open_bars``, ``close_bars``, ``place_order``, ``cancel_order``) writes in
one journal transaction (``BrokerJournal.transaction``): its order states, fills and the saved
state commit together, and their events are published, in order, once that commit is done (so
a placed order is committed, with the venue state that holds it, before anyone hears of it).
Execution ids count fills per account (``<account>-<n>``), so a fill replayed after a crash
before the state was saved has the same id and the journal stores it once.
"""

from trademind.brokers.paper.broker import PaperBroker
from trademind.brokers.paper.config import PaperConfig

__all__ = ["PaperBroker", "PaperConfig"]
