"""The sentiment agent against the fake OpenAI-compatible server, over real HTTP: votes with
their key factors and cost, abstentions on no news and unusable answers, the technical fallback
(source=fallback) when the LLM gives no answer (breaker, budget, hang), the breaker's probe,
the cache in session time, and the news windows of the three timeframes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from support.llm_client import Harness
from support.sentiment_agent import (
    CLOSE,
    GOOD,
    AgentRig,
    History,
    ListNews,
    context,
    daily_bars,
    item,
)

from trademind.agents.sentiment.headline_models import LexiconHeadlineModel
from trademind.agents.sentiment.llm_model import LlmSentimentModel
from trademind.cache import MemoryCache
from trademind.core.decisions import Abstention, Action, Vote
from trademind.testing.fake_llm import (
    Reply,
    hang,
    json_answer,
    prose,
    rate_limited,
    server_error,
)

PER_CALL = (1000 * 0.6 + 100 * 2.2) / 1_000_000  # glm-4.7: 1000 tokens in, 100 out


@pytest.fixture
def rig(harness: Harness) -> AgentRig:
    news = ListNews(
        item("Acme wins big contract", 2),
        item("Acme opens a new plant", 30),  # older than the 24 h look-back: 1w and 1m only
        item("Acme annual report filed", 24 * 20),  # 1m only
    )
    client = harness.client(max_retries=1, breaker_failures=2)
    return AgentRig(harness, news, History(), client, MemoryCache(3600, harness.clock))


def single_item_rig(harness: Harness, **client: Any) -> AgentRig:
    news = ListNews(item("Acme wins big contract", 2))
    cache = MemoryCache(3600, harness.clock)
    return AgentRig(harness, news, History(), harness.client(**client), cache)


def good(**changes: Any) -> Reply:
    return json_answer({**GOOD, **changes}, tokens_in=1000, tokens_out=100)


async def vote_of(rig: AgentRig, **settings: Any) -> Vote | Abstention:
    async with rig.client:
        return await rig.agent(**settings).analyze(context())


async def test_three_timeframes_combine_into_a_buy_vote_with_factors_and_cost(
    rig: AgentRig,
) -> None:
    rig.harness.server.script(good(), good(score=0.4), good(score=0.2, key_factors=["old"]))
    vote = await vote_of(rig)
    assert isinstance(vote, Vote)
    assert (vote.agent, vote.direction, vote.source) == ("sentiment", Action.BUY, "llm")
    assert vote.score == pytest.approx(0.5 * 0.6 + 0.3 * 0.4 + 0.2 * 0.2)
    assert vote.key_factors == ("1d: record sales", "1w: record sales", "1m: old")
    assert f"cost ${3 * PER_CALL:.4f}" in vote.reasoning
    assert "weights 1d 0.50, 1w 0.30, 1m 0.20" in vote.reasoning
    assert vote.data_time == CLOSE
    prompts = [r.body["messages"][-1]["content"] for r in rig.harness.server.requests]
    assert ["next trading day" in p for p in prompts] == [True, False, False]
    # the news windows: 1d the 24 h look-back, 1w 7 days, 1m 30 days
    assert ["opens a new plant" in p for p in prompts] == [False, True, True]
    assert ["annual report" in p for p in prompts] == [False, False, True]
    (reading,) = rig.history.readings
    assert (reading.source, reading.label, reading.news_count) == ("llm", "positive", 3)
    assert reading.cost_usd == pytest.approx(3 * PER_CALL)
    assert rig.harness.outcomes() == ["ok"] * 3


async def test_no_news_in_the_look_back_abstains_without_asking(rig: AgentRig) -> None:
    rig.news.all = [item("Acme opens a new plant", 30)]
    vote = await vote_of(rig)
    assert isinstance(vote, Abstention)
    assert "no news for AAPL in the 24 h before 2024-03-28 21:00 UTC" in vote.reason
    assert rig.harness.server.requests == []
    assert rig.history.readings[0].abstention_reason is not None


async def test_news_first_seen_after_the_close_is_not_used(rig: AgentRig) -> None:
    rig.news.all = [item("Acme recalls products", 2, seen_hours_before=-1)]
    vote = await vote_of(rig)
    assert isinstance(vote, Abstention)
    assert "no news" in vote.reason
    assert rig.news.asked == [CLOSE]


async def test_unusable_answers_abstain_with_their_reasons(rig: AgentRig) -> None:
    rig.harness.server.script(prose("No idea."), good(score=float("nan")), json_answer({"x": 1}))
    vote = await vote_of(rig)
    assert isinstance(vote, Abstention)
    assert vote.source == "llm"  # not the fallback: the LLM answered
    for reason in ("1d: unparseable answer", "1w: score is not a finite number",
                   "1m: answer does not match the schema"):  # fmt: skip
        assert reason in vote.reason


async def test_a_confidence_of_7_is_clamped_and_noted_in_the_vote(rig: AgentRig) -> None:
    rig.harness.server.script(good(confidence=7), good(), good())
    vote = await vote_of(rig)
    assert isinstance(vote, Vote)
    assert "1d: confidence 7 outside [0, 1] clamped to 1.0" in vote.reasoning


async def test_a_429_with_retry_after_is_retried_and_recorded(rig: AgentRig) -> None:
    rig.harness.server.script(rate_limited(retry_after=3), good(), good(), good())
    vote = await vote_of(rig)
    assert isinstance(vote, Vote)
    assert rig.harness.sleeper.waits == [3.0]
    assert [c.attempts for c in rig.harness.ledger.calls] == [2, 1, 1]


async def test_a_500_storm_opens_the_breaker_and_the_votes_fall_back(rig: AgentRig) -> None:
    rig.harness.server.script(*[server_error()] * 4)  # 2 calls x (1 + 1 retry): 2 failures
    async with rig.client:
        agent = rig.agent()
        votes = [
            await agent.analyze(context(at=CLOSE + timedelta(minutes=minute)))
            for minute in range(3)
        ]
        assert len(rig.harness.server.requests) == 4  # the third: refused without a call
        for vote, reason in zip(votes, ("HTTP error", "HTTP error", "circuit breaker open"),
                                strict=True):  # fmt: skip
            assert isinstance(vote, Vote)
            assert vote.source == "fallback"
            assert f"LLM not used: {reason}" in vote.reasoning
            assert any("momentum" in factor for factor in vote.key_factors)
        rig.harness.clock.advance(60)  # the cool-down: one probe, it succeeds
        rig.harness.server.script(good(), good(), good())
        probed = await agent.analyze(context(at=CLOSE + timedelta(minutes=3)))
        assert isinstance(probed, Vote)
        assert probed.source == "llm"
        assert rig.client.breaker.state == "closed"
    assert rig.harness.outcomes() == ["http_error"] * 2 + ["breaker_open"] + ["ok"] * 3
    assert [r.source for r in rig.history.readings] == ["fallback"] * 3 + ["llm"]


async def test_over_budget_falls_back_naming_it(rig: AgentRig) -> None:
    rig.harness.server.script(good(), good(), good())
    async with rig.client:
        await rig.agent().analyze(context())
        rig.client._settings = rig.client._settings.model_copy(update={"daily_budget_usd": 0.0})
        vote = await rig.agent().analyze(context(at=CLOSE - timedelta(minutes=1)))
    assert isinstance(vote, Vote)
    assert vote.source == "fallback"
    assert "LLM not used: over budget" in vote.reasoning
    assert rig.harness.outcomes()[-1] == "over_budget"


async def test_a_hanging_model_times_out_and_falls_back(harness: Harness) -> None:
    rig = single_item_rig(harness, timeout=0.2, max_retries=0)
    harness.server.script(hang(2.0))
    vote = await vote_of(rig)
    assert isinstance(vote, Vote)
    assert vote.source == "fallback"
    assert "LLM not used: timeout" in vote.reasoning
    assert harness.outcomes() == ["timeout"]


async def test_the_agent_deadline_bounds_the_text_model_then_falls_back(
    harness: Harness,
) -> None:
    rig = single_item_rig(harness, timeout=5.0, max_retries=0)
    harness.server.script(hang(3.0))
    vote = await vote_of(rig, timeout_seconds=0.3)
    assert isinstance(vote, Vote)
    assert "LLM not used: timeout (no answer within 0.27 s)" in vote.reasoning
    (call,) = harness.ledger.calls  # the cancelled call is recorded too
    assert (call.outcome, call.cost_usd) == ("timeout", None)
    assert call.error == "cancelled by the caller (its deadline passed)"
    assert rig.client.breaker.consecutive_failures == 0


async def test_without_the_fallback_an_unavailable_llm_abstains(harness: Harness) -> None:
    rig = single_item_rig(harness, api_key=None)
    vote = await vote_of(rig, fallback_to_momentum=False)
    assert isinstance(vote, Abstention)
    assert "LLM unavailable: no API key (sentiment.fallback_to_momentum is off)" in vote.reason


async def test_a_cached_answer_is_reused_within_the_ttl_in_session_time(rig: AgentRig) -> None:
    rig.harness.server.script(good(), good(), good(), good(), good(), good())
    async with rig.client:
        agent = rig.agent(cache_ttl_seconds=1200)
        await agent.analyze(context())
        hit = await agent.analyze(context(at=CLOSE + timedelta(minutes=19)))
        assert len(rig.harness.server.requests) == 3  # no second request
        assert isinstance(hit, Vote)
        assert "cached from 21:00 UTC" in hit.reasoning
        earlier = await agent.analyze(context(at=CLOSE - timedelta(minutes=5)))
        assert isinstance(earlier, Vote)  # a decision before the entry: asked again
        assert len(rig.harness.server.requests) == 6
    assert "cached from" in rig.history.readings[1].notes[-1]


async def test_a_replay_on_daily_bars_never_reuses_yesterdays_answer(rig: AgentRig) -> None:
    rig.harness.server.script(*[good()] * 6)
    rig.news.all.append(item("Acme adds a product line", -20))  # news of the next day
    async with rig.client:
        agent = rig.agent(cache_ttl_seconds=1800)
        await agent.analyze(context())
        await agent.analyze(context(at=CLOSE + timedelta(days=1)))
    assert len(rig.harness.server.requests) == 6


async def test_high_volatility_cuts_the_confidence_with_a_note(rig: AgentRig) -> None:
    rig.harness.server.script(good(), good(), good())
    bars = daily_bars(swing=0.06)
    async with rig.client:
        vote = await rig.agent().analyze(context(bars))
    assert isinstance(vote, Vote)
    assert vote.confidence < 0.8 * 0.75
    assert "above reference 0.02" in vote.reasoning


async def test_the_lexicon_reads_the_headlines_without_a_call(rig: AgentRig) -> None:
    rig.news.all = [item("Acme profit soars to a record", 2), item("Acme beats estimates", 3)]
    async with rig.client:
        vote = await rig.agent(LexiconHeadlineModel()).analyze(context())
    assert isinstance(vote, Vote)
    assert (vote.source, vote.direction) == ("lexicon", Action.BUY)
    assert rig.harness.server.requests == []


async def test_a_failing_news_reader_is_an_abstention_not_a_crash(rig: AgentRig) -> None:
    class Broken:
        def items(self, *_args: object, **_kwargs: object) -> tuple[()]:
            raise RuntimeError("database gone")

    rig.news = Broken()  # type: ignore[assignment]
    vote = await vote_of(rig)
    assert isinstance(vote, Abstention)
    assert vote.reason == "sentiment failed: RuntimeError: database gone"


async def test_the_prompt_carries_the_market_context_and_the_index_move(rig: AgentRig) -> None:
    from trademind.agents.sentiment.agent import SentimentAgent
    from trademind.config.sections_ai import SentimentSettings

    rig.harness.server.script(good(), good(), good())
    index_bars = daily_bars("SPY", swing=0.0)  # +0.2% a calendar day
    asked: list[object] = []

    def index(at: object) -> tuple[object, ...]:
        asked.append(at)
        return index_bars

    async with rig.client:
        agent = SentimentAgent(
            SentimentSettings(), news=rig.news, model=LlmSentimentModel(rig.client),
            wall=rig.harness.clock, index=index, index_symbol="SPY",  # type: ignore[arg-type]
        )  # fmt: skip
        await agent.analyze(context())
    prompt = rig.harness.server.requests[0].body["messages"][-1]["content"]
    assert "Index SPY: change 1d +0.2%, 1w +1.4%." in prompt  # 1.002 ** 7 - 1
    assert "AAPL last close" in prompt
    assert asked == [CLOSE]
