"""Text sentiment models behind one port (:mod:`.port`): the offline finance lexicon
(:mod:`.lexicon`) and, when wired, the LLM. See docs/ai.md."""
