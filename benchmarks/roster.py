"""How long an instructor waits for a class list of new trainees to be imported.

Makes a fresh SQLite database (a temporary folder), an admin and a cohort, then imports
a class list of --rows new accounts (``classroom.import_roster``, as the cohort page
does) and prints the wall time, split into the passwords' hashing and the rest (checks,
accounts, enrolments). ``--db-only`` swaps the argon2 hasher for the cheapest one (same
algorithm and format) to time the database work alone. Prints the figures; it asserts
nothing.

    .venv/bin/python benchmarks/roster.py                  # 2,000 rows
    .venv/bin/python benchmarks/roster.py --rows 300
    .venv/bin/python benchmarks/roster.py --db-only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's training/, not the one the venv installed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--db-only", action="store_true",
                    help="cheapest argon2 parameters: the database's share alone")
    args = ap.parse_args()

    from argon2 import PasswordHasher

    from training import accounts
    from training import classroom as cr
    from training.db import Database

    if args.db_only:
        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        accounts._hasher = cheap  # noqa: SLF001 - a benchmark's switch
        if hasattr(accounts, "_one_time_hasher"):
            accounts._one_time_hasher = cheap  # noqa: SLF001
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        admin = accounts.create_user(db, "admin", "correct horse battery", accounts.Role.ADMIN)
        cohort = cr.create_cohort(db, admin, "Bench class")
        rows = "\n".join(f"trainee{i:05d},Trainee {i},t{i}@example.org"
                         for i in range(args.rows))
        text = "username,name,email\n" + rows + "\n"
        marks: dict[str, float] = {}

        def progress(done: int, total: int) -> None:
            marks.setdefault("first", time.perf_counter())
            if done == total:
                marks["hashed"] = time.perf_counter()

        t0, cpu0 = time.perf_counter(), time.process_time()
        report = cr.import_roster(db, admin, cohort.id, text, progress=progress)
        t1, cpu = time.perf_counter(), time.process_time() - cpu0
        assert len(report.created) == args.rows, report.problems[:3]
        hashing = marks.get("hashed", t0) - t0
        print(f"{args.rows:,} new accounts on SQLite, {accounts.hash_workers()} hash threads"
              f"{' (cheapest hasher: database alone)' if args.db_only else ''}")
        print(f"total {t1 - t0:.1f} s: checks and hashing {hashing:.1f} s, "
              f"accounts and enrolments {t1 - marks.get('hashed', t0):.1f} s")
        print(f"progress first called after {marks.get('first', t1) - t0:.1f} s; "
              f"CPU time of this process {cpu:.1f} s (on a machine others load, the wall "
              f"time is theirs too)")


if __name__ == "__main__":
    main()
