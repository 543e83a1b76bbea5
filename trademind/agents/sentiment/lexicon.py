"""The offline sentiment model: VADER's lexicon and rules with TradeMind's finance overlay.

vaderSentiment (MIT; its lexicon ships inside the wheel, nothing is downloaded) scores a text:
each lexicon word's valence, scaled by the rules VADER applies itself — a negation among the
three words before a term ("not", "never", "isn't", "without", ...) multiplies its valence by
-0.74; "but" halves what comes before it and multiplies what follows by 1.5; intensifiers
("very", "sharply"), capitals and exclamation marks amplify — summed and normalised to a
compound score ``c = x / sqrt(x² + 15)`` in [-1, 1]. It also reports ``pos`` and ``neg``, the
shares of the text's positive and negative valence.

On top of it this model (see docs/ai.md, "Offline lexicon model"):

* **abstains** on an empty text, on a text where no (non-neutral) lexicon word matches, when
  the evidence cancels out (``c == 0``), and when positive and negative evidence are too
  balanced: ``dominance = |pos - neg| / (pos + neg) <`` :data:`MIN_DOMINANCE`;
* otherwise labels the text ``positive`` when ``c > 0`` and ``negative`` when ``c < 0`` — it
  never says ``neutral``: the absence of polar words is no evidence of neutrality, so it abstains;
* gives ``score = c`` and ``confidence = |c| * dominance``: one strong word alone gives about
  0.55, several agreeing words approach 1, mixed evidence is discounted by its dominance;
* lists as key factors the matched words in text order, each prefixed with "not " when VADER's
  negation rule applies to it.
"""

from __future__ import annotations

from typing import Any, Final, Protocol, cast

from trademind.agents.sentiment.finance_terms import ADDED, REMOVED
from trademind.agents.sentiment.port import Abstention, SentimentAnswer, SentimentContext
from trademind.agents.sentiment.port import SentimentResult as Result

MIN_DOMINANCE: Final = 0.25
"""Below this share of one side over the other (``|pos - neg| / (pos + neg)``) it abstains."""
SOURCE: Final = "lexicon"


class _Analyzer(Protocol):
    lexicon: dict[str, float]

    def polarity_scores(self, text: str) -> dict[str, float]: ...


def _build_analyzer() -> _Analyzer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = cast(_Analyzer, SentimentIntensityAnalyzer())
    for word in REMOVED:
        analyzer.lexicon.pop(word, None)
    analyzer.lexicon.update(ADDED)
    return analyzer


class LexiconSentimentModel:
    """Finance-tuned VADER behind the :class:`~.port.SentimentModel` port (``source="lexicon"``)."""

    def __init__(self) -> None:
        self._analyzer: _Analyzer | None = None

    @property
    def name(self) -> str:
        return SOURCE

    async def score(self, text: str, context: SentimentContext | None = None) -> SentimentAnswer:
        return self.score_now(text)

    def score_now(self, text: str) -> SentimentAnswer:
        """:meth:`score` without the event loop (the model does no I/O)."""
        if not text.strip():
            return Abstention(reason="empty text", source=SOURCE)
        analyzer = self._loaded()
        factors = matched_terms(text, analyzer.lexicon)
        if not factors:
            return Abstention(reason="no sentiment words matched", source=SOURCE)
        scores = analyzer.polarity_scores(text)
        return _decide(scores["compound"], scores["pos"], scores["neg"], tuple(factors))

    def _loaded(self) -> _Analyzer:
        if self._analyzer is None:
            self._analyzer = _build_analyzer()
        return self._analyzer


def _decide(compound: float, pos: float, neg: float, factors: tuple[str, ...]) -> SentimentAnswer:
    if compound == 0 or pos + neg == 0:
        return Abstention(reason="the evidence cancels out", source=SOURCE, key_factors=factors)
    dominance = abs(pos - neg) / (pos + neg)
    if dominance < MIN_DOMINANCE:
        reason = (
            f"positive and negative evidence too balanced (dominance {dominance:.2f} "
            f"< {MIN_DOMINANCE})"
        )
        return Abstention(reason=reason, source=SOURCE, key_factors=factors)
    return Result(
        label="positive" if compound > 0 else "negative",
        score=max(-1.0, min(1.0, compound)),
        confidence=min(1.0, abs(compound) * dominance),
        key_factors=factors,
        source=SOURCE,
    )


def matched_terms(text: str, lexicon: dict[str, float]) -> list[str]:
    """The lexicon words of ``text`` in order (each once), "not "-prefixed when negated."""
    from vaderSentiment.vaderSentiment import SentiText, negated

    words = cast(list[str], SentiText(text).words_and_emoticons)
    lowered = [word.lower() for word in words]
    found: list[str] = []
    for index, word in enumerate(lowered):
        if lexicon.get(word, 0.0) == 0.0:
            continue
        before: Any = lowered[max(0, index - 3) : index]
        term = f"not {word}" if before and negated(before) else word
        if term not in found:
            found.append(term)
    return found
