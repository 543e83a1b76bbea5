"""Agents: each gives a :class:`~trademind.core.decisions.Vote` or an
:class:`~trademind.core.decisions.Abstention` on one symbol at one bar close (see
:mod:`trademind.agents.base`). Technical (:mod:`.technical`) and strategy (:mod:`.strategy`)
agents today; sentiment, risk and portfolio agents follow.
"""
