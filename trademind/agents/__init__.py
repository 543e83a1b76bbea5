"""Agents: each gives a :class:`~trademind.core.decisions.Vote` or an
:class:`~trademind.core.decisions.Abstention` on one symbol at one bar close (see
:mod:`trademind.agents.base`). Technical (:mod:`.technical`), strategy (:mod:`.strategy`) and
portfolio (:mod:`.portfolio`) agents vote; the risk agent (:mod:`.risk`, sizing in
:mod:`.risk_sizing`) vetoes and sizes; sentiment follows.
"""
