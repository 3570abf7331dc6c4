"""A lab study running in the background, so a page can show progress and cancel it.

The app starts a :class:`StudyJob` and keeps it in the session; the job runs the study
on a thread (in this process, on a local process pool sized to the machine, or on a
Dask cluster by its scheduler address), counts replications as they finish and stops
between replications when cancelled. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from enum import StrEnum

from sim.study import Cancelled
from training import units
from training.i18n import t
from training.lab import LabOutcome, LabRequest, run_lab


class Where(StrEnum):
    """Where a study's replications run."""

    HERE = "here"  # in the app's process, one after another
    LOCAL = "local"  # a process pool with one worker per core
    DASK = "dask"  # a Dask cluster, by its scheduler address


class SchedulerError(Exception):
    """The Dask scheduler's address is missing or nothing answers there. ``key`` and
    ``params`` are the message in the page's language (training/locales: lab.page.*)."""

    def __init__(self, key: str, **params: str):
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


@contextlib.contextmanager
def executor_for(where: Where, address: str | None = None, workers: int | None = None):
    """The executor of ``where``; closed (and its workers stopped) on exit."""
    if where is Where.DASK:
        if not address or not address.strip():
            raise SchedulerError("lab.page.address_missing")
        with dask_executor(address) as ex:
            yield ex
    elif where is Where.LOCAL:
        from sim.study import process_pool

        pool = process_pool(workers or os.cpu_count())
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        yield None


log = logging.getLogger("bianque.lab")


class _LossWithoutTraceback(logging.Filter):
    """On distributed's client logger: a record that carries a connection's loss (the
    scheduler killed mid-study: its reconnect, cancelled when the study closes the client,
    was logged with two chained tracebacks, some 40 lines) is left out; the study says it
    in one line of its own (``cluster_lost``) and the page in the manager's language.
    Every other record of that logger goes through as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        from asyncio import CancelledError as AsyncCancelled
        from concurrent.futures import CancelledError

        from distributed.comm.core import CommClosedError

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, (CommClosedError, AsyncCancelled, CancelledError,
                                    OSError, TimeoutError))


_QUIET = _LossWithoutTraceback()


def _quiet_distributed() -> None:
    """Put the filter on distributed's client logger, once (a filter is kept by identity)."""
    logging.getLogger("distributed.client").addFilter(_QUIET)


CONNECT_WAIT_S = 10.0
"""How long a study tries to reach a Dask scheduler before saying nothing answers."""

WORKERS_WAIT_S = 30.0
"""How long a study waits for a Dask cluster's first worker before saying it has none: a
scheduler without workers takes the tasks and never runs them."""


@contextlib.contextmanager
def dask_executor(address: str, workers_wait_s: float | None = None):
    """The executor of the Dask cluster whose scheduler is at ``address``, closed on exit.

    Raises :class:`SchedulerError` when the address is not one (``address_invalid``),
    when nothing answers there (``address_unreachable``),
    when the cluster has no worker (``no_workers``: the study would wait for ever) and
    when the scheduler goes away while the study runs (``cluster_lost``: its futures come
    back cancelled, which is not the manager's Cancel) and when every worker has gone for
    ``workers_wait_s`` while it runs (``workers_lost``: the scheduler would keep its tasks
    and wait for ever).
    """
    from concurrent.futures import CancelledError

    from distributed import Client

    address = address.strip()
    workers_wait_s = WORKERS_WAIT_S if workers_wait_s is None else workers_wait_s
    _probe(address)
    _quiet_distributed()
    try:
        client = Client(address, timeout=f"{CONNECT_WAIT_S:g}s", set_as_default=False)
    except ValueError as exc:  # not an address: 'nonsense', a host without its port
        raise SchedulerError("lab.page.address_invalid", address=address,
                             detail=str(exc)) from exc
    except (OSError, TimeoutError, TypeError) as exc:
        # ``detail`` (distributed's words, in English) is for the command line; the page
        # says it in its own language
        raise SchedulerError("lab.page.address_unreachable", address=address,
                             seconds=f"{CONNECT_WAIT_S:g}", detail=str(exc)) from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=workers_wait_s)
        except (TimeoutError, OSError):
            raise SchedulerError("lab.page.no_workers", address=address,
                                 seconds=f"{workers_wait_s:g}") from None
        executor = _Watched(client.get_executor())
        stop, lost = threading.Event(), threading.Event()
        threading.Thread(target=_watch_workers, args=(client, executor, workers_wait_s,
                                                      stop, lost),
                         name="bianque-lab-workers", daemon=True).start()
        try:
            yield executor
        except (CancelledError, OSError, TimeoutError) as exc:
            if lost.is_set():
                log.warning("Strategy lab: the Dask cluster at %s had no worker for %gs; "
                            "the study was stopped and the manager told", address,
                            workers_wait_s)
                raise SchedulerError("lab.page.workers_lost", address=address,
                                     seconds=f"{workers_wait_s:g}") from None
            if isinstance(exc, CancelledError) or client.status != "running":
                log.warning("Strategy lab: the Dask scheduler at %s went away mid-study "
                            "(%s); the study was stopped and the manager told", address,
                            type(exc).__name__)
                raise SchedulerError("lab.page.cluster_lost", address=address) from None
            raise
        finally:
            stop.set()


