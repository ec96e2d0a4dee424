"""Paired statistics over seeds: mean ± std, 95 % t intervals, minimum detectable differences.

Runs of the same seed share the data order and augmentation, so variant and baseline are compared
seed by seed (paired): a one-sample t-test on the per-seed differences. The minimum detectable
difference is the true mean difference a two-sided paired t-test at alpha = 0.05 finds with 80 %
power, given the observed std of the differences; it solves the noncentral-t power equation
exactly (scipy, which scikit-learn already requires).

Protocol v3 sizes each study from a pilot with :func:`seeds_for_power` (docs/evidence_protocol.md
5.4); ``python -m experiments.stats PILOT_RESULTS_JSON`` prints the pilot's std of the paired
differences, its mean difference and the seed count.
"""
import argparse
import json
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
    nc = abs(delta) * math.sqrt(n) / sd
    wrong_side = float(stats.nct.cdf(-crit, df, nc))  # tiny; scipy gives NaN where it underflows
    return float(stats.nct.sf(crit, df, nc)) + (wrong_side if math.isfinite(wrong_side) else 0.0)


def seeds_for_power(sd, delta, bounds, alpha=0.025, power=0.8):
    """Fewest seeds whose paired t-test has ``power`` against ``delta``, clamped to ``bounds``.

    Args:
        sd (float): std of the paired differences (the pilot's sd_d).
        delta (float): the true difference to detect, in the units of ``sd``.
        bounds (tuple[int, int]): (fewest, most) seeds the budget allows.
        alpha (float): test level. Defaults to 0.025 (Holm's first step over two primaries).
        power (float): wanted power. Defaults to 0.8.

    Returns:
        dict: ``n``, ``n_rule`` (before clamping; 2 when ``sd`` is 0), ``clamped`` ('low', 'high'
        or None), ``power`` at ``n`` and ``mdd`` at ``n`` (None when ``sd`` is 0).
    """
    lo, hi = bounds
    if not 2 <= lo <= hi:
        raise ValueError(f'bounds must satisfy 2 <= low <= high, got {bounds}')

    def enough(n):  # scipy's noncentral t is NaN at 1 degree of freedom: not enough
        return paired_power(delta, sd, n, alpha) >= power

    if not sd > 0:
        n_rule = 2
    else:
        low, top = 1, 3  # enough(top); not enough(low) (1 seed has no test)
        while not enough(top):  # power grows with n: double, then bisect
            low, top = top, top * 2
        while top - low > 1:
            mid = (low + top) // 2
            low, top = (low, mid) if enough(mid) else (mid, top)
        n_rule = top
    n = min(max(n_rule, lo), hi)
    return dict(n=n, n_rule=n_rule, clamped='low' if n_rule < lo else 'high' if n_rule > hi
                else None, power=paired_power(delta, sd, n, alpha) if sd > 0 else 1.0,
                mdd=min_detectable_difference(sd, n, alpha, power))


def min_detectable_difference(sd, n, alpha=0.05, power=0.8):
    """Smallest true mean difference the paired t-test detects with ``power`` (None: undefined).

    Undefined means no spread, or too few pairs: with 2, scipy's noncentral t gives NaN powers, and
    such a design detects nothing useful anyway.

    Args:
        sd (float): std of the per-seed differences.
        n (int): number of seeds (pairs).
        alpha (float): test level. Defaults to 0.05.
        power (float): wanted power. Defaults to 0.8.
    """
    if n < 3 or not sd > 0:
        return None
    from scipy.optimize import brentq
    hi = sd
    while paired_power(hi, sd, n, alpha) < power:
        hi *= 2
    return float(brentq(lambda d: paired_power(d, sd, n, alpha) - power, 0.0, hi, xtol=1e-9))


def paired_difference(values, baseline):
    """Per-seed ``values - baseline`` on shared seeds: mean, std, 95 % t CI, p-value, MDD (80 %
    power, alpha 0.05). The verdict is not this function's: the protocol decides it over its
    primaries (harness/verdict.py).

    Args:
        values (dict): {seed: metric} of the variant.
        baseline (dict): {seed: metric} of the baseline.
    """
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
    """Holm's step-down correction: which hypotheses are rejected at family-wise ``alpha``.

    With p_(1) <= ... <= p_(m), p_(i) is rejected if it is at most alpha / (m - i + 1) and every
    smaller one was; the first that is not stops it.

    Args:
        p_values (list[float | None]): one per hypothesis; None (no test) is never rejected.
        alpha (float): family-wise level. Defaults to 0.05.

    Returns:
        list[dict]: per hypothesis, in the given order: ``rank`` (1 = smallest p), ``threshold``
        (alpha / (m - rank + 1)) and ``rejected``.
    """
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


