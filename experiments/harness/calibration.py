"""Protocol v3's schedule length by the doubling rule (docs/evidence_protocol.md section 5.3).

Stock alone on the calibration seeds, each candidate a complete schedule, and the rule on the mean
final **validation** metric: each longer candidate is trained only while the last doubling gained
at least the threshold; chosen is the shorter of the first pair whose gain is below it, or the
longest candidate if stock was still rising there.

``tools/compare.py --phase calibration`` trains the candidates the rule asks for (cached, so it can
be rerun at any point); ``python -m experiments.harness.calibration DIR`` prints the rule again
(exit status 3 while it needs another candidate).
"""
import argparse
import glob
import json
import os.path as osp
import statistics
import sys

from ..stats import primary_metric

NEEDS_MORE = 3


def doubling_rule(means, candidates, threshold):
    """The rule on ``means`` ({length: mean final val metric, points}) of the candidates so far.

    Returns:
        dict: ``steps`` [{short, long, gain, rising}], ``choice`` (a length, or None while the
        rule needs ``next``), ``next`` and ``still_rising`` (the longest candidate still gained).
    """
    steps = []
    for short, long in zip(candidates, candidates[1:]):
        missing = [c for c in (short, long) if c not in means]
        if missing:
            return dict(steps=steps, choice=None, next=missing[0], still_rising=False)
        gain = means[long] - means[short]
        steps.append(dict(short=short, long=long, gain=gain, rising=gain >= threshold))
        if gain < threshold:
            return dict(steps=steps, choice=short, next=None, still_rising=False)
    return dict(steps=steps, choice=candidates[-1], next=None, still_rising=True)


def read_candidates(directory):
    """{iterations: results} of the calibration comparisons in ``directory``'s subfolders."""
    found = {}
    for path in sorted(glob.glob(osp.join(directory, '*', 'results.json'))):
        with open(path) as f:
            results = json.load(f)
        setup = results['setup']
        if setup.get('phase') != 'calibration' or setup.get('test_split'):
            raise ValueError(f"{path}: not a calibration comparison (phase "
                             f"{setup.get('phase')!r}); calibration reads validation only")
        found[setup['iters']] = results
    return found


def final_values(results):
    """(metric label, {seed: final val metric of stock, points}) of one candidate."""
    summary = results['summary']
    metric, scale = primary_metric(summary)
    return summary['metrics'][metric], {r['seed']: scale * r['metrics'][metric]
                                        for r in results['runs'] if r['variant'] == 'stock'}


def report(directory, candidates, threshold, tool, study=None, seeds=None):
    """Print each candidate's numbers found in ``directory``, the rule's arithmetic and its
    choice (or the next candidate's command); return :func:`doubling_rule`'s output. With
    ``seeds``, a candidate whose comparison ran other seeds (a ``--seeds`` subset) counts as
    missing, so :func:`calibrate` runs it again with the phase's seeds (cached runs are read)."""
    found, means = read_candidates(directory), {}
    for length in candidates:
        if length not in found:
            continue
        label, values = final_values(found[length])
        if seeds is not None and sorted(values) != sorted(seeds):
            print(f"{length} iterations: seeds {' '.join(map(str, values))}, not the phase's "
                  f"{' '.join(map(str, seeds))}: to be run again")
            continue
        means[length] = statistics.fmean(values.values())
        print(f"{length} iterations: stock final val {label} "
              + ', '.join(f'{v:.2f}' for v in values.values())
              + f" (seeds {' '.join(map(str, values))}): mean {means[length]:.2f}")
    out = doubling_rule(means, candidates, threshold)
    for s in out['steps']:
        print(f"{s['long']} vs {s['short']}: {means[s['long']]:.2f} - {means[s['short']]:.2f} = "
              f"{s['gain']:+.2f} points {'>=' if s['rising'] else '<'} {threshold}: "
              + ('stock still rising' if s['rising'] else 'stock has stopped rising'))
    if out['choice'] is None:
        print(f"next: train {out['next']} iterations: python {tool} --phase calibration --iters "
              f"{out['next']} --out {osp.join(directory, str(out['next']))} --jobs 2")
    else:
        print(f"chosen: {out['choice']} iterations"
              + (f' (stock was still rising at {candidates[-1]}, the longest candidate: the '
                 'report says so)' if out['still_rising'] else ''))
        if study:
            print(f"next: make v3-pilot STUDY={study} ITERS={out['choice']}")
    return out


def settings(study, quick=False):
    """The study's calibration rule; ``quick`` (a smoke run): the smoke length and its double."""
    if not quick:
        return dict(study.calibration)
    return dict(study.calibration, candidates=[study.quick['iters'], 2 * study.quick['iters']])


def calibrate(study, args, compare):
    """Train the candidates the rule asks for (``compare(iters, out_dir)``); return the rule."""
    rule = settings(study, args.quick)
    candidates = list(rule['candidates'])
    while True:
        print(f'calibration in {args.out}: candidates {candidates}, threshold '
              f"{rule['threshold']} points", flush=True)
        out = report(args.out, candidates, rule['threshold'], study.tool, study.name, args.seeds)
        if out['choice'] is not None:
            return out
        compare(out['next'], osp.join(args.out, str(out['next'])))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('directory', help='holds DIR/<iterations>/results.json per candidate')
    args = p.parse_args(argv)
    found = read_candidates(args.directory)
    if not found:
        p.error(f'no calibration results in {args.directory}/*/results.json')
    setup = next(iter(found.values()))['setup']
    out = report(args.directory, list(setup['calibration']['candidates']),
                 setup['calibration']['threshold'], setup.get('tool'), setup.get('study'))
    if out['choice'] is None:
        sys.exit(NEEDS_MORE)
    return out


if __name__ == '__main__':
    main()
