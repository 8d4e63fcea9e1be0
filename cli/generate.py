"""`herosim generate`: a synthetic organisation, its truth written before its history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, csv_text, handle_errors, write_file
from cli.options import output_folder
from sim.errors import InputError, Problem
from sim.inputs.generate import (
    CSV_COLUMNS,
    MAX_PEOPLE,
    MAX_TEAMS,
    MAX_WEEKS,
    csv_rows,
    plan_org,
    simulate_org,
)
from sim.outputs.journal import dump_json

PEOPLE_COLUMNS = ("id", "name", "email", "time_zone", "role", "job_title", "teams")


def generate(
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write.",
                                         callback=output_folder)],
    teams: Annotated[int, typer.Option(min=1, max=MAX_TEAMS, help=(
        "Teams, each in its own time zone: the first with --heroes heroes, the next with one "
        "fewer, a team without heroes has a busy non-hero instead."))] = 1,
    people: Annotated[int, typer.Option(min=2, max=MAX_PEOPLE, help="People per team.")] = 8,
    weeks: Annotated[int, typer.Option(min=1, max=MAX_WEEKS, help="Weeks of history.")] = 12,
    heroes: Annotated[Optional[int], typer.Option(min=0, max=MAX_PEOPLE - 1, help=(
        "Heroes of the first team (default 1 for one team, 2 for several)."))] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed: same seed, same organisation.")] = 0,
    messy: Annotated[bool, typer.Option(help=(
        "Damage the export as real ones are: a renamed user, unassigned and auto-resolved "
        "incidents, a dozen malformed rows."))] = False,
) -> None:
    """A synthetic organisation: truth.json and the teams' scenarios (the ground truth, written
    first), then history.json and history.csv (PagerDuty's raw incidents) and people.csv
    (PagerDuty's users, with each person's time zone)."""
    import yaml

    with handle_errors():
        first = heroes if heroes is not None else (1 if teams == 1 else 2)
        if first >= people:
            raise InputError([Problem("command line", "--heroes", str(first),
                                      f"must be fewer than --people ({people})")])
        plan = plan_org(teams=teams, people=people, weeks=weeks, heroes=first, seed=seed,
                        messy=messy)
        output.mkdir(parents=True, exist_ok=True)
        command = (f"herosim generate --teams {teams} --people {people} --weeks {weeks} "
                   f"--heroes {first} --seed {seed}" + (" --messy" if messy else ""))
        write_file(output / "truth.json", dump_json({"command": command, **plan.truth}))
        for team in plan.teams:
            doc = team.scenario.model_dump(mode="json", exclude_none=True, by_alias=True)
            header = f"# Ground truth of team {team.name}: {command}\n"
            path = (output / "scenario.yaml" if teams == 1
                    else output / "scenarios" / f"{team.scenario.name}.yaml")
            path.parent.mkdir(exist_ok=True)
            write_file(path, header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        org = simulate_org(plan)
        write_file(output / "history.json", dump_json(org.history))
        write_file(output / "history.csv", csv_text(CSV_COLUMNS, csv_rows(org.history["data"])))
        write_file(output / "people.csv", csv_text(PEOPLE_COLUMNS, (
            [u["id"], u["name"], u["email"], u["time_zone"], u["role"], u["job_title"],
             ",".join(u["teams"])] for u in org.users)))
    incidents = sum(isinstance(r, dict) for r in org.history["data"])
    heroes_found = [h["id"] for t in plan.truth["teams"] for h in t["heroes"]]
    console.print(f"[green]✓[/green] {escape(str(output))}: {len(plan.teams)} team(s), "
                  f"{len(plan.people)} people, {incidents} incidents over {weeks} weeks; "
                  f"heroes: {escape(', '.join(heroes_found) or 'none')} (truth.json)")


