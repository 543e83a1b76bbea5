"""TradeMind's finance overlay on VADER's general-purpose lexicon.

VADER's lexicon was built for social media: it lacks the verbs financial news is written in
("surged", "plunged", "downgraded") and gives a polarity to nouns that are neutral in finance
("interest", "credit", "shares", "security"). :data:`ADDED` adds finance terms on VADER's own
scale (-4 most negative … +4 most positive; VADER's lexicon puts "good" at 1.9 and "bad" at
-2.5); :data:`REMOVED` takes the finance-neutral nouns out. Words are matched exactly
(lower-cased, no stemming), so each inflection that matters is listed. Written for TradeMind
in the spirit of Henry (2008) and FinVADER; none of these values was fitted to a data set.
"""

from __future__ import annotations

from typing import Final

_POSITIVE: Final[dict[str, float]] = {
    # price and business moves up
    **dict.fromkeys(("surge", "surged", "surges", "surging"), 2.5),
    **dict.fromkeys(("soar", "soared", "soars", "soaring"), 2.6),
    **dict.fromkeys(("rally", "rallied", "rallies", "rallying"), 2.0),
    **dict.fromkeys(("jump", "jumped", "jumps"), 1.6),
    **dict.fromkeys(("climb", "climbed", "climbs"), 1.2),
    **dict.fromkeys(("rise", "rises", "rose", "risen"), 0.9),
    **dict.fromkeys(("rebound", "rebounded", "rebounds", "recovered", "recovery"), 1.6),
    **dict.fromkeys(("grew", "expanded", "accelerated"), 1.2),
    # beating expectations
    **dict.fromkeys(("beat", "beats", "exceeded", "exceeds", "topped", "outperformed"), 2.0),
    **dict.fromkeys(("outperform", "outperforms"), 1.8),
    **dict.fromkeys(("upgrade", "upgraded", "upgrades"), 2.2),
    **dict.fromkeys(("raised", "raises"), 1.0),
    **dict.fromkeys(("bullish", "upbeat", "resilient", "tailwinds"), 2.0),
    **dict.fromkeys(("buyback", "buybacks", "surplus", "profitable"), 1.4),
    "record-high": 2.0,
}

_NEGATIVE: Final[dict[str, float]] = {
    **dict.fromkeys(("plunge", "plunged", "plunges", "plunging"), -2.8),
    **dict.fromkeys(("plummet", "plummeted", "plummets", "crashed", "tanked"), -2.9),
    **dict.fromkeys(("tumble", "tumbled", "tumbles", "slump", "slumped", "slumps"), -2.3),
    **dict.fromkeys(("sank", "sink", "sinks", "slid", "slide", "slides"), -1.8),
    **dict.fromkeys(("fall", "falls", "fell", "fallen", "decline", "declined", "declines"), -1.0),
    **dict.fromkeys(("dropped", "drops", "shrank", "contracted"), -1.2),
    # missing expectations, ratings, distress
    **dict.fromkeys(("underperform", "underperformed", "shortfall", "headwinds"), -1.8),
    **dict.fromkeys(("downgrade", "downgraded", "downgrades"), -2.2),
    **dict.fromkeys(("bearish", "writedown", "write-down", "impairment"), -2.0),
    **dict.fromkeys(("default", "defaulted", "defaults", "insolvency", "bankruptcy"), -3.0),
    **dict.fromkeys(("layoff", "layoffs", "delisted", "delisting", "halted"), -2.0),
    **dict.fromkeys(("probe", "investigation", "subpoena", "fined", "breach", "recall"), -1.6),
    **dict.fromkeys(("lowered", "slashed", "cut", "cuts"), -1.5),
}

ADDED: Final[dict[str, float]] = {**_POSITIVE, **_NEGATIVE}
"""Finance terms added to (or overriding) VADER's lexicon, word -> valence."""

REMOVED: Final[frozenset[str]] = frozenset(
    (
        "interest",
        "credit",
        "share",
        "shares",
        "security",
        "securities",
        "gross",
        "liability",
        "liabilities",
        "risk",
        "risks",
        "outstanding",
    )
)
"""VADER entries that are neutral in financial text ("interest income", "gross margin",
"shares outstanding")."""
