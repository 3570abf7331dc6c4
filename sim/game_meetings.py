"""Meetings on the step API: holding a role-play conversation with a named borrower
during a month, and the terms it agreed joining the month's queue.

`Meetings` is a part of `sim.game.Game` (which supplies `sim`, `scenario`, `text`, the
month's meetings `_talks` and, from `sim.game_actions.ActionQueue`, `_why_not`,
`action_cost` and `_refuse`). The conversation itself is sim.roleplay (its graph),
sim.borrower_state (the hidden state it reads) and sim.conversation (walking it, its
effects).
"""

from __future__ import annotations

from sim.borrower_state import BorrowerState, premise_missing, state_of
from sim.conversation import Conversation, PathError
from sim.game_actions import ActionOption
from sim.roleplay import MEET_ACTION, MEETING_ACTION_IDS, Roleplay, meeting_action_of
from sim.roleplay_files import shipped


class Meetings:
    """The meetings of a Game: which conversations a loan has, holding one, its record."""

    @property
    def pending_talks(self) -> list[dict]:
        """Meetings held this month and not yet taken: loan_id, roleplay, path, actions."""
        return [dict(t, path=list(t["path"]), actions=list(t["actions"]),
                     facts=[list(f) for f in t["facts"]],
                     **({"lines": list(t["lines"])} if "lines" in t else {}))
                for t in self._talks]

    @property
    def roleplays(self) -> dict[str, Roleplay]:
        if self._roleplays is None:
            self._roleplays = shipped()
        return self._roleplays

    def conversations(self, loan_id: int) -> list[Roleplay]:
        """The conversations written for this loan's named borrower in this case."""
        names = {v: k for k, v in self.sim.pf.named_index.items()}
        bid = names.get(int(loan_id))
        if bid is None:
            return []
        return [rp for rp in self.roleplays.values()
                if rp.case == self.scenario.id and rp.borrower == bid]

    def talk_state(self, loan_id: int) -> BorrowerState:
        """The borrower's hidden state, for the conversation walker only: never display it."""
        return state_of(self.sim, int(loan_id))

    def meeting_option(self, loan_id: int, roleplay_id: str | None = None) -> ActionOption:
        """'Meet the borrower' on this loan through a conversation (default: its first): the
        hours and cost of the way the talk is held (on a visit, by phone, at the branch),
        and why it cannot be held now ("hours": not enough staff hours left for it)."""
        convs = self.conversations(loan_id)
        rp = next((c for c in convs if c.id == roleplay_id), convs[0] if convs else None)
        key = rp.meeting_action if rp is not None else MEET_ACTION
        it = self.sim.catalogue[key]
        hours, cost = self.action_cost(loan_id, key)
        why = self._why_not(int(loan_id), key)
        if why is None and any(t["loan_id"] == int(loan_id) for t in self._talks):
            why = "queued"
        if why is None and rp is not None:
            why = premise_missing(self.sim, loan_id, rp)
        zh, en = self.text("action", key)
        why_zh, why_en = self.text("reason", why) if why else ("", "")
        return ActionOption(key, zh, en, hours, cost, it.duration_months, why is None,
                            why_zh, why_en, it.stage, why or "")

    def meet(self, loan_id: int, roleplay_id: str, path: list[str],
             actions: list[str] | None = None,
             logged: dict | None = None,
             lines: list[int] | None = None,
             left: bool = False) -> list[tuple[str, str]]:
        """Hold a conversation this month: the meeting and the terms agreed are queued.

        The path is replayed against the borrower's hidden state now. Terms the engine
        cannot take (not available, no hours left) are left out and returned as
        (action id, reason code). For a replay, `actions` are the actions the log recorded
        and `logged` the logged talk: its facts are used as they were, and if the
        conversation file has changed since so that the path no longer fits, the logged
        talk is taken as it was, so an attempt still opens. `lines` are the borrower's
        lines when a trainee played the borrower (paired role play; see
        sim.conversation.Conversation); they are logged with the path. ``left``: the
        officer ended the meeting before the talk did; it is held as it stood (its hours,
        what was said so far and anything agreed so far), so leaving after the borrower has
        answered does not undo the answer.
        """
        i = int(loan_id)
        if any(t["loan_id"] == i for t in self._talks):
            raise self._refuse("queued")
        rp = self.roleplays.get(roleplay_id)
        conv = None
        if rp is not None and rp in self.conversations(i):
            premise = premise_missing(self.sim, i, rp)
            if premise is not None and logged is None:
                raise self._refuse(premise)
            try:
                conv = Conversation.replay(rp, self.talk_state(i), list(path), lines, left)
            except PathError:
                conv = None
        if conv is None or not conv.done:
            if logged is None or "facts" not in logged or actions is None:
                raise self._refuse("available")
            wanted = [a for a in actions if a in self.sim.catalogue]
            facts, delta = logged["facts"], float(logged["relationship_delta"])
        else:
            eff = conv.effects()
            # held as the file says; a replay holds it as the log says (the file may have
            # changed how since), so the attempt takes the hours it took
            meeting = meeting_action_of(actions) if actions is not None else rp.meeting_action
            wanted = [meeting, *eff.actions]
            if actions is not None:
                if not set(actions) <= set(wanted) or meeting not in actions:
                    raise self._refuse("available")
                wanted = [a for a in wanted if a in actions]
            facts, delta = eff.facts, eff.relationship_delta
            if logged is not None and "facts" in logged:
                facts, delta = logged["facts"], float(logged["relationship_delta"])
        talk = {"loan_id": i, "roleplay": roleplay_id, "path": list(path), "actions": [],
                "facts": [[str(k), bool(v)] for k, v in facts], "relationship_delta": delta}
        if lines is not None:
            talk["lines"] = [int(k) for k in lines]
        if left:
            talk["left"] = True
        refused: list[tuple[str, str]] = []
        for a in wanted:
            code = self._why_not(i, a) if a in self.sim.catalogue else "available"
            if a in MEETING_ACTION_IDS and code is not None:
                raise self._refuse(code)
            if code is None:
                talk["actions"].append(a)
                if a in MEETING_ACTION_IDS:
                    self._talks.append(talk)
            else:
                refused.append((a, code))
        return refused

    def _talk_record(self, talk: dict) -> dict:
        return {"month": self.month + 1, "loan_id": talk["loan_id"], "roleplay": talk["roleplay"],
                "path": list(talk["path"]), "actions": list(talk["actions"]),
                "facts": [(k, v) for k, v in talk["facts"]],
                "relationship_delta": talk["relationship_delta"],
                **({"lines": list(talk["lines"])} if "lines" in talk else {}),
                **({"left": True} if talk.get("left") else {}),
                # hidden at the time; the debrief may show it
                "state": self.talk_state(talk["loan_id"])}
