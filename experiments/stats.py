"""Paired statistics over seeds: mean ± std, 95 % t intervals, minimum detectable differences.

Runs of the same seed share the data order and augmentation, so variant and baseline are compared
seed by seed (paired): a one-sample t-test on the per-seed differences. The minimum detectable
difference is the true mean difference a two-sided paired t-test at alpha = 0.05 finds with 80 %
power, given the observed std of the differences; it solves the noncentral-t power equation
exactly (scipy, which scikit-learn already requires).
"""
import math
import statistics


def mean_std(values):
    """{'mean', 'std' (sample, n-1; 0.0 for one value), 'n', 'values'} of one number per seed."""
    values = [float(v) for v in values]
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return dict(mean=statistics.fmean(values), std=std, n=len(values), values=values)


def t_quantile(q, df):
    """Quantile ``q`` of Student's t with ``df`` degrees of freedom."""
    from scipy import stats
    return float(stats.t.ppf(q, df))


def paired_power(delta, sd, n, alpha=0.05):
    """Power of the two-sided paired t-test at level ``alpha`` with ``n`` pairs whose differences
    have true mean ``delta`` and std ``sd``."""
    from scipy import stats
    df = n - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    nc = abs(delta) * math.sqrt(n) / sd
    wrong_side = float(stats.nct.cdf(-crit, df, nc))  # tiny; scipy gives NaN where it underflows
    return float(stats.nct.sf(crit, df, nc)) + (wrong_side if math.isfinite(wrong_side) else 0.0)


def min_detectable_difference(sd, n, alpha=0.05, power=0.8):
    """Smallest true mean difference the paired t-test (``paired_power``'s arguments) detects with
    ``power``; None without spread or with fewer than 3 pairs (scipy's noncentral t is NaN at 2)."""
    if n < 3 or not sd > 0:
        return None
    from scipy.optimize import brentq
    hi = sd
    while paired_power(hi, sd, n, alpha) < power:
        hi *= 2
    return float(brentq(lambda d: paired_power(d, sd, n, alpha) - power, 0.0, hi, xtol=1e-9))


def paired_difference(values, baseline):
    """Per-seed ``values - baseline`` ({seed: metric} each) on shared seeds: mean, std, 95 % t CI,
    p-value, MDD (80 % power, alpha 0.05). Verdicts are harness/verdict.py's, over the primaries."""
    seeds = sorted(set(values) & set(baseline))
    diff = mean_std(values[s] - baseline[s] for s in seeds) if seeds else dict(
        mean=float('nan'), std=0.0, n=0, values=[])
    n = diff['n']
    diff.update(seeds=seeds, seeds_better=sum(d > 0 for d in diff['values']),
                ci=None, p_value=None, mdd=None)
    if n >= 2:
        half = t_quantile(0.975, n - 1) * diff['std'] / math.sqrt(n)
        diff['ci'] = [diff['mean'] - half, diff['mean'] + half]
        if diff['std'] > 0:
            from scipy import stats
            t = diff['mean'] / (diff['std'] / math.sqrt(n))
            diff['p_value'] = float(2 * stats.t.sf(abs(t), n - 1))
        diff['mdd'] = min_detectable_difference(diff['std'], n)
    return diff


def holm(p_values, alpha=0.05):
    """Holm's step-down correction at family-wise ``alpha``: p_(i), the i-th smallest, is rejected
    if it is at most alpha / (m - i + 1) and every smaller one was. None (no test) is never
    rejected. Returns per p-value, in the given order: ``rank``, ``threshold``, ``rejected``."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: (p_values[i] is None, p_values[i] or 0.0))
    out, stopped = [None] * m, False
    for rank, i in enumerate(order, 1):
        threshold = alpha / (m - rank + 1)
        stopped = stopped or p_values[i] is None or p_values[i] > threshold
        out[i] = dict(rank=rank, threshold=threshold, rejected=not stopped)
    return out


def primary_metric(summary):
    """(key, scale) of a summary's primary (first) metric; scale 100.0 gives fractions in points."""
    return next(iter(summary['metrics'])), 100.0 if summary['percent'] else 1.0