def _probe(address: str) -> None:
    """Refuse an address that is not one, or where nothing listens, before a `Client` is
    built: a client that fails half-built is closed by the garbage collector at exit, and
    that close waited 20 s and printed a traceback after the message ("Exception ignored in
    Client.__del__"); and a refused connection is known at once, not after CONNECT_WAIT_S.
    A host that answers nothing (a firewall) is left to the client's own wait."""
    import socket

    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, where = parse_address(address)
        if scheme not in ("tcp", "tls"):  # inproc://, ucx://...: the client's own checks
            return
        host, port = parse_host_port(where)
    except (ValueError, TypeError) as exc:  # 'nonsense', a host without its port
        raise SchedulerError("lab.page.address_invalid", address=address,
                             detail=str(exc)) from None
    try:
        socket.create_connection((host, port), timeout=CONNECT_WAIT_S).close()
    except OSError as exc:  # refused, no such host, or no answer in time
        raise SchedulerError("lab.page.address_unreachable", address=address,
                             seconds=f"{CONNECT_WAIT_S:g}", detail=str(exc)) from None


WATCH_EVERY_S = 2.0
"""How often a study on a Dask cluster asks whether the cluster still has workers."""


class _Watched(Executor):
    """A cluster's executor that keeps the futures it handed out, so that a study whose
    workers are all gone can be stopped (a scheduler keeps the tasks and waits)."""

    def __init__(self, inner: Executor):
        self._inner = inner
        self.futures: weakref.WeakSet[Future] = weakref.WeakSet()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = self._inner.submit(fn, *args, **kwargs)
        self.futures.add(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def _watch_workers(client, executor: _Watched, wait_s: float, stop: threading.Event,
                   lost: threading.Event) -> None:
    """Cancel the study's futures once the cluster has had no worker for ``wait_s``; a
    lost scheduler is left to the futures themselves."""
    empty_since = None
    while not stop.wait(WATCH_EVERY_S):
        try:
            workers = client.nthreads()
        except Exception:  # the scheduler is gone: its futures come back cancelled
            return
        if workers:
            empty_since = None
            continue
        empty_since = empty_since or time.monotonic()
        if time.monotonic() - empty_since >= wait_s:
            lost.set()
            for future in list(executor.futures):
                future.cancel()
            return


@dataclass
class Progress:
    done: int = 0
    total: int = 0
    elapsed_s: float = 0.0
    """Seconds from the study's start to now (Pace.now), or to its last finished future."""
    estimate_s: float | None = None
    """The wait said before the study started (lab.estimated_seconds), if any: the guess
    the progress gives until the pace is known."""
    finished_s: float | None = None
    """Seconds from the study's start to its last finished future, when ``elapsed_s`` runs
    on past it: the pace is taken from the futures finished, not from the wait since."""

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def left_s(self) -> float | None:
        """Seconds the study should still take, at the pace so far; None until the pace is
        known (ETA_AFTER_DONE futures and ETA_AFTER_S seconds: the first futures carry the
        workers' start-up)."""
        paced_s = self.elapsed_s if self.finished_s is None else self.finished_s
        if self.done < ETA_AFTER_DONE or paced_s < ETA_AFTER_S or self.done >= self.total:
            return None
        # the end at that pace, less the time gone since: it counts down between futures
        return max(paced_s / self.done * self.total - self.elapsed_s, 1.0)


ETA_AFTER_DONE = 4
ETA_AFTER_S = 5.0
"""A study's time left is said once this many futures and seconds have gone by."""


class Pace:
    """A study's progress as its futures finish, timed on ``clock`` (time.monotonic; a
    test gives its own) from when the Pace was made: ``tick`` is the study's progress
    callback, ``progress`` the state to show."""

    def __init__(self, total: int, estimate_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started = clock()
        self.progress = Progress(total=total, estimate_s=estimate_s)

    def tick(self, done: int, total: int) -> None:
        self.progress = Progress(done, total, self.clock() - self.started,
                                 self.progress.estimate_s)

    def now(self) -> Progress:
        """The progress with the time so far read now: the bar's clock goes on while no
        future finishes (a large case's first futures can take half a minute)."""
        p = self.progress
        return Progress(p.done, p.total, self.clock() - self.started, p.estimate_s,
                        finished_s=p.elapsed_s if p.done else None)


def progress_text(p: Progress, lang: str | None = None, request: LabRequest | None = None,
                  ) -> str:
    """Futures done of all and the time so far, then the time left: at the pace of the
    futures finished once it is known (Progress.left_s), before that the up-front
    estimate's remainder, or, past the estimate, that it is taking longer (the page's bar
    and `bianque compare`'s). With a staffing sweep, the total counts each officer
    count's futures too: said, so 200 futures asked for do not read as 1,600."""
    args = {"done": f"{p.done:,}", "total": f"{p.total:,}",
            "elapsed": units.duration(p.elapsed_s, lang), "sweep": sweep_count_text(request, lang)}
    if p.left_s is not None:
        return t("lab.page.progress_left", lang, left=units.duration(p.left_s, lang), **args)
    if p.estimate_s is None or p.done >= p.total:
        return t("lab.page.progress", lang, **args)
    if p.elapsed_s < p.estimate_s:
        return t("lab.page.progress_guess", lang,
                 left=units.duration(max(p.estimate_s - p.elapsed_s, 1.0), lang), **args)
    return t("lab.page.progress_over", lang,
             estimate=units.duration(max(p.estimate_s, 1.0), lang), **args)


def sweep_count_text(request: LabRequest | None, lang: str | None = None) -> str:
    """What a study's count of futures is made of, when a staffing sweep adds to it."""
    if request is None or not request.staff:
        return ""
    return t("lab.page.progress_sweep", lang, reps=f"{request.reps:,}",
             studies=1 + len(request.staff), counts=len(request.staff))


def workers_for(where: Where) -> int:
    """Processes a study runs on: this one, or a local pool of one per core (a cluster's
    are not known here: its estimate is one core's work)."""
    return {Where.HERE: 1, Where.LOCAL: os.cpu_count() or 1}.get(where, 1)


def wait_estimate(scenario, runs_per_future: int, reps: int, sweep_officers: int,
                  where: Where, load: float | None = None) -> float:
    """The up-front wait for a study where it is to run, allowing for the machine's
    ``load`` average now (lab.busy_factor; none on a cluster, whose load is not ours)."""
    from training import lab

    local = where is not Where.DASK
    return lab.estimated_seconds(scenario, runs_per_future, reps,
                                 sweep_officers=sweep_officers, workers=workers_for(where),
                                 pool=where is Where.LOCAL, load=load if local else None,
                                 cores=os.cpu_count() or 1)


def wait_text(seconds: float, where: Where, lang: str | None = None,
              load: float | None = None) -> str:
    """The up-front wait in words, as an estimate: more if the machine gets busier; on a
    busy machine (load over the cores) it says the load it allowed for."""
    cores = os.cpu_count() or 1
    time_ = units.duration(max(seconds, 1.0), lang)
    if where is Where.DASK:
        return t("lab.page.estimate_dask", lang, time=time_)
    place = t(f"lab.page.where_{where.value}", lang, n=cores)
    if load is not None and load + workers_for(where) > cores:
        return t("lab.page.estimate_busy", lang, time=time_, where=place,
                 load=f"{load:.1f}", cores=cores)
    return t("lab.page.estimate", lang, time=time_, where=place)


_LATEST: dict[object, StudyJob] = {}
_LATEST_LOCK = threading.Lock()


def latest_for(owner: object) -> StudyJob | None:
    """The last study ``owner`` started in this server process, running or not: a page
    opened again (a reload, a dropped connection) finds it and shows its progress."""
    with _LATEST_LOCK:
        return _LATEST.get(owner)


class StudyJob:
    """One lab request running on a background thread.

    ``keep(outcome, seconds)``, when given, is called on the job's own thread when the
    study finishes, so a study is kept though no page is open to see it end; ``kept``
    and ``keep_failure`` say how that went. ``owner``: whose job it is (``latest_for``).
    """

    def __init__(self, request: LabRequest, where: Where = Where.HERE,
                 address: str | None = None,
                 keep: Callable[[LabOutcome, float], object] | None = None,
                 owner: object = None, estimate_s: float | None = None):
        self.request = request
        self.where = where
        self.address = address
        self.owner = owner
        self._keep = keep
        self.kept = False
        self.keep_failure: Exception | None = None
        self._pace = Pace(sum(s.reps for s in request.specs()), estimate_s)
        self.state = JobState.RUNNING
        self.outcome: LabOutcome | None = None
        self.error: str | None = None
        self.failure: SchedulerError | None = None
        """Why the study could not start, as a message in the page's language."""
        self.started = self._pace.started
        self.elapsed_s = 0.0
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bianque-lab", daemon=True)

    def start(self) -> StudyJob:
        if self.owner is not None:
            with _LATEST_LOCK:
                _LATEST[self.owner] = self
        self._thread.start()
        return self

    @property
    def progress(self) -> Progress:
        """How far the study is; while it runs, its time so far is read on the clock."""
        return self._pace.now() if self.running else self._pace.progress

    def _tick(self, done: int, total: int) -> None:
        self._pace.tick(done, total)

    def _run(self) -> None:
        try:
            with executor_for(self.where, self.address) as ex:
                outcome = run_lab(self.request, executor=ex, progress=self._tick,
                                  cancel=self._cancel)
            self.elapsed_s = time.monotonic() - self.started
            self.outcome = outcome
            self.keep_again()  # the first try: the results show whether it keeps or not
            self.state = JobState.DONE
        except Cancelled:
            self.state = JobState.CANCELLED
        except SchedulerError as exc:
            self.failure = exc
            self.state = JobState.FAILED
        except Exception as exc:  # shown to the manager as a message, never a traceback
            self.error = f"{type(exc).__name__}: {exc}"
            self.state = JobState.FAILED
        finally:
            if self.state is not JobState.DONE:
                self.elapsed_s = time.monotonic() - self.started

    def keep_again(self) -> bool:
        """Keep the finished study, or try once more where its keep could not (the
        database did not answer); whether it is kept now (``keep_failure`` says why not)."""
        if self.kept or self._keep is None or self.outcome is None:
            return self.kept
        try:
            self._keep(self.outcome, self.elapsed_s)
        except Exception as exc:  # the results still show; the page says so again
            self.keep_failure = exc
        else:
            self.kept, self.keep_failure = True, None
        return self.kept

    @property
    def unsaved(self) -> bool:
        """Finished with results that its keep did not keep: only this job holds them."""
        return (self.state is JobState.DONE and self.outcome is not None
                and self._keep is not None and not self.kept)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelling(self) -> bool:
        """Cancel was pressed and the study has not stopped yet: the futures already
        running on the workers finish first."""
        return self._cancel.is_set() and self.running

    @property
    def running(self) -> bool:
        return self.state is JobState.RUNNING

    def wait(self, timeout_s: float | None = None) -> JobState:
        self._thread.join(timeout_s)
        return self.state
