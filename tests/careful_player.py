"""The careful trainee's rules, shared by the browser test and the step-API test.

What intro's briefing and debrief notes ask of a careful post-loan officer, as a
script that reads only what the desk shows (the alerts inbox, a loan file's
action panel: which actions can be queued, and what a restructuring would do to
the payment) and its own notes of what it did:

- month one: the borrowers the briefing names go on closer monitoring, renewed
  when it runs out;
- every month: the loans in the alerts inbox, in the inbox's order, at most
  ``ALERTS_PER_MONTH`` of them (attention is limited too);
- for an alerted loan that is not overdue: extra collateral or a guarantor while
  the borrower can still give it (asked once per loan); a restructuring when the
  trouble persists (the loan was in the inbox in an earlier month too) and the
  desk shows that it really cuts the payment; an on-site check when the officer
  has not been there for a while;
- for an overdue loan (collection is possible only then): the restructuring with a
  real cut first, while arrears are short, then a collection visit (or a call);
- the standing order stays on: defaulted loans go to the asset-preservation team.

`next_action` is the rule; `play` runs it through the step API
(`training.desk.Desk`), the browser test through the desk's own controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from training import report

ALERTS_PER_MONTH = 4
"""At most this many alerted loans are handled a month."""
CLOSER_MONITORING_MONTHS = 6
"""Closer monitoring runs this long (the catalogue's duration); then it is renewed."""
CHECK_AGAIN_MONTHS = 3
"""An alerted loan is checked on site again when the last visit is this old."""
RESTRUCTURE_AGAIN_MONTHS = 12
"""A restructured loan is not restructured again within its observation year."""


@dataclass(frozen=True)
class FileView:
    """What the trainee reads in an open loan file to decide."""

    loan: str  # the loan's label, as the desk shows it
    can_queue: frozenset[str]  # actions whose Queue button is enabled
    real_cut: bool = False  # the restructuring shown really lowers the payment


@dataclass
class Notes:
    """The trainee's own notes: the month each action was last queued on each loan, and
    the months each loan was in the inbox."""

    done: dict[tuple[str, str], int] = field(default_factory=dict)
    seen: dict[str, set[int]] = field(default_factory=dict)

    def since(self, loan: str, action: str, month: int) -> int | None:
        last = self.done.get((loan, action))
        return None if last is None else month - last

    def note(self, loan: str, action: str, month: int) -> None:
        self.done[(loan, action)] = month


def watch_due(notes: Notes, loan: str, month: int) -> bool:
    """Whether a named borrower's closer monitoring is due (never queued, or run out)."""
    last = notes.since(loan, "closer_monitoring", month)
    return last is None or last >= CLOSER_MONITORING_MONTHS


def next_action(view: FileView, notes: Notes, month: int, alerted: bool = True) -> str | None:
    """The next action to queue on the open loan file, or None when done with it.

    ``month`` is the month being played; queueing one action changes what else can be
    queued (hours), so the caller re-reads the file and asks again."""
    can = view.can_queue
    if not alerted:  # a named borrower, outside the inbox: keep watching it
        return "closer_monitoring" if "closer_monitoring" in can and watch_due(
            notes, view.loan, month) else None
    overdue = "collect_visit" in can or "collect_call" in can
    restructured = notes.since(view.loan, "restructure", month)
    may_restructure = ("restructure" in can and view.real_cut
                       and (restructured is None or restructured >= RESTRUCTURE_AGAIN_MONTHS))
    persistent = len(notes.seen.get(view.loan, set()) - {month}) > 0
    checked = notes.since(view.loan, "onsite_check", month)
    done_now = {a for (loan, a), m in notes.done.items() if loan == view.loan and m == month}
    if overdue:
        if may_restructure:
            return "restructure"
        for action in ("collect_visit", "collect_call"):
            if action in can and not done_now & {"collect_visit", "collect_call"}:
                return action
        return None
    if "add_collateral" in can and notes.since(view.loan, "add_collateral", month) is None:
        return "add_collateral"
    if may_restructure and persistent:
        return "restructure"
    if "onsite_check" in can and (checked is None or checked >= CHECK_AGAIN_MONTHS):
        return "onsite_check"
    return None


def inbox(desk) -> list[int]:
    """The loans in the alerts inbox, in the order the desk lists them (its alert picker)."""
    alerts = report.visible_alerts(desk.alerts())
    return list(dict.fromkeys(int(i) for i in alerts["loan_id"])) if len(alerts) else []


def file_view(desk, loan_id: int) -> FileView:
    """The step API's reading of a loan file: the same facts the action panel shows."""
    opts = desk.options(loan_id)
    relief = next((o.relief for o in opts if o.id == "restructure"), None)
    return FileView(desk.sim.pf.label(loan_id), frozenset(o.id for o in opts if o.available),
                    bool(relief and relief.meaningful))


def work_file(desk, loan_id: int, notes: Notes, month: int, alerted: bool = True) -> list[str]:
    """Queue the rule's actions on one loan until it has nothing more to do."""
    queued = []
    while (action := next_action(file_view(desk, loan_id), notes, month, alerted)) is not None:
        desk.queue(loan_id, action)
        notes.note(desk.sim.pf.label(loan_id), action, month)
        queued.append(action)
    return queued


def play(scenario, seed: int | None = None):
    """Play a case to its end with the careful rules through the step API; the finished desk."""
    from training.desk import Desk

    desk = Desk(scenario, seed)
    notes = Notes()
    named = [desk.sim.pf.named_index[b.id] for b in scenario.borrowers]
    while not desk.finished:
        month = desk.playing_month
        for i in named:
            if watch_due(notes, desk.sim.pf.label(i), month):
                work_file(desk, i, notes, month, alerted=False)
        if desk.month:
            for i in inbox(desk)[:ALERTS_PER_MONTH]:
                notes.seen.setdefault(desk.sim.pf.label(i), set()).add(month)
                work_file(desk, i, notes, month)
        desk.end_month(desk.month)
    return desk