def paired_values(results, variant, baseline, metric=None):
    """(metric, {seed: variant - baseline}) from a comparison's results.json (harness/compare.py),
    in points where its metrics are fractions; ``metric`` defaults to the first (the primary)."""
    primary, scale = primary_metric(results['summary'])
    metric = metric or primary
    final = {(r['variant'], r['seed']): r['metrics'][metric] for r in results['runs']}
    return metric, {s: scale * (final[variant, s] - final[baseline, s])
                    for v, s in sorted(final) if v == variant and (baseline, s) in final}


def main(argv=None):
    p = argparse.ArgumentParser(description="Protocol v3's seed count (docs/evidence_protocol.md "
                                "5.4) from the pilot's results.json")
    p.add_argument('results', help="the pilot's results.json (tools/compare*.py --phase pilot)")
    p.add_argument('--delta', type=float, help="the difference to detect, in points (default: "
                   "the study's, as the results record it)")
    p.add_argument('--bounds', type=int, nargs=2, metavar=('LOW', 'HIGH'),
                   help="fewest and most seeds (default: the study's)")
    p.add_argument('--variant', default='aw')
    p.add_argument('--baseline', default='stock')
    p.add_argument('--alpha', type=float, default=0.025)
    p.add_argument('--power', type=float, default=0.8)
    args = p.parse_args(argv)
    with open(args.results) as f:
        results = json.load(f)
    setup, rule = results['setup'], results['setup'].get('seed_rule') or {}
    delta = rule.get('delta') if args.delta is None else args.delta
    bounds = args.bounds or rule.get('bounds')
    if delta is None or bounds is None:
        p.error(f'{args.results} names no seed rule: give --delta and --bounds')
    metric, diffs = paired_values(results, args.variant, args.baseline)
    if len(diffs) < 3:
        p.error(f'{args.variant} - {args.baseline}: {len(diffs)} paired seed(s) in '
                f'{args.results}; the rule needs at least 3')
    if setup.get('phase') != 'pilot':
        print(f"warning: these results are of phase {setup.get('phase')!r}, not the pilot")
    label = results['summary']['metrics'][metric]
    where = 'test' if any(r.get('test') for r in results['runs']) else 'final validation'
    d = mean_std(diffs.values())
    out = seeds_for_power(d['std'], delta, bounds, args.alpha, args.power)
    clamp = dict(low=f'raised to the lower bound {bounds[0]}',
                 high=f'cut to the upper bound {bounds[1]}').get(out['clamped'], 'within bounds')
    print(f"pilot: {args.variant} - {args.baseline}, {label} ({where}), seeds "
          f"{' '.join(map(str, diffs))} ({setup.get('iters')} iterations)")
    print('paired differences (points): ' + ', '.join(f'{v:+.2f}' for v in diffs.values()))
    print(f"mean difference: {d['mean']:+.3f} points (reported; it decides nothing)")
    print(f"sd_d: {d['std']:.3f} points")
    print(f"rule: the smallest n with >= {args.power:.0%} power, two-sided paired t at alpha "
          f"{args.alpha}, delta {delta} points: n = {out['n_rule']}")
    mdd = '-' if out['mdd'] is None else f"{out['mdd']:.2f} points"
    print(f"bounds {bounds[0]}-{bounds[1]}: n = {out['n']} ({clamp}); power at n "
          f"{out['power']:.3f}; difference detectable at n ({args.power:.0%} power, alpha "
          f"{args.alpha}): {mdd}")
    print(f"final seeds: {' '.join(map(str, range(out['n'])))}")
    if setup.get('study'):
        print(f"next: make v3-final STUDY={setup['study']} ITERS={setup.get('iters')} "
              f"N={out['n']}")
    return out


if __name__ == '__main__':
    main()
