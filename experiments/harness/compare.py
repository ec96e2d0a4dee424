"""The comparison behind both tools: variants x seeds, cached runs, paired statistics, report.

Writes ``<out>/report.md``, ``<out>/results.json`` (every number, curve and run) and
``<out>/curves.png``; the runs live in ``<out>/runs/<variant>/seed<k>/``.
"""
import argparse
import datetime
import os
import os.path as osp
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from experiments import ROOT

from .runs import run_one, write_json


def parse_args(study, argv=None, description=''):
    """The command line shared by the studies, with ``study``'s own options and defaults."""
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--out', required=True, help='output directory (report, JSON, plot, runs/)')
    p.add_argument('--variants', nargs='+', choices=sorted(study.variants),
                   help=f"default: the final runs' ({' '.join(study.final['variants'])})")
    p.add_argument('--seeds', nargs='+', type=int, help="default: the final runs' ("
                   f"{' '.join(map(str, study.final['seeds']))})")
    p.add_argument('--iters', type=int, help="training iterations (default: the final runs', "
                   f"{study.final['iters']}); schedulers that run to the end are extended to "
                   'them, the warm-up stays')
    p.add_argument('--val-interval', type=int, help='validate every N iterations (default: '
                   f"{study.defaults['val_interval'] or 'the config'})")
    p.add_argument('--batch-size', type=int, help="default: the config's")
    p.add_argument('--config', default=study.config, help='the base config the variants change')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={}, metavar='KEY=VALUE',
                   help='further overrides of every run (mmengine DictAction syntax)')
    p.add_argument('--jobs', type=int, default=1,
                   help='runs at a time; with more than 1, each run gets OMP_NUM_THREADS=1')
    p.add_argument('--quick', action='store_true', help='smoke run: ' + ', '.join(
        f'{k} {v}' for k, v in study.quick.items()) + ' (what is given explicitly stays)')
    p.add_argument('--rerun', action='store_true', help='ignore cached finished runs')
    study.add_arguments(p)
    args = p.parse_args(argv)
    defaults = dict(study.defaults, **study.final)
    defaults.update(study.quick if args.quick else {})
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.jobs < 1:
        p.error(f'--jobs must be >= 1, got {args.jobs}')
    if len(set(args.seeds)) != len(args.seeds) or len(set(args.variants)) != len(args.variants):
        p.error('--seeds and --variants must not repeat')
    return args


#: what the report says of the runs
FINAL = ('metrics from the test split, read once after the last iteration. The verdict is Holm '
         "over the two studies' primaries: `python -m experiments.harness.verdict "
         'DETECTION_RESULTS CLASSIFICATION_RESULTS`.')


def main(study, argv=None, description=''):
    """Run (or read from the cache) every run of the comparison and write its report.

    Args:
        study (Study): what is compared.
        argv (list[str], optional): the command line. Defaults to ``sys.argv[1:]``.
        description (str): the tool's description for ``--help``.
    """
    from .plot import plot_curves
    from .report import markdown, summarize
    args = parse_args(study, argv, description)
    started = time.time()
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')

    def log(message):
        print(f'[{time.time() - started:6.0f} s] {message}', flush=True)

    try:  # every variant must apply before hours of training start
        base = study.base_config(args)
        for variant in args.variants:
            study.run_config(base, variant, 0)
    except ValueError as err:
        raise SystemExit(f'error: {err}')
    os.makedirs(args.out, exist_ok=True)
    tasks = [(v, s) for s in args.seeds for v in args.variants]  # seed-major: complete pairs first
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        records = list(pool.map(lambda t: run_one(study, base, *t, args, log), tasks))
    runs = [r for r in records if 'error' not in r]
    failed = [r for r in records if 'error' in r]
    summary = summarize(study, runs, args.variants)
    command = ' '.join(['python', study.tool] + [str(a) for a in (
        sys.argv[1:] if argv is None else argv)])
    setup = dict(config=osp.relpath(args.config, ROOT), variants=args.variants, seeds=args.seeds,
                 iters=base.train_cfg.max_iters, val_interval=base.train_cfg.val_interval,
                 batch_size=base.train_dataloader.batch_size, jobs=args.jobs, quick=args.quick,
                 threads_per_run=1 if args.jobs > 1 else None, cfg_options=args.cfg_options,
                 study=study.name, phase='final', test_split=True, tool=study.tool,
                 primary=[' - '.join(c) for c in study.primary])
    results = dict(command=command, date=date, setup=setup, elapsed_seconds=time.time() - started,
                   summary=summary, runs=runs, failed=failed)
    write_json(osp.join(args.out, 'results.json'), results)
    header = [f'# {study.title}: {", ".join(args.variants)} over seeds '
              f'{" ".join(map(str, args.seeds))}', '',
              f"`{command}` ({date}; {results['elapsed_seconds'] / 60:.1f} min with --jobs "
              f"{args.jobs})", '', f"{setup['config']}, {setup['iters']} iterations, batch "
              f"{setup['batch_size']}, validation every {setup['val_interval']}.", '',
              f'Protocol v3 (docs/evidence_protocol.md section 5), final runs: {FINAL}']
    if failed:
        header += ['', '**Failed runs:** ' + ', '.join(
            f"{r['variant']} seed {r['seed']} ({r['error']})" for r in failed)]
    report = markdown(summary, header)
    with open(osp.join(args.out, 'report.md'), 'w') as f:
        f.write(report)
    written = ['report.md', 'results.json']
    if runs:
        plot_curves(runs, study.metrics, osp.join(args.out, 'curves.png'),
                    title=f"{study.title}, seeds {' '.join(map(str, args.seeds))}\nvalidation "
                          '(mean; shaded: min-max over seeds)')
        written.append('curves.png')
    print(report)
    print(f"written: {args.out}/{', '.join(written)} ({results['elapsed_seconds'] / 60:.1f} min)")
    if failed:
        raise SystemExit(f'{len(failed)} run(s) failed: see their train.log')
