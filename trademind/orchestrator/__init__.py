"""The orchestrator: agents' votes become one decision per symbol and bar close (weighted
voting, quorum, thresholds, veto), every decision logged with its votes. It implements the
trading loop's :class:`~trademind.core.ports.DecisionMaker` port."""
