"""Skill dynamics: practice with diminishing returns, forgetting toward the floor, runbooks."""

from __future__ import annotations

import pytest

from sim.model.skills import Runbooks, SkillBook, decayed, ramp
from sim.schema import MINUTES_PER_DAY, Learning, PracticeKind, Rate

HALF_LIFE = 100.0 * MINUTES_PER_DAY
RATE = Rate(knowledge=0.5, confidence=0.25)


def book(k: float = 0.2, c: float = 0.1, half_life: float | None = HALF_LIFE) -> SkillBook:
    """A one-person, one-class book starting (and floored) at `k`, `c`."""
    return SkillBook({"ann": {"k": [k, c, 0.0]}}, half_life=half_life)


def test_practice_closes_a_share_of_the_gap():
    """One practice moves k to k + r(1 - k), and c likewise with its own rate."""
    skills = book(0.2, 0.1)
    skills.practise("ann", "k", 0.0, RATE)
    assert skills.get("ann", "k", 0.0) == pytest.approx((0.2 + 0.5 * 0.8, 0.1 + 0.25 * 0.9))


def test_unused_skill_loses_half_its_gain_in_one_half_life():
    """Read exactly one half-life after practice, half the gain above the floor is left."""
    skills = book(0.2, 0.1)
    t0 = 10.0 * MINUTES_PER_DAY
    skills.practise("ann", "k", t0, RATE)
    k0, c0 = skills.get("ann", "k", t0)
    k1, c1 = skills.get("ann", "k", t0 + HALF_LIFE)
    assert k1 == pytest.approx(0.2 + (k0 - 0.2) / 2)
    assert c1 == pytest.approx(0.1 + (c0 - 0.1) / 2)
    k2, _ = skills.get("ann", "k", t0 + 2 * HALF_LIFE)
    assert k2 == pytest.approx(0.2 + (k0 - 0.2) / 4)


def test_decay_is_lazy_and_exact_across_reads():
    """Reading a skill does not change it: two half-lives read in steps equal one read."""
    skills = book(0.0, 0.0)
    skills.practise("ann", "k", 0.0, RATE)
    skills.get("ann", "k", HALF_LIFE)
    assert skills.get("ann", "k", 2 * HALF_LIFE)[0] == pytest.approx(0.5 / 4)


def test_practice_after_disuse_starts_from_the_decayed_value():
    """A practice first applies the decay up to its time, then closes the gap."""
    skills = book(0.0, 0.0)
    skills.practise("ann", "k", 0.0, RATE)  # k = 0.5
    skills.practise("ann", "k", HALF_LIFE, RATE)  # decayed to 0.25, then + 0.5 * 0.75
    assert skills.get("ann", "k", HALF_LIFE)[0] == pytest.approx(0.25 + 0.5 * 0.75)


def test_no_decay_below_the_floor():
    """An untouched skill stays at its starting level however long it is unused."""
    skills = book(0.3, 0.2)
    assert skills.get("ann", "k", 50 * HALF_LIFE) == (0.3, 0.2)
    assert decayed(0.3, 0.3, 1e9, 1.0) == 0.3
    assert decayed(0.1, 0.3, 1e9, 1.0) == 0.1


def test_decay_never_crosses_the_floor():
    """Long disuse brings a trained skill back toward, never under, its floor."""
    skills = book(0.3, 0.2)
    skills.practise("ann", "k", 0.0, RATE)
    k, c = skills.get("ann", "k", 1000 * HALF_LIFE)
    assert 0.3 <= k < 0.3 + 1e-9
    assert 0.2 <= c < 0.2 + 1e-9


def test_frozen_book_stops_decay():
    """frozen(t) holds the skills as at t: later reads and a long wait change nothing."""
    skills = book(0.0, 0.0)
    skills.practise("ann", "k", 0.0, RATE)
    at_half = skills.get("ann", "k", HALF_LIFE)
    frozen = skills.frozen(HALF_LIFE)
    assert frozen.half_life is None
    assert frozen.get("ann", "k", HALF_LIFE) == pytest.approx(at_half)
    assert frozen.get("ann", "k", 100 * HALF_LIFE) == pytest.approx(at_half)
    # The original keeps decaying.
    assert skills.get("ann", "k", 2 * HALF_LIFE)[0] < at_half[0]


