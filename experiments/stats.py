"""Paired statistics over seeds: mean ± std, 95 % t confidence intervals and the smallest
difference the design could detect.

Runs of the same seed share the data order and augmentation, so variant and baseline are compared
seed by seed (a paired design): the test is a one-sample t-test on the per-seed differences. The
minimum detectable difference is the true mean difference that a two-sided paired t-test at
alpha = 0.05 would find with 80 % power, given the observed std of the differences; it solves the
noncentral-t power equation exactly (scipy, which scikit-learn already requires).
"""
import math
import statistics


def mean_std(values):
    """{'mean', 'std' (sample, n-1), 'n', 'values'}; std is 0.0 for a single value.

    Args:
        values (Iterable[float]): one number per seed.
    """
    values = [float(v) for v in values]
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return dict(mean=statistics.fmean(values), std=std, n=len(values), values=values)


def t_quantile(q, df):
    """Quantile ``q`` of Student's t with ``df`` degrees of freedom.

    Args:
        q (float): probability in (0, 1).
        df (int): degrees of freedom (>= 1).
    """
    from scipy import stats
    return float(stats.t.ppf(q, df))


def paired_power(delta, sd, n, alpha=0.05):
    """Power of the two-sided paired t-test at true mean difference ``delta``.

    Args:
        delta (float): true mean of the per-seed differences.
        sd (float): std of the per-seed differences.
        n (int): number of seeds (pairs).
        alpha (float): test level. Defaults to 0.05.
    """
    from scipy import stats
    df = n - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    nc = delta * math.sqrt(n) / sd
    return float(stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc))


def min_detectable_difference(sd, n, alpha=0.05, power=0.8, exact=True):
    """Smallest true mean difference the paired t-test detects with ``power``, or None when it is
    undefined (no spread, or too few pairs: with 2, scipy's noncentral t gives NaN powers, and such
    a design detects nothing useful anyway).

    ``exact`` solves the noncentral-t power equation; otherwise the textbook approximation
    (t_{1-alpha/2,n-1} + t_{power,n-1}) * sd / sqrt(n) (3.72 sd / sqrt(5) for 5 seeds), the formula
    docs/evidence_protocol.md fixed before the detection runs; it is within a few percent.

    Args:
        sd (float): std of the per-seed differences.
        n (int): number of seeds (pairs).
        alpha (float): test level. Defaults to 0.05.
        power (float): wanted power. Defaults to 0.8.
        exact (bool): solve exactly rather than approximate. Defaults to True.
    """
    if n < (3 if exact else 2) or not sd > 0:
        return None
    if not exact:
        return (t_quantile(1 - alpha / 2, n - 1) + t_quantile(power, n - 1)) * sd / math.sqrt(n)
    from scipy.optimize import brentq
    hi = sd
    while paired_power(hi, sd, n, alpha) < power:
        hi *= 2
    return float(brentq(lambda d: paired_power(d, sd, n, alpha) - power, 0.0, hi, xtol=1e-9))


def paired_difference(values, baseline, confidence=0.95, power=0.8, exact_mdd=True):
    """Per-seed differences ``values[s] - baseline[s]`` over the seeds both have, with their mean,
    std, t confidence interval, p-value, minimum detectable difference and :func:`verdict`.

    Args:
        values (dict): {seed: metric} of the variant.
        baseline (dict): {seed: metric} of the baseline.
        confidence (float): confidence level of the interval. Defaults to 0.95.
        power (float): power for the minimum detectable difference. Defaults to 0.8.
        exact_mdd (bool): see :func:`min_detectable_difference`. Defaults to True.
    """
    seeds = sorted(set(values) & set(baseline))
    diff = mean_std(values[s] - baseline[s] for s in seeds) if seeds else dict(
        mean=float('nan'), std=0.0, n=0, values=[])
    n = diff['n']
    diff.update(seeds=seeds, seeds_better=sum(d > 0 for d in diff['values']),
                ci=None, p_value=None, mdd=None)
    if n >= 2:
        alpha = 1 - confidence
        half = t_quantile(1 - alpha / 2, n - 1) * diff['std'] / math.sqrt(n)
        diff['ci'] = [diff['mean'] - half, diff['mean'] + half]
        if diff['std'] > 0:
            from scipy import stats
            t = diff['mean'] / (diff['std'] / math.sqrt(n))
            diff['p_value'] = float(2 * stats.t.sf(abs(t), n - 1))
        diff['mdd'] = min_detectable_difference(diff['std'], n, alpha, power, exact_mdd)
    diff['verdict'] = verdict(diff['ci'])
    return diff


def verdict(ci):
    """'better' / 'worse' only when the interval excludes 0 (the protocols' rule), else 'not
    distinguishable'.

    Args:
        ci (list | None): [low, high] of the paired difference, or None without one.
    """
    if ci is not None and ci[0] > 0:
        return 'better'
    if ci is not None and ci[1] < 0:
        return 'worse'
    return 'not distinguishable'
