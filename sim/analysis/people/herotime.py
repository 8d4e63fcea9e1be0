"""The hero's time by kind, week by week over a plan run, against their capacity and budget.

A replication's plan run gives each tracked person (the heroes, and the `--also-without`
person) an array of hours by kind per week (`weekly_hours`); `HeroTimeData` sums them over
replications and gives the documents: the week-by-week series (`HeroTimeSeries`) and the mean
over any span of weeks (`HeroTime`, e.g. the weeks since the previous checkpoint). A week is
overloaded when its total exceeds the person's capacity (working hours a week x (1 -
project_share)); over budget when its transfer and backup hours exceed the person's
`transfer_hours_per_week`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.analysis.people.hours import (
    COLUMNS,
    as_kinds,
    budget_used,
    hours_table,
    week_edges,
    weekly_capacity,
)
from sim.analysis.people.review import EPSILON
from sim.analysis.types.people import HeroTime, HeroTimeSeries, HeroWeek
from sim.model.records import RunRecords
from sim.schema import Person, Plan, Scenario


def weekly_hours(records: RunRecords, scenario: Scenario, people: Sequence[str], weeks: int,
                 plan: Plan | None = None) -> dict[str, np.ndarray]:
    """Each person's hours by kind in weeks 0..weeks-1 of a run (weeks x COLUMNS arrays)."""
    return {p: table.astype(np.float32) for p, table in hours_table(
        records, people, week_edges(weeks), scenario.learning.pairing_overhead, plan).items()}


def hero_time(hours: Sequence[float], person: Person) -> HeroTime:
    """Hours per week by kind (a COLUMNS row) against the person's capacity and budget."""
    kinds = as_kinds(hours)
    capacity = weekly_capacity(person)
    return HeroTime(
        hours=kinds,  # type: ignore[arg-type]
        capacity=capacity,
        improvement_left=capacity - kinds["total"],
        overloaded=kinds["total"] > capacity + EPSILON,
        budget=person.transfer_hours_per_week,
        budget_used=budget_used(hours),
    )


class HeroTimeData:
    """Weekly hours by kind of the tracked people, summed over replications."""

    def __init__(self, scenario: Scenario, people: Sequence[str], weeks: int):
        self.people = {p.id: p for p in scenario.people if p.id in set(people)}
        self.weeks = weeks
        self.replications = 0
        self.sums: dict[str, np.ndarray] = {}

    def add(self, tables: dict[str, np.ndarray]) -> None:
        """Take in one replication's weekly tables."""
        self.replications += 1
        for person, table in tables.items():
            if person in self.people:
                self.sums[person] = self.sums.get(person, 0.0) + np.asarray(table, dtype=float)

    def mean(self, person: str) -> np.ndarray:
        """The person's mean hours by kind per week (weeks x COLUMNS)."""
        table = self.sums.get(person)
        if table is None or not self.replications:
            return np.zeros((self.weeks, len(COLUMNS)))
        return table / self.replications

    def span(self, first: int, last: int) -> dict[str, HeroTime]:
        """Per person, the mean hours per week over weeks first..last-1 (none when empty)."""
        if last <= first:
            return {}
        return {p: hero_time(self.mean(p)[first:last].mean(axis=0), person)
                for p, person in self.people.items()}

    def series(self) -> dict[str, HeroTimeSeries]:
        """Per person, the week-by-week series over the run."""
        out = {}
        for p, person in self.people.items():
            table = self.mean(p)
            weeks = [HeroWeek(week=w, hours=t.hours, improvement_left=t.improvement_left,
                              overloaded=t.overloaded)
                     for w, t in enumerate(hero_time(row, person) for row in table)]
            budget = person.transfer_hours_per_week
            out[p] = HeroTimeSeries(
                capacity=weekly_capacity(person),
                budget=budget,
                weeks=weeks,
                overloaded_weeks=[w.week for w in weeks if w.overloaded],
                over_budget_weeks=[w for w, row in enumerate(table)
                                   if budget_used(row) > budget + EPSILON],
                # A check of no weeks (a checkpoint at week 0 only) asked for no time.
                mean=hero_time(table.mean(axis=0) if len(table) else np.zeros(len(COLUMNS)),
                               person),
            )
        return out