def test_frozen_is_a_copy():
    """Practising on a frozen book leaves the live book alone."""
    skills = book(0.0, 0.0)
    frozen = skills.frozen(0.0)
    frozen.practise("ann", "k", 0.0, RATE)
    assert skills.get("ann", "k", 0.0) == (0.0, 0.0)
    assert frozen.get("ann", "k", 0.0)[0] == pytest.approx(0.5)


def test_static_book_never_decays():
    """A book from a scenario without `dynamic` is fixed in time."""
    skills = book(0.0, 0.0, half_life=None)
    skills.practise("ann", "k", 0.0, RATE)
    assert skills.get("ann", "k", 1e9)[0] == pytest.approx(0.5)


def test_practice_has_diminishing_returns():
    """Each practice adds less than the one before."""
    skills = book(0.0, 0.0, half_life=None)
    values = [0.0]
    for _ in range(6):
        skills.practise("ann", "k", 0.0, Rate(knowledge=0.2, confidence=0.2))
        values.append(skills.get("ann", "k", 0.0)[0])
    gains = [b - a for a, b in zip(values, values[1:])]
    assert all(g > 0 for g in gains)
    assert all(later < earlier for earlier, later in zip(gains, gains[1:]))


def test_repeated_practice_converges_to_one_never_above():
    """Many practices approach 1 from below and never exceed it."""
    skills = book(0.0, 0.0, half_life=None)
    for _ in range(200):
        skills.practise("ann", "k", 0.0, Rate(knowledge=0.3, confidence=1.0))
        k, c = skills.get("ann", "k", 0.0)
        assert k <= 1.0 and c <= 1.0
    assert k == pytest.approx(1.0, abs=1e-9)
    assert c == 1.0


def test_default_rates_rank_lead_above_backup_above_pair_and_shadow():
    """Leading teaches most, backup less, pairing and shadowing least; a drill in between."""
    rates = Learning().rates
    k = {kind: rates[kind].knowledge for kind in PracticeKind}
    assert k[PracticeKind.LEAD] > k[PracticeKind.LEAD_WITH_BACKUP] > k[PracticeKind.PAIR]
    assert k[PracticeKind.PAIR] >= k[PracticeKind.SHADOW]
    assert k[PracticeKind.SHADOW] < k[PracticeKind.DRILL] < k[PracticeKind.LEAD]


def test_from_scenario_dynamic_uses_the_learning_half_life(make_scenario):
    """A dynamic book decays with `learning.half_life_days`; a static one not at all."""
    scenario = make_scenario(learning={"half_life_days": 30})
    assert SkillBook.from_scenario(scenario).half_life is None
    assert SkillBook.from_scenario(scenario, dynamic=True).half_life == 30 * MINUTES_PER_DAY
    assert SkillBook.from_scenario(scenario).get("ann", "k") == (0.5, 0.5)


def test_ramp():
    """0.5 at zero margin, certain at half the width above, impossible half below."""
    assert ramp(0.0, 0.2) == 0.5
    assert ramp(0.1, 0.2) == 1.0
    assert ramp(-0.1, 0.2) == 0.0
    assert ramp(0.05, 0.2) == pytest.approx(0.75)


# -- runbooks ---------------------------------------------------------------------------------

LEARNING = Learning(runbook_weight=0.5, runbook_speedup=0.3, runbook_half_life_days=180)
RUNBOOK_HALF_LIFE = 180 * MINUTES_PER_DAY


def runbooks() -> Runbooks:
    """A runbook for 'k' written at minute 0 with coverage 0.8 and quality 0.5."""
    books = Runbooks(LEARNING)
    books.write("k", coverage=0.8, quality=0.5, t=0.0)
    return books


