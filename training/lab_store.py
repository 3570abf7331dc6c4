"""The strategy lab's saved studies: a manager's study opens again as it was.

A study that finished is kept with its owner: the inputs that reproduce it (the report's
``bianque-inputs``, training.lab_report) and every replication's figures and per-month
series as a compressed numpy archive (read without pickle). Opening it rebuilds the
:class:`training.lab.LabOutcome` the page and the report draw from, without running the
study again; a reload, a closed tab or a sign-out no longer loses an hour's study.

Only the owner lists, opens and deletes their studies (and only with the strategy lab's
role). A study saved by a version whose inputs no longer read raises
:class:`StoredStudyError` with the reason, instead of a traceback.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select

from sim.run_summary import FIGURES, SERIES
from sim.study import StudyResult
from training.accounts import User
from training.authz import Action, require
from training.db import Database, aware, now, session_scope
from training.lab import LabOutcome
from training.lab_report import inputs_json, request_from_inputs
from training.models import LabStudyRow

MAX_SAVED = 50
"""Studies kept per manager: saving one more drops the oldest."""
MAX_BYTES = 64 * 2**20
"""The largest study kept (its compressed figures): about 5,000 futures of a 60-month case
with a seven-count staffing sweep. A larger one stays on the page and in its report."""


class StoredStudyError(Exception):
    """A saved study that cannot be opened (``key`` and ``params``: the message in the
    page's language, training/locales: lab.saved.*)."""

    def __init__(self, key: str, **params: str):
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


@dataclass(frozen=True)
class SavedStudy:
    """One saved study as the list shows it."""

    id: int
    created_at: datetime
    scenario_id: str
    title: dict
    labels: list
    reps: int
    staff: list
    seconds: float


def _pack(outcome: LabOutcome) -> bytes:
    """Every replication's figures and series of the study and of each sweep count, keyed
    by study, strategy (its place in the study's runs) and figure."""
    arrays = {}
    for k, res in enumerate([outcome.study, *outcome.sweep]):
        arrays[f"{k}.seeds"] = np.array(res.seeds, dtype=np.uint64)
        for j, spec in enumerate(res.spec.runs):
            for name in FIGURES:
                arrays[f"{k}.{j}.f.{name}"] = res.figures[spec.label][name]
            for name in SERIES:
                arrays[f"{k}.{j}.s.{name}"] = res.series[spec.label][name]
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _unpack(inputs: dict, blob: bytes) -> LabOutcome:
    request = request_from_inputs(inputs)
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        stored = {name: z[name] for name in z.files}
    results = []
    for k, spec in enumerate(request.specs()):
        seeds = [int(x) for x in stored[f"{k}.seeds"]]
        if seeds != spec.seeds():
            raise StoredStudyError("lab.saved.mismatch")
        n, months = spec.reps, spec.horizon
        figures, series = {}, {}
        for j, run in enumerate(spec.runs):
            # a figure added since the study was saved reads as not measured
            figures[run.label] = {name: stored.get(f"{k}.{j}.f.{name}", np.full(n, math.nan))
                                  for name in FIGURES}
            series[run.label] = {name: stored.get(f"{k}.{j}.s.{name}",
                                                  np.full((n, months), math.nan))
                                 for name in SERIES}
        results.append(StudyResult(spec=spec, seeds=seeds, figures=figures, series=series))
    return LabOutcome(request=request, study=results[0], sweep=results[1:])


def save(db: Database | None, user: User, outcome: LabOutcome, seconds: float) -> int:
    """Keep a finished study for its owner; its id. Past MAX_SAVED the oldest goes."""
    require(user, Action.STRATEGY_LAB, db=db)
    req = outcome.request
    blob = _pack(outcome)
    if len(blob) > MAX_BYTES:
        raise StoredStudyError("lab.saved.too_large", mb=f"{len(blob) / 2**20:.0f}",
                               limit=f"{MAX_BYTES // 2**20}")
    row = LabStudyRow(owner_id=user.id, created_at=now(), scenario_id=req.scenario.id,
                      title=dict(req.scenario.title.model_dump(mode="json")),
                      labels=list(outcome.study.spec.labels), reps=req.reps,
                      staff=list(req.staff), seconds=float(seconds),
                      inputs=inputs_json(req), results=blob)
    with session_scope(db) as s:
        s.add(row)
        s.flush()
        ids = s.scalars(select(LabStudyRow.id).where(LabStudyRow.owner_id == user.id)
                        .order_by(LabStudyRow.created_at.desc(), LabStudyRow.id.desc())).all()
        for old in ids[MAX_SAVED:]:
            s.delete(s.get(LabStudyRow, old))
        return row.id


def listing(db: Database | None, user: User) -> list[SavedStudy]:
    """The user's saved studies, newest first."""
    require(user, Action.STRATEGY_LAB, db=db)
    cols = (LabStudyRow.id, LabStudyRow.created_at, LabStudyRow.scenario_id, LabStudyRow.title,
            LabStudyRow.labels, LabStudyRow.reps, LabStudyRow.staff, LabStudyRow.seconds)
    with session_scope(db) as s:
        rows = s.execute(select(*cols).where(LabStudyRow.owner_id == user.id)
                         .order_by(LabStudyRow.created_at.desc(), LabStudyRow.id.desc())).all()
    return [SavedStudy(id=r[0], created_at=aware(r[1]), scenario_id=r[2], title=r[3],
                       labels=r[4], reps=r[5], staff=r[6], seconds=r[7]) for r in rows]


def _own(s, user: User, study_id: int) -> LabStudyRow:
    row = s.get(LabStudyRow, int(study_id))
    if row is None or row.owner_id != user.id:  # another's study is as good as absent
        raise StoredStudyError("lab.saved.gone")
    return row


def load(db: Database | None, user: User, study_id: int) -> tuple[LabOutcome, float]:
    """A saved study of the user's, as it ran, and how long it took (seconds)."""
    require(user, Action.STRATEGY_LAB, db=db)
    with session_scope(db) as s:
        row = _own(s, user, study_id)
        inputs, blob, seconds = row.inputs, row.results, row.seconds
    try:
        return _unpack(inputs, blob), seconds
    except StoredStudyError:
        raise
    except (KeyError, ValueError, TypeError, OSError) as err:  # an older version's inputs
        raise StoredStudyError("lab.saved.unreadable", detail=str(err)[:200]) from None


def delete(db: Database | None, user: User, study_id: int) -> None:
    require(user, Action.STRATEGY_LAB, db=db)
    with session_scope(db) as s:
        s.delete(_own(s, user, study_id))
