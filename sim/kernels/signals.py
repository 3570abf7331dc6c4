"""The signal passes (sim.signals: off-site, latent warnings, on-site sightings, recent alerts), compiled."""

from __future__ import annotations

import numpy as np

from sim.kernels.common import _maximum, kernel


@kernel
def _health_conditions(cond, is_health, hist_rows, lines, d_hist, loans):
    """Rows of cond for health-driven signals: the lagged health (d_hist[hist_rows[r]])
    below the signal's line, for loans `loans` (one column each)."""
    for r in range(cond.shape[0]):
        if is_health[r]:
            h = hist_rows[r]
            for k in range(len(loans)):
                cond[r, k] = d_hist[h, loans[k]] < lines[r]


@kernel
def month_sightings(t, cond, can, is_health, hist_rows, lines, d_hist, on, bypass_row, diverting,
                    u, js, keep, fp, warn, last_seen, first_warning, first_warning_signal,
                    warnings):
    """sim.signals.offsite_sightings over the book: fills the health rows of cond (the
    other rows come filled by sim.signals.condition), keeps conditions to loans on the
    books that the signal can be about (`can`; collection_bypass, row bypass_row, also
    holds for a diverting borrower), and sees each signal below its keep rate when the
    condition holds, below its false-positive rate when not and the signal can be about
    the loan (draw u[loan, js[row]], read whatever the outcome: common random numbers).
    Writes last_seen, and with `warnings` each loan's first warning (the first `warn` row
    seen). Returns (seen, loans, signals) in the order sim.recorder logs them: by signal,
    then by loan.

    Compiled because numpy makes a dozen passes over a (signals, loans) matrix."""
    k, n = cond.shape
    draws = np.empty((k, n))  # the signals' columns of u, one row each: read once
    for i in range(n):
        if on[i]:
            for r in range(k):
                draws[r, i] = u[i, js[r]]
        else:  # off the books nothing is seen whatever the draw (most of a late book)
            for r in range(k):
                draws[r, i] = 1.0
    seen = np.empty((k, n), dtype=np.bool_)
    count = 0
    for r in range(k):  # row by row, without branches: the loops vectorise
        keep_r, fp_r, line = keep[r], fp[r], lines[r]
        lagged, cond_r, seen_r, draws_r, can_r = (d_hist[hist_rows[r]], cond[r], seen[r],
                                                  draws[r], can[r])
        if is_health[r]:
            for i in range(n):
                cond_r[i] = lagged[i] < line
        if r == bypass_row:
            for i in range(n):
                cond_r[i] = cond_r[i] | diverting[i]
        for i in range(n):
            c = cond_r[i] & on[i] & can_r[i]
            cond_r[i] = c
            s = ((c & (draws_r[i] < keep_r)) | ((not c) & can_r[i] & (draws_r[i] < fp_r))) \
                & on[i]
            seen_r[i] = s
            count += s
    loans = np.empty(count, dtype=np.int64)
    signals = np.empty(count, dtype=np.int64)
    at = 0
    whole = n - n % 8  # the loans read eight at a time (few are seen: most words are 0)
    for r in range(k):  # by signal, then by loan
        seen_r, j = seen[r], js[r]
        words = seen_r[:whole].view(np.uint64)
        i = 0
        while i < n:
            if i < whole and i & 7 == 0 and words[i >> 3] == 0:
                i += 8
                continue
            if seen_r[i]:
                loans[at] = i
                signals[at] = j
                last_seen[i, j] = t
                at += 1
            i += 1
    if warnings and count:
        _first_warnings(t, seen, js, warn, np.arange(n), first_warning, first_warning_signal)
    return seen, loans, signals


@kernel
def _first_warnings(t, hit, js, rows, loans, first_warning, first_warning_signal):
    """Each loan in `loans` (column k of hit) without a warning yet takes its first:
    the first row r (with rows[r]) that holds. All loans are judged before any is
    written, as numpy's fancy indexing does (the last of a repeated loan wins)."""
    m = len(loans)
    first = np.full(m, -1, dtype=np.int64)
    for k in range(m):
        if first_warning[loans[k]] < 0:
            for r in range(hit.shape[0]):
                if rows[r] and hit[r, k]:
                    first[k] = r
                    break
    for k in range(m):
        if first[k] >= 0:
            first_warning[loans[k]] = t
            first_warning_signal[loans[k]] = js[first[k]]