def test_runbook_closes_coverage_quality_weight_share_of_the_gap():
    """Effective knowledge is k + (1 - k) x coverage x quality x weight."""
    books = runbooks()
    assert books.strength("k", 0.0) == pytest.approx(0.4)
    assert books.knowledge(0.2, "k", 0.0) == pytest.approx(0.2 + 0.8 * 0.4 * 0.5)
    assert books.knowledge(1.0, "k", 0.0) == pytest.approx(1.0)


def test_runbook_does_not_help_other_classes():
    """Without a runbook for the class, knowledge and work time are untouched."""
    books = runbooks()
    assert books.knowledge(0.2, "other", 0.0) == 0.2
    assert books.work_factor("other", 0.0) == 1.0
    assert Runbooks(LEARNING).knowledge(0.2, "k", 0.0) == 0.2


def test_runbook_raises_knowledge_not_confidence(make_scenario):
    """In the model, a runbook lifts effective knowledge while confidence stays put."""
    from sim.model import TeamModel

    scenario = make_scenario(runbooks=[{"class": "k", "coverage": 1.0, "quality": 1.0}])
    model = TeamModel(scenario, days=7, arrivals=[])
    cls = scenario.incident_class("k")
    assert model.ctx.effective_knowledge("ann", cls, 0.0) == pytest.approx(0.5 + 0.5 * 0.5)
    assert model.skills.get("ann", "k", 0.0) == (0.5, 0.5)


def test_runbook_strength_halves_after_its_half_life():
    """An unrefreshed runbook is half as strong after runbook_half_life_days."""
    books = runbooks()
    assert books.strength("k", RUNBOOK_HALF_LIFE) == pytest.approx(0.2)
    assert books.strength("k", 2 * RUNBOOK_HALF_LIFE) == pytest.approx(0.1)
    gain = books.knowledge(0.0, "k", RUNBOOK_HALF_LIFE)
    assert gain == pytest.approx(books.knowledge(0.0, "k", 0.0) / 2)


def test_refresh_restores_strength():
    """A refresh makes a stale runbook as strong as when it was written."""
    books = runbooks()
    books.refresh("k", RUNBOOK_HALF_LIFE)
    assert books.strength("k", RUNBOOK_HALF_LIFE) == pytest.approx(0.4)
    assert books.strength("k", 2 * RUNBOOK_HALF_LIFE) == pytest.approx(0.2)


def test_refresh_without_a_runbook_does_nothing():
    """Refreshing a class that has no runbook does not create one."""
    books = Runbooks(LEARNING)
    books.refresh("k", 0.0)
    assert books.strength("k", 0.0) == 0.0


def test_work_factor_shortens_work_by_speedup_times_strength():
    """Work time is multiplied by 1 - speedup x strength, which fades with the runbook."""
    books = runbooks()
    assert books.work_factor("k", 0.0) == pytest.approx(1 - 0.3 * 0.4)
    assert books.work_factor("k", RUNBOOK_HALF_LIFE) == pytest.approx(1 - 0.3 * 0.2)


def test_frozen_runbooks_stop_ageing():
    """Frozen runbooks keep the strength they had at the freeze."""
    books = runbooks()
    frozen = books.frozen(RUNBOOK_HALF_LIFE)
    assert frozen.strength("k", 0.0) == pytest.approx(0.2)
    assert frozen.strength("k", 100 * RUNBOOK_HALF_LIFE) == pytest.approx(0.2)
    assert frozen.work_factor("k", 1e9) == pytest.approx(1 - 0.3 * 0.2)


def test_scenario_runbook_written_before_the_start_is_already_aged(make_scenario):
    """A runbook written one half-life before day 0 starts at half strength."""
    scenario = make_scenario(
        learning={"runbook_half_life_days": 30},
        runbooks=[{"class": "k", "coverage": 1.0, "quality": 1.0, "written_day": -30}],
    )
    assert Runbooks.from_scenario(scenario).strength("k", 0.0) == pytest.approx(0.5)
