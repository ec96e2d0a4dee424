"""The comparison behind both tools: variants x seeds, cached runs, paired statistics, report.

Writes ``<out>/report.md``, ``<out>/results.json`` (every number, curve and run),
``<out>/curves.png`` and, with ``--dynamics``, ``<out>/dynamics.png``; the runs live in
``<out>/runs/<variant>/seed<k>/``.
"""
import argparse
import datetime
import os
import os.path as osp
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from experiments import ROOT

from .runs import child_env, config_key, read_json, run_one, write_json

#: the step-cost benchmark's steps per repetition and untimed repetitions (normal, --quick)
BENCH = dict(steps=3, warmup=2)
QUICK_BENCH = dict(reps=2, steps=1, warmup=1)


def parse_args(study, argv=None, description=''):
    """The command line shared by the studies, with ``study``'s own options and defaults."""
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--out', required=True, help='output directory (report, JSON, plot, runs/)')
    p.add_argument('--phase', choices=list(study.phases), default='final', help='a step of '
                   'protocol v3 (docs/evidence_protocol.md section 5), with its variants, seeds '
                   'and schedule (default: final): ' + '; '.join(
                       f"{k}: {' '.join(v['variants'])} x seeds "
                       f"{' '.join(map(str, v['seeds']))}"
                       + (f", {v['iters']} iterations" if v.get('iters') else '')
                       for k, v in study.phases.items())
                   + '. Only final reads the test split. Calibration without --iters trains the '
                   'candidate lengths the doubling rule asks for, each in <out>/<iterations>/, and '
                   'prints the choice')
    p.add_argument('--variants', nargs='+', choices=sorted(study.variants),
                   help="default: the phase's")
    p.add_argument('--seeds', nargs='+', type=int, help="default: the phase's")
    p.add_argument('--iters', type=int, help="training iterations (default: the phase's); "
                   'schedulers that run to the end are extended to them, the warm-up stays')
    p.add_argument('--val-interval', type=int, help='validate every N iterations (default: '
                   f"{study.defaults['val_interval'] or 'the config'})")
    p.add_argument('--batch-size', type=int, help="default: the config's")
    p.add_argument('--config', default=study.config, help='the base config the variants change')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={}, metavar='KEY=VALUE',
                   help='further overrides of every run (mmengine DictAction syntax)')
    p.add_argument('--jobs', type=int, default=1,
                   help='runs at a time; with more than 1, each run gets OMP_NUM_THREADS=1')
    p.add_argument('--dynamics', type=int, default=0, metavar='N',
                   help='record the attention learning dynamics every N iterations '
                        '(experiments/evidence/attention_dynamics.py)')
    p.add_argument('--bench-reps', type=int, help='repetitions of the interleaved step-cost '
                   f"benchmark, run before the trainings (default {study.defaults['bench_reps']}; "
                   '0: none)')
    p.add_argument('--quick', action='store_true', help="smoke run of the phase: its variants "
                   'among ' + ', '.join(f'{k} {v}' for k, v in study.quick.items())
                   + ' (what is given explicitly stays)')
    p.add_argument('--rerun', action='store_true', help='ignore cached finished runs')
    study.add_arguments(p)
    args = p.parse_args(argv)
    defaults = dict(study.defaults, attention_images=study.attention_images)
    defaults.update(study.phases[args.phase])
    if args.quick:  # the phase's variants that the smoke run has, at its size
        quick = dict(study.quick)
        quick['variants'] = [v for v in defaults['variants'] if v in quick['variants']]
        defaults.update(quick)
    # calibration without a length: every candidate the rule needs (harness/calibration.py)
    args.calibrate = args.phase == 'calibration' and args.iters is None
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.seeds is None:
        p.error(f'--phase {args.phase} needs --seeds')
    if args.jobs < 1:
        p.error(f'--jobs must be >= 1, got {args.jobs}')
    if len(set(args.seeds)) != len(args.seeds) or len(set(args.variants)) != len(args.variants):
        p.error('--seeds and --variants must not repeat')
    return args


#: what each phase of protocol v3 is for, as its report says
PHASES = dict(
    calibration='stock only, one candidate length, to fix the schedule from the final '
                'validation metric; the test split is not read. The rule over the candidates: '
                '`python -m experiments.harness.calibration <the calibration directory>`.',
    pilot='stock and aw, to size the final run; the test split is not read and the difference '
          'decides nothing. The seed count: `python -m experiments.stats results.json`.',
    final='the final runs; metrics from the test split, read once after the last iteration. '
          'The verdict is Holm over the two studies\' primaries: `python -m '
          'experiments.harness.verdict DETECTION_RESULTS CLASSIFICATION_RESULTS`.')