@kernel
def latent_conditions(t, cond, can, is_health, hist_rows, lines, d_hist, on, js, first_warning,
                      first_warning_signal):
    """sim.signals._latent: the hidden conditions a check would show (cond's health rows
    filled here, the others by sim.signals.condition), kept to loans on the books that the
    signal can be about (`can`); the first warnings they make. Returns (row_ends, loans):
    the loans of row r, ascending, are loans[row_ends[r - 1]:row_ends[r]]. Compiled for
    the same reason as month_sightings."""
    k, n = cond.shape
    _health_conditions(cond, is_health, hist_rows, lines, d_hist, np.arange(n))
    count = 0
    for r in range(k):
        for i in range(n):
            cond[r, i] = cond[r, i] and on[i] and can[r, i]
            count += cond[r, i]
    loans = np.empty(count, dtype=np.int64)
    row_ends = np.empty(k, dtype=np.int64)
    at = 0
    for r in range(k):
        for i in range(n):
            if cond[r, i]:
                loans[at] = i
                at += 1
        row_ends[r] = at
    if count:
        _first_warnings(t, cond, js, np.ones(k, dtype=np.bool_), np.arange(n), first_warning,
                        first_warning_signal)
    return row_ends, loans


@kernel
def check_sightings(t, idx, cond, can, is_health, hist_rows, lines, d_hist, u, js, keep, fp,
                    detect, last_seen, first_warning, first_warning_signal, warnings,
                    diverting, known_diversion, u_diversion, diversion_line):
    """sim.signals.onsite_sightings on the loans a check visits (idx): fills the health
    rows of cond (one column per visited loan; the other rows come filled) and holds them
    false where the signal cannot be about the loan (`can`), sees each signal as the
    off-site pass does with the keep rate scaled by `detect`, writes
    last_seen and first warnings, and finds diversion below diversion_line in column
    u_diversion of the draws. Returns (loans, signals): by signal, then in idx's order.

    Compiled because a check's numpy pass costs a dozen calls for a few loans."""
    k, m = cond.shape
    _health_conditions(cond, is_health, hist_rows, lines, d_hist, idx)
    seen = np.empty((k, m), dtype=np.bool_)
    count = 0
    for r in range(k):
        line = keep[r] * detect
        for c in range(m):
            draw = u[idx[c], js[r]]
            cond[r, c] = cond[r, c] and can[r, c]
            seen[r, c] = (draw < line) if cond[r, c] else (can[r, c] and draw < fp[r])
            count += seen[r, c]
    loans = np.empty(count, dtype=np.int64)
    signals = np.empty(count, dtype=np.int64)
    at = 0
    for r in range(k):
        for c in range(m):
            if seen[r, c]:
                loans[at] = idx[c]
                signals[at] = js[r]
                last_seen[idx[c], js[r]] = t
                at += 1
    if warnings and count:
        _first_warnings(t, seen, js, np.ones(k, dtype=np.bool_), idx, first_warning,
                        first_warning_signal)
    for c in range(m):
        i = idx[c]
        if diverting[i] and u[i, u_diversion] < diversion_line:
            known_diversion[i] = True
    return loans, signals


@kernel
def recent_alerts(last_seen, after, weights):
    """sim.signals.recent_alerts: per loan (row of last_seen), the number of signals with
    weight 1 seen after month `after`. Compiled because the strategies ask for it several
    times a month and numpy's version is a matrix product on a temporary."""
    n, k = last_seen.shape
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        count = 0
        for j in range(k):
            count += (weights[j] != 0) & (last_seen[i, j] > after)
        out[i] = count
    return out


@kernel
def any_alert(last_seen, idx, after, weights):
    """`recent_alerts(last_seen, after, weights) > 0` for the loans idx only, read in place
    (a strategy's subset of loans, without copying its rows of last_seen)."""
    k = last_seen.shape[1]
    out = np.zeros(len(idx), dtype=np.bool_)
    for c in range(len(idx)):
        i = idx[c]
        for j in range(k):
            if weights[j] != 0 and last_seen[i, j] > after:
                out[c] = True
                break
    return out


@kernel
def collateral_fell(idx, value_cny, has, appraised, share):
    """sim.signals.collateral_fell on loans idx (an array of loan numbers; value_cny and
    has, one per loan): security worth less than `share` of its last appraisal (at least
    1 CNY), in one pass instead of five array operations at each check."""
    out = np.empty(len(idx), dtype=np.bool_)
    for k in range(len(idx)):
        out[k] = has[k] and value_cny[k] < share * _maximum(appraised[idx[k]], 1.0)
    return out


@kernel
def guarantor_trouble(guarantor, d, defaulted, trouble_health):
    """sim.signals.condition for the guarantor driver, for the loans whose guarantor column
    this is: a guarantor (-1 none) below `trouble_health` or in default; one pass instead
    of seven array operations."""
    n = len(guarantor)
    out = np.empty(n, dtype=np.bool_)
    for k in range(n):
        g = guarantor[k]
        out[k] = g >= 0 and (d[g] < trouble_health or defaulted[g])
    return out
