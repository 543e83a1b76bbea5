"""Execution: the broker factory, the decision-to-order policy, the order state machine and
the execution router that turns decisions into broker orders."""