def run_cost(study, base, args, log):
    """The step-cost benchmark in its own process, alone before any training and with the runs'
    thread count; cached in ``<out>/cost.json`` while its configs and settings are unchanged."""
    if not args.bench_reps:
        return None
    bench = QUICK_BENCH if args.quick else dict(BENCH, reps=args.bench_reps)
    os.makedirs(osp.join(args.out, 'cost'), exist_ok=True)
    configs = {v: osp.join(args.out, 'cost', f'{v}.py') for v in args.variants}
    for variant, path in configs.items():
        study.run_config(base, variant, 0).dump(path)
    key = dict(configs=[config_key(p, osp.abspath(args.out)) for p in configs.values()],
               jobs=args.jobs, **bench)
    out = osp.join(args.out, 'cost.json')
    cached = read_json(out)
    if not args.rerun and cached and cached.get('key') == key:
        return cached
    cmd = [sys.executable, '-m', 'experiments.harness.cost', '--out', out,
           *[f'{name}={path}' for name, path in configs.items()],
           *[f'--{k}={v}' for k, v in bench.items()]]
    log(f"step-cost benchmark: {' '.join(args.variants)}")
    proc = subprocess.run(cmd, cwd=ROOT, env=child_env(args.jobs), capture_output=True, text=True)
    if proc.returncode != 0:
        log(f'step-cost benchmark FAILED (exit {proc.returncode}):\n{proc.stderr[-2000:]}')
        return None
    cost = dict(read_json(out), key=key)
    write_json(out, cost)
    return cost


def main(study, argv=None, description=''):
    """Run (or read from the cache) every run of the comparison and write its report.

    Args:
        study (Study): what is compared.
        argv (list[str], optional): the command line. Defaults to ``sys.argv[1:]``.
        description (str): the tool's description for ``--help``.
    """
    from .plot import plot_curves, plot_dynamics
    from .report import markdown, summarize
    args = parse_args(study, argv, description)
    if args.calibrate:
        from .calibration import calibrate
        return calibrate(study, args, lambda iters, out: main(study, list(
            sys.argv[1:] if argv is None else argv) + ['--iters', str(iters), '--out', out],
            description))
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
    cost = run_cost(study, base, args, log)
    tasks = [(v, s) for s in args.seeds for v in args.variants]  # seed-major: complete pairs first
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        records = list(pool.map(lambda t: run_one(study, base, *t, args, log), tasks))
    runs = [r for r in records if 'error' not in r]
    failed = [r for r in records if 'error' in r]
    summary = summarize(study, runs, args.variants, cost, args.phase)
    command = ' '.join(['python', study.tool] + [str(a) for a in (
        sys.argv[1:] if argv is None else argv)])
    setup = dict(config=osp.relpath(args.config, ROOT), variants=args.variants, seeds=args.seeds,
                 iters=base.train_cfg.max_iters, val_interval=base.train_cfg.val_interval,
                 batch_size=base.train_dataloader.batch_size, jobs=args.jobs, quick=args.quick,
                 threads_per_run=1 if args.jobs > 1 else None, cfg_options=args.cfg_options,
                 attention_images=args.attention_images, dynamics=args.dynamics,
                 study=study.name, phase=args.phase, test_split=bool(base.harness.test))
    from .calibration import settings
    setup.update(tool=study.tool, seed_rule=study.seed_rule,
                 calibration=settings(study, args.quick),
                 primary=[' - '.join(c) for c in study.primary])
    results = dict(command=command, date=date, setup=setup, elapsed_seconds=time.time() - started,
                   summary=summary, runs=runs, failed=failed)
    write_json(osp.join(args.out, 'results.json'), results)
    header = [f'# {study.title}: {", ".join(args.variants)} over seeds '
              f'{" ".join(map(str, args.seeds))}', '',
              f"`{command}` ({date}; {results['elapsed_seconds'] / 60:.1f} min with --jobs "
              f"{args.jobs})", '', f"{setup['config']}, {setup['iters']} iterations, batch "
              f"{setup['batch_size']}, validation every {setup['val_interval']}; final metrics "
              f"from {'the test split' if setup['test_split'] else 'the last validation'}."]
    header += ['', f'Protocol v3 (docs/evidence_protocol.md section 5), phase '
               f'**{args.phase}**: {PHASES[args.phase]}']
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
    if any(r.get('dynamics') for r in runs):
        plot_dynamics(runs, osp.join(args.out, 'dynamics.png'),
                      title=f'attention learning dynamics, seeds {args.seeds} (mean over seeds)')
        written.append('dynamics.png')
    print(report)
    print(f"written: {args.out}/{', '.join(written)} ({results['elapsed_seconds'] / 60:.1f} min)")
    if failed:
        raise SystemExit(f'{len(failed)} run(s) failed: see their train.log')
