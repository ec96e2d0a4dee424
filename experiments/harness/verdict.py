"""Protocol v3's verdicts from both studies' final runs (docs/evidence_protocol.md section 5.6).

Each primary comparison's two-sided paired t-test, with Holm's correction over the primaries of
both studies at family-wise alpha 0.05; and the configs' recipe rule, ``aw_attn_lr10 - aw`` on the
final detection seeds (two-sided paired p < 0.05 with a positive mean: the x10 attention recipe
becomes the default again; otherwise it stays opt-in). The inputs are the ``results.json`` of
``tools/compare.py`` and ``tools/compare_classification.py``.
"""
import argparse
import json

from ..stats import holm, primary_metric
from .runs import write_json

ALPHA = 0.05
RECIPE = 'aw_attn_lr10 - aw'
RECIPE_ALPHA = 0.05


def primaries(results):
    """[(study, comparison, metric label, difference)] per primary, on the primary metric."""
    found = []
    for res in results:
        summary = res['summary']
        metric, _ = primary_metric(summary)
        for name, by_metric in summary['differences'].items():
            if by_metric[metric].get('role') == 'primary':
                found.append((res['setup'].get('study', '?'), name, summary['metrics'][metric],
                              by_metric[metric]))
    return found


def verdict_text(d, rejected):
    if rejected:
        return 'AW better' if d['mean'] > 0 else 'AW worse'
    return 'not distinguishable at this scale'


def recipe_rule(results):
    """The recipe decision from the first results holding ``aw_attn_lr10 - aw``, or None."""
    for res in results:
        by_metric = res['summary']['differences'].get(RECIPE)
        if by_metric:
            d = by_metric[primary_metric(res['summary'])[0]]
            default = d['p_value'] is not None and d['p_value'] < RECIPE_ALPHA and d['mean'] > 0
            return dict(study=res['setup'].get('study'), mean=d['mean'], p_value=d['p_value'],
                        n=d['n'], recipe_default=default)
    return None


def verdicts(results, alpha=ALPHA):
    """The verdicts (JSON-ready) of the final results of both studies."""
    found = primaries(results)
    corrected = holm([d['p_value'] for *_, d in found], alpha)
    return dict(alpha=alpha, primaries=[
        dict(study=study, comparison=name, metric=metric, mean=d['mean'], ci=d['ci'], n=d['n'],
             p_value=d['p_value'], mdd=d.get('mdd'), mdd_alpha=d.get('mdd_alpha'),
             verdict=verdict_text(d, h['rejected']), **h)
        for (study, name, metric, d), h in zip(found, corrected)],
        recipe=recipe_rule(results))


def _points(value, scale, signed=True):
    return '-' if value is None else f"{value * scale:{'+' if signed else ''}.2f}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('results', nargs='+', help="the final phase's results.json of each study")
    p.add_argument('--out', help='also write the verdicts as JSON here')
    args = p.parse_args(argv)
    results = []
    for path in args.results:
        with open(path) as f:
            results.append(json.load(f))
        if results[-1]['setup'].get('phase') != 'final':
            p.error(f"{path}: phase {results[-1]['setup'].get('phase')!r}; the verdicts take the "
                    "final runs' results")
    out = verdicts(results)
    scales = {res['setup'].get('study'): primary_metric(res['summary'])[1] for res in results}
    print(f"Holm's correction over {len(out['primaries'])} primary comparison(s), family-wise "
          f"alpha {out['alpha']}:")
    for v in out['primaries']:
        scale = scales[v['study']]
        ci = '-' if v['ci'] is None else '[{}, {}]'.format(*(_points(c, scale) for c in v['ci']))
        p_value = '-' if v['p_value'] is None else f"{v['p_value']:.4g}"
        line = (f"- {v['study']} {v['comparison']} ({v['metric']}, test split, {v['n']} seeds): "
                f"mean {_points(v['mean'], scale)} points, 95 % CI {ci}, two-sided paired p "
                f"{p_value} (rank {v['rank']}, threshold {v['threshold']:.4g}): "
                f"{'rejected' if v['rejected'] else 'not rejected'} -> **{v['verdict']}**")
        if not v['rejected'] and v['mdd'] is not None:
            line += (f"; detectable at 80 % power (alpha {v['mdd_alpha']}): "
                     f"{_points(v['mdd'], scale, signed=False)} points")
        print(line)
    recipe = out['recipe']
    if recipe is None:
        print(f'Recipe rule: no {RECIPE} in these results (the rule needs the final detection '
              'runs of aw and aw_attn_lr10).')
    else:
        scale = scales[recipe['study']]
        p_value = '-' if recipe['p_value'] is None else f"{recipe['p_value']:.4g}"
        print(f"Recipe rule: {RECIPE} on the final {recipe['study']} seeds ({recipe['n']}): mean "
              f"{_points(recipe['mean'], scale)} points, two-sided paired p {p_value} -> "
              + ('p < 0.05 with a positive mean: the x10 attention recipe becomes the configs\' '
                 'default again' if recipe['recipe_default'] else 'the configs keep mmdet\'s '
                 'stock optimiser settings; the x10 attention recipe stays an opt-in _base_ '
                 'piece'))
    if args.out:
        write_json(args.out, out)
    return out


if __name__ == '__main__':
    main()
