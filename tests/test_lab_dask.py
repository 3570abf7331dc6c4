"""A study on a Dask cluster that cannot run there ends with a message naming the scheduler
address and the fix, in the app (training.lab_jobs) and on the command line, never with a
traceback or a wait without end: a scheduler with no workers (the study sat at 0% for
ever) and a scheduler that went away mid-study (the CLI printed distributed's tracebacks
and exited 1; the app said "The study could not run: CancelledError:")."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from training import lab_jobs
from training.cli import main
from training.i18n import t

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
INTRO = str(ROOT / "scenarios" / "intro.yaml")


@pytest.fixture
def no_workers():
    with distributed.LocalCluster(n_workers=0, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_scheduler_without_workers_is_named_not_waited_on(no_workers):
    with pytest.raises(lab_jobs.SchedulerError) as err, \
            lab_jobs.dask_executor(no_workers, workers_wait_s=1):
        pass
    assert err.value.key == "lab.page.no_workers"
    for lang in ("en", "zh"):
        text = t(err.value.key, lang, **err.value.params)
        assert no_workers in text and f"dask worker {no_workers}" in text
        assert "{" not in text


def test_the_command_line_says_the_cluster_has_no_workers(no_workers, monkeypatch, capsys):
    monkeypatch.setattr(lab_jobs, "WORKERS_WAIT_S", 1.0)
    code = main(["compare", INTRO, "--strategies", "early-warning", "--reps", "2",
                 "--months", "3", "--scheduler", no_workers, "--json"])
    err = capsys.readouterr()
    assert code == 2
    assert f"--scheduler {no_workers}: the Dask scheduler has no workers" in err.err
    assert "--workers N" in err.err and "Traceback" not in err.err + err.out


@pytest.fixture
def own_process_cluster(tmp_path):
    """A scheduler and one worker each in a process of its own, as a manager's cluster
    is: a scheduler inside the test's process logs its own shutdown errors into the
    test's log (``distributed.scheduler``, at random), which no server of the app would
    see. Yields the scheduler's address and its process; both are killed at the end."""
    import json
    import subprocess
    import sys

    dask = str(Path(sys.executable).parent / "dask")
    where = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(where)], **quiet)
    worker = None
    try:
        deadline = time.monotonic() + 60
        address = None
        while address is None:
            assert time.monotonic() < deadline, "the dask scheduler did not start in 60 s"
            assert scheduler.poll() is None, "the dask scheduler exited at start"
            try:
                address = json.loads(where.read_text())["address"]
            except (OSError, ValueError, KeyError):  # not written yet, or half written
                time.sleep(0.1)
        worker = subprocess.Popen([dask, "worker", address, "--nthreads", "1",
                                   "--no-nanny", "--no-dashboard"], **quiet)
        yield address, scheduler
    finally:
        for process in (worker, scheduler):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)


def test_a_scheduler_lost_mid_study_is_said_as_such(own_process_cluster, caplog):
    """The futures of a lost scheduler (its process killed mid-study) come back
    cancelled: that is not the manager's Cancel, and it is said with the address and the
    fix; the server log has one line naming the scheduler, not distributed's chained
    tracebacks of its reconnect."""
    import logging

    caplog.set_level(logging.WARNING)
    address, scheduler = own_process_cluster
    with pytest.raises(lab_jobs.SchedulerError) as err, \
            lab_jobs.dask_executor(address) as executor:
        future = executor.submit(time.sleep, 30)
        scheduler.kill()
        scheduler.wait(timeout=30)
        future.result(timeout=120)
    assert err.value.key == "lab.page.cluster_lost"
    for lang in ("en", "zh"):
        assert address in t(err.value.key, lang, **err.value.params)
    assert address in t("lab.cli.cluster_lost", "en", **err.value.params)
    said = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in said if r.exc_info], [r.name for r in said if r.exc_info]
    assert "Traceback" not in caplog.text
    [line] = [r for r in said if r.name == "bianque.lab"]
    assert address in line.getMessage() and "went away" in line.getMessage()


def test_a_cluster_that_loses_every_worker_mid_study_stops_the_study(monkeypatch):
    """Every worker killed mid-study (the scheduler still up) left the bar where it stood
    for ever: the scheduler keeps the tasks and waits for a worker."""
    monkeypatch.setattr(lab_jobs, "WATCH_EVERY_S", 0.2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(lab_jobs.SchedulerError) as err, \
                lab_jobs.dask_executor(address, workers_wait_s=1) as executor:
            future = executor.submit(time.sleep, 2)
            cluster.scale(0)
            future.result(timeout=60)
    assert err.value.key == "lab.page.workers_lost"
    for lang in ("en", "zh"):
        assert f"dask worker {address}" in t(err.value.key, lang, **err.value.params)
        assert address in t("lab.cli.workers_lost", lang, **err.value.params)


def test_a_study_job_on_a_cluster_without_workers_fails_with_the_pages_message(
        no_workers, monkeypatch):
    from training.lab_jobs import JobState, StudyJob, Where

    monkeypatch.setattr(lab_jobs, "WORKERS_WAIT_S", 1.0)
    from sim.scenario import load_scenario
    from sim.study import builtin
    from training.lab import LabRequest

    request = LabRequest(scenario=load_scenario(INTRO), strategies=(builtin("early-warning"),),
                         reps=2, seed=1, months=3)
    job = StudyJob(request, Where.DASK, no_workers).start()
    assert job.wait(60) is JobState.FAILED
    assert job.failure is not None and job.failure.key == "lab.page.no_workers"


def test_an_empty_scheduler_address_is_refused_not_run_here(capsys):
    """--scheduler "$SCHEDULER" with the variable unset ran the study in the process."""
    code = main(["compare", INTRO, "--strategies", "early-warning", "--reps", "2",
                 "--scheduler", "", "--json"])
    err = capsys.readouterr()
    assert code == 2 and "--scheduler is empty" in err.err and err.out == ""


def unreachable(*args, **kwargs):
    raise OSError("Timed out trying to connect to tcp://127.0.0.1:9 after 10 s")


@pytest.mark.parametrize("address, key", [
    ("tcp://127.0.0.1", "lab.page.address_invalid"),  # a host without its port
    ("nonsense", "lab.page.address_invalid"),
    ("tcp://127.0.0.1:9", "lab.page.address_unreachable"),
])
def test_a_bad_address_is_said_in_the_pages_language(address, key, monkeypatch):
    """The Chinese page said "…没有 Dask 调度器响应…（missing port number in address
    '127.0.0.1'）": a malformed address read as a cluster down, in distributed's English.
    Nothing answering is distributed's OSError, raised here without the 10 s wait (a real
    failed connect after the clusters above left distributed's shared loop unable to start
    the next client in this process: a test-only tangle, the app and the CLI connect once)."""
    if key == "lab.page.address_unreachable":
        monkeypatch.setattr(distributed, "Client", unreachable)
    with pytest.raises(lab_jobs.SchedulerError) as err, lab_jobs.dask_executor(address):
        pass
    assert err.value.key == key
    zh = t(key, "zh", **err.value.params)
    assert address in zh and "tcp://" in zh and "{" not in zh
    assert not any(w in zh for w in ("missing", "Timed out", "port number"))
