"""Scenario and plan files -> validated models, with every problem named precisely.

A file goes through three gates, and each one reports in the same shape (`Problem`): the bytes
(exists, a file, not too large, UTF-8) and the document (YAML or JSON that parses, no alias bomb,
a mapping at the top), both in `sim.inputs.files`, then the model (pydantic, including the
scenario's cross-reference checks), here. `problems_from_validation` turns pydantic's errors
into Problems for every input module. Nothing here prints; the CLI renders `InputError`
however it likes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from sim.errors import InputError, Problem
from sim.inputs.files import file_error, load_document, value_repr
from sim.inputs.problems import defined_ids, problems_from_validation, reference_problems
from sim.schema import Plan, Scenario, check_plan

M = TypeVar("M", bound=BaseModel)


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (YAML or JSON).

    Raises:
        InputError: listing every problem found, each naming file, field and value.
    """
    return load_model(path, Scenario, lambda data: reference_problems(
        str(path), data, defined_ids(data)))


# What one simulation holds: every person's skill in every class (a table per replication),
# and every page, hand-off and fall-back looks over the team. Past these, a run takes minutes
# to hours and gigabytes (10,000 people x 2,000 classes did not finish in an hour); simulating
# commands refuse it at once, saying what to do instead.
MAX_PEOPLE = 2_000
MAX_SKILL_CELLS = 1_000_000  # people x incident classes


def size_problems(scenario: Scenario, file: str = "") -> list[Problem]:
    """Why `scenario` is too large to simulate (empty when it is not): the sizes, the limits
    and what to simulate instead."""
    people, classes = len(scenario.people), len(scenario.classes)
    if people <= MAX_PEOPLE and people * classes <= MAX_SKILL_CELLS:
        return []
    return [Problem(
        file or f"scenario '{scenario.name}'", "people",
        f"{people:,} people x {classes:,} classes",
        f"too large to simulate: herosim simulates up to {MAX_PEOPLE:,} people and "
        f"{MAX_SKILL_CELLS:,} person-class skills ({people * classes:,} here) in one "
        "scenario. Simulate each team, or a group of teams that page each other, as a "
        "scenario of its own (herosim calibrate writes one per team)")]


def load_plan(ref: str | Path, scenario: Scenario) -> Plan:
    """A transfer plan: a plan file, or the name of a plan kept in the scenario.

    The plan is checked against the scenario (its people and classes).

    Raises:
        InputError: the file is bad, names what the scenario lacks, or no such plan exists.
    """
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file():
        ids = {"person": {p.id for p in scenario.people}, "class": {c.id for c in
               scenario.classes}, "service": {v.id for v in scenario.services}}
        plan = load_model(path, Plan, lambda data: reference_problems(str(path), data, ids,
                                                                       plan=True))
        try:
            check_plan(plan, scenario)
        except ValidationError as error:
            raise InputError(problems_from_validation(str(path), error)) from None
        return plan
    plan = scenario.plan(str(ref))
    if plan is None:
        names = ", ".join(p.name for p in scenario.plans) or "none"
        raise InputError([Problem(
            "command line", "--plan", value_repr(str(ref)),
            f"no plan file of that name, and no plan called that in scenario "
            f"'{scenario.name}' (its plans: {names})",
        )])
    return plan


def is_plan_document(data: dict) -> bool:
    """A document with `actions` and no `services` is a plan file."""
    return "actions" in data and "services" not in data


def load_model(path: str | Path, model_cls: type[M],
               references: Callable[[dict], list[Problem]] | None = None) -> M:
    """Load a YAML or JSON file and validate it as `model_cls`.

    Args:
        path: the file.
        model_cls: the model to validate it as.
        references: when the fields do not validate, the document's references to ids it
            does not know (the model checks them only once its fields parse), reported with
            the other problems.

    Raises:
        InputError: listing every problem found, each naming file, field and value.
    """
    name = str(path)
    data = load_document(path)
    try:
        return model_cls.model_validate(data)
    except ValidationError as error:
        problems = problems_from_validation(name, error, data, model_cls)
        if references is not None:
            where = {p.field_path for p in problems}
            problems += [p for p in references(data) if p.field_path not in where]
        raise InputError(problems) from None
    except RecursionError:
        raise file_error(name, "the document nests too deeply to validate") from None


def plan_warnings(plan: Plan, scenario: Scenario, file: str = "") -> list[Problem]:
    """What in `plan` would do nothing on `scenario`: valid, but most likely not what its
    author meant (removing a requirement nobody has, fixing a condition to its current value).

    Args:
        plan: the plan, already checked against the scenario.
        scenario: the team it runs on.
        file: the plan's file as the user named it (default: the plan in the scenario).
    """
    where = file or f"plan {plan.name}"
    warnings = []

    def warn(i: int, field: str, value, message: str) -> None:
        warnings.append(Problem(where, f"actions[{i}].{field}" if field else f"actions[{i}]",
                                value_repr(value), message))

    conditions = scenario.conditions
    for i, action in enumerate(plan.actions):
        if action.kind == "remove_requires":
            for cid in action.classes:
                required = scenario.incident_class(cid).requires
                if not required:
                    warn(i, "classes", cid, f"class '{cid}' requires nobody: removing its "
                         "requirement does nothing")
                for pid in action.people:
                    if required and pid not in required:
                        warn(i, "people", pid, f"class '{cid}' does not require '{pid}' (it "
                             f"requires {', '.join(required)}): this does nothing for them")
        elif action.kind == "remove_needs":
            for sid in action.services:
                changes = scenario.service(sid).changes
                if changes is not None and not changes.needs:
                    warn(i, "services", sid, f"the changes of '{sid}' need nobody: removing "
                         "the gate does nothing")
        elif action.kind == "fix_condition":
            name = action.condition.value
            if name == "release_fragility":  # per service: its changes' failure rate
                targets = [(sid, changes.failure_rate) for sid in action.services
                           if (changes := scenario.service(sid).changes) is not None]
            elif name == "ownership":  # per class: the team-wide routing ambiguity
                targets = [(cid, conditions.routing_ambiguity) for cid in action.classes]
            else:
                targets = [(None, getattr(conditions, name))]
            for target, current in targets:
                if current == action.value:
                    of = f" of '{target}'" if target is not None else ""
                    warn(i, "value", action.value, f"{name}{of} is already {current:g} in "
                         "the scenario: this fix changes nothing")
        elif action.kind == "stop_informal_pulls" and conditions.informal_pull == 0:
            warn(i, "", action.kind, "the scenario's informal_pull is 0: nobody pulls the "
                 "hero informally, so stopping it changes nothing")
    if not plan.actions:
        warnings.append(Problem(where, "actions", None, "the plan has no actions: it is the "
                                "team as it is"))
    return warnings
