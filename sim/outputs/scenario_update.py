"""The scenario file with the skills a game day updated (`herosim score --update OUT.yaml`).

This is an output, not an input: it is a file herosim writes, made from an analysis's result
(`ScoreResult.skill_updates`), and the layering puts what reads analyses' results in
sim/outputs/ (inputs come before analyses and cannot know them). It reads the original text
with the inputs' own YAML loader (`sim.inputs.files`) so that it edits the document exactly as
the loader sees it, and checks its edit the way `herosim validate` will read it.

The original text is kept and only the changed skill values are rewritten in place; when that
is not possible the scenario is re-emitted as YAML. Method and format: docs/gameday.md,
"Updating skills".
"""

from __future__ import annotations

import yaml

from sim.analysis.gameday.types import ScoreResult, SkillPoint
from sim.inputs.files import YamlLoader, parse_document
from sim.schema import Scenario, Skill

# (person, class) -> the scenario's new skill.
Changes = dict[tuple[str, str], SkillPoint]


def updated_scenario_text(text: str, scenario: Scenario, result: ScoreResult,
                          source: str = "scenario") -> str:
    """The scenario file with the updated skills, and a comment block saying what changed.

    The original text is kept and only the changed skill values are rewritten in place (as
    `{knowledge: K, confidence: C}`); when that is not possible (anchors, unusual layout) or
    does not validate to exactly the intended skills, the whole scenario is re-emitted as YAML
    instead. Either way the result validates as a scenario.

    Args:
        text: the scenario file's text, as read.
        scenario: that scenario, validated.
        result: the scored game day whose skill updates to apply.
        source: the scenario file's name, for the comment block.
    """
    changes = {(u.person, u.class_id): u.scenario_after for u in result.changed_updates}
    header = _update_header(result, source)
    target = with_skills(scenario, changes)
    edited = _edit_in_place(text, changes)
    if edited is not None and _parses_to(edited, target):
        return header + edited
    return header + _emit(target)


def with_skills(scenario: Scenario, changes: Changes) -> Scenario:
    """`scenario` with the skills in `changes` set (other skills and fields unchanged)."""
    people = []
    for p in scenario.people:
        skills = dict(p.skills)
        for (person, class_id), value in changes.items():
            if person == p.id:
                skills[class_id] = Skill(knowledge=value.knowledge, confidence=value.confidence)
        people.append(p.model_copy(update={"skills": skills}))
    return scenario.model_copy(update={"people": people})


def _update_header(result: ScoreResult, source: str) -> str:
    lines = [
        f"# Updated by `herosim score` from the game day of {result.date} "
        f"(scenario day {result.scenario_day}, heroes {result.hero_role}),",
        f"# observations {result.observations}; scenario {source};",
        f"# {result.replications} replications, seed {result.seed}"
        + (f", plan {result.plan}." if result.plan else ", no plan."),
        "# Method (docs/gameday.md, 'Updating skills'): a grid posterior of each observed",
        "# person's knowledge and confidence for the class on the game day, from the model's",
        "# own chance of leading vs handing on and its work-time law; each value below moved by",
        "# the posterior mean minus the prior mean. Everything else is unchanged.",
        "#",
    ]
    changed = result.changed_updates
    if not changed:
        lines.append("# No skill moved by 0.005 or more: the scenario is unchanged.")
    for u in changed:
        before, after = u.scenario_before, u.scenario_after
        led = sum(e.led for e in u.evidence)
        handed = len(u.evidence) - led
        ids = ", ".join(dict.fromkeys(e.injection for e in u.evidence))
        lines.append(
            f"#   {u.person} / {u.class_id}: knowledge {before.knowledge:.2f} -> "
            f"{after.knowledge:.2f}, confidence {before.confidence:.2f} -> "
            f"{after.confidence:.2f} (led {led}, handed on {handed}: {ids})")
    return "\n".join(lines) + "\n\n"


def _emit(scenario: Scenario) -> str:
    data = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _parses_to(text: str, target: Scenario) -> bool:
    """Whether `text`, read as the loader reads a scenario file, validates to `target`."""
    try:
        return Scenario.model_validate(parse_document(text, "updated scenario")) == target
    except Exception:  # any failure means: fall back to re-emitting
        return False


def _edit_in_place(text: str, changes: Changes) -> str | None:
    """Rewrite the changed skill values in the YAML text; None when the layout is unusual."""
    if not changes:
        return text
    try:
        root = yaml.compose(text, Loader=YamlLoader)
    except yaml.YAMLError:
        return None
    people = _value(root, "people")
    if not isinstance(people, yaml.SequenceNode):
        return None
    edits: list[tuple[int, int, str]] = []
    for (person, class_id), value in changes.items():
        flow = f"{{knowledge: {value.knowledge:.2f}, confidence: {value.confidence:.2f}}}"
        node = next((p for p in people.value if isinstance(p, yaml.MappingNode)
                     and getattr(_value(p, "id"), "value", None) == person), None)
        if node is None:
            return None
        skills = _value(node, "skills")
        if skills is None:
            if node.flow_style:
                return None
            column = node.value[0][0].start_mark.column
            end = _line_end(text, node.end_mark.index)
            edits.append((end, end, "\n" + " " * column + f"skills: {{{class_id}: {flow}}}"))
            continue
        if not isinstance(skills, yaml.MappingNode):
            return None
        current = _value(skills, class_id)
        if current is not None:
            edits.append((current.start_mark.index, current.end_mark.index, flow))
        elif skills.flow_style:
            close = text.rfind("}", 0, skills.end_mark.index)
            sep = ", " if skills.value else ""
            edits.append((close, close, f"{sep}{class_id}: {flow}"))
        elif skills.value:
            column = skills.value[0][0].start_mark.column
            end = _line_end(text, skills.value[-1][1].end_mark.index)
            edits.append((end, end, "\n" + " " * column + f"{class_id}: {flow}"))
        else:
            return None
    for start, end, new in sorted(edits, reverse=True):
        if any(s < end and start < e for s, e, _ in edits if (s, e) != (start, end)):
            return None  # overlapping edits (aliases): re-emit instead
        text = text[:start] + new + text[end:]
    return text


def _value(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of `key` in a mapping node; None when absent or not a mapping."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _line_end(text: str, index: int) -> int:
    """End of the line holding the character before `index` (before any trailing comment is
    fine: the new entry goes on its own line after it)."""
    if index > 0 and text[index - 1] == "\n":
        return index - 1
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline
