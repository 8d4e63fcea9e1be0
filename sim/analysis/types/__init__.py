"""Every document an analysis returns, named (after Chaos Toolkit's `chaoslib/types.py`).

The fields are the keys docs/outputs.md documents, in the order the JSON writes them:
`doc.to_json()` is the file (`metrics.json`, `independence.json`, `compare.json`,
`advise.json`) and `Type.from_json(data)` reads one back (sim/analysis/document.py). Dataclasses
are the documents and their rows; TypedDicts are the JSON-shaped nests where a dict keyed by
data (person, class, hour class) is the natural form: the run metrics, the criteria, the skills.

One module per command (run, check, compare, advise; shared: Interval, Estimate), every name
exported here:

    run       RunDocument: metrics (RunMetrics of Estimate leaves), baseline, FitCheck
    check     CheckDocument: Checkpoint (ClassRow of ArmFigures, ReleaseRow, Overall),
              TimeToIndependence, FinalVerdict (HoldingBack), SkillTables
    compare   CompareDocument: PlanRow (Versus), RankingEntry (Difference), the checks
    people    HeroTime (HoursByKind), HeroTimeSeries (HeroWeek), PeopleArm (PersonFigures),
              PlanReview (Budget, BudgetRow, ApproverFlag), ConcentrationAlert, Sustainment
              (ClassDrift), Finding: each person's load and the hero's time
    advise    AdviseDocument: BaselineRisk, ClassAttribution (CauseShare), CandidateRow,
              ClassVerdict; Proposal (SearchStep, ProposalMove), ProposalCheck
              (ClassCheck) from proposal
"""

from sim.analysis.types.advise import (
    AdviseDocument,
    BaselineRisk,
    CandidateRow,
    CandidateRules,
    CauseShare,
    ClassAttribution,
    ClassVerdict,
    Reduction,
)
from sim.analysis.types.check import (
    ArmFigures,
    Bands,
    CheckDocument,
    Checkpoint,
    ClassRow,
    Criteria,
    FinalVerdict,
    HoldingBack,
    NextOut,
    Overall,
    ReleaseFlow,
    ReleaseRow,
    Skill,
    SkillTable,
    SkillTables,
    TimeToIndependence,
)
from sim.analysis.types.compare import CompareDocument, Difference, PlanRow, RankingEntry, Versus
from sim.analysis.types.people import (
    ApproverFlag,
    Budget,
    BudgetRow,
    ClassDrift,
    ConcentrationAlert,
    Finding,
    HeroTime,
    HeroTimeSeries,
    HeroWeek,
    HoursByKind,
    Interruptions,
    PeopleArm,
    PersonFigures,
    PlanReview,
    Sustainment,
)
from sim.analysis.types.proposal import (
    ClassCheck,
    Proposal,
    ProposalCheck,
    ProposalMove,
    SearchStep,
)
from sim.analysis.types.run import (
    ChangeMetrics,
    ClassMetrics,
    EffectiveResponders,
    FitCheck,
    HeroHours,
    HeroInterruptions,
    HeroTimeRow,
    MetricsSummary,
    PersonLoad,
    ReleaseDelay,
    ReplicationMetrics,
    RollbackTimes,
    RunDocument,
    RunMetrics,
    Spread,
    Struggled,
)
from sim.analysis.types.shared import Estimate, Interval

__all__ = [
    "ApproverFlag", "Budget", "BudgetRow", "ClassDrift", "ConcentrationAlert", "Finding",
    "HeroTime", "HeroTimeRow", "HeroTimeSeries", "HeroWeek", "HoursByKind", "Interruptions",
    "NextOut", "PeopleArm", "PersonFigures", "PlanReview", "Sustainment",
    "AdviseDocument", "ArmFigures", "Bands", "BaselineRisk", "CandidateRow", "CandidateRules",
    "CauseShare", "ChangeMetrics", "CheckDocument", "Checkpoint", "ClassAttribution", "ClassCheck",
    "ClassMetrics", "ClassRow", "ClassVerdict", "CompareDocument", "Criteria", "Difference",
    "EffectiveResponders", "Estimate", "FinalVerdict", "FitCheck", "HeroHours",
    "HeroInterruptions", "HoldingBack", "Interval", "MetricsSummary", "Overall", "PersonLoad",
    "PlanRow", "Proposal", "ProposalCheck", "ProposalMove", "RankingEntry", "Reduction",
    "ReleaseDelay", "ReleaseFlow", "ReleaseRow", "ReplicationMetrics", "RollbackTimes",
    "RunDocument", "RunMetrics", "SearchStep", "Skill", "SkillTable", "SkillTables", "Spread",
    "Struggled", "TimeToIndependence", "Versus",
]
