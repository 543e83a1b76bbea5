"""The pre-trade rules, one small module per family; :mod:`trademind.safety.catalogue` builds
them from the settings."""
