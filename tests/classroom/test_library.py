"""The instructor's library and class set-up: taking a published case back (unpublish), and
a class list of many new accounts (its passwords hashed on every core, with progress)."""

from __future__ import annotations

import threading

import pytest

from tests.classroom.test_classroom import PW, Class
from training import accounts
from training import classroom as cr
from training.accounts import authenticate


@pytest.fixture
def klass(database):
    return Class(database)


# --- a class list of many new accounts ---------------------------------------------------
def test_a_class_list_says_how_far_it_is_and_its_passwords_sign_in(klass):
    """A class list of new accounts froze the page for minutes (each argon2 hash about half
    a second, one after another): the import now reports each password as it is secured,
    for the page's progress bar, and every one-time password it hands out signs in."""
    names = [f"trainee{i:02d}" for i in range(7)]
    data = ("username,name\nann,Ann\n" + "".join(f"{n},{n.title()}\n" for n in names)).encode()
    said: list[tuple[int, int]] = []
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data,
                              progress=lambda done, total: said.append((done, total)))
    assert sorted(report.created) == names and report.already == ["ann"]
    assert said == [(i, len(names)) for i in range(1, len(names) + 1)]  # one step a password
    for name, password in report.created.items():
        assert authenticate(klass.db, name, password).username == name
    members = {m.username for m in cr.members(klass.db, klass.teacher, klass.cohort.id)}
    assert set(names) <= members


def test_a_class_lists_passwords_are_hashed_at_once_not_one_after_another(klass, monkeypatch):
    """The hashes are made on a pool of the machine's cores. Two hashes must be under way at
    the same moment for either to finish: one after the other, the first would wait alone
    and the import fail."""
    both = threading.Barrier(2, timeout=20)
    real = accounts._hasher

    class Together:
        def hash(self, password):
            both.wait()  # returns only once another hash has started too
            return real.hash(password)

    monkeypatch.setattr(accounts, "_hasher", Together())
    monkeypatch.setattr(accounts, "hash_workers", lambda: 2)  # as on a two-core machine
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id,
                              b"username\ncarl\ndora\n")
    assert sorted(report.created) == ["carl", "dora"] and not report.problems
    monkeypatch.setattr(accounts, "_hasher", real)
    assert authenticate(klass.db, "dora", report.created["dora"]).username == "dora"


def test_a_class_lists_accounts_keep_the_sound_argon2_parameters():
    """Fast by using the cores, not by weaker hashes: a class list's passwords are hashed
    with the same argon2id parameters as any password set by hand (RFC 9106's second
    recommended set unless a test made them cheaper)."""
    from argon2 import extract_parameters

    [made] = accounts.hash_passwords([PW])
    by_hand = accounts._hasher.hash(PW)
    assert extract_parameters(made) == extract_parameters(by_hand)
    assert not accounts._hasher.check_needs_rehash(made)
