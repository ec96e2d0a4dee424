"""Does AW help a classifier trained from scratch? Train stock / AW / SE / AW+SE ResNet-18
classifiers on rendered digits over several seeds and report test top-1 with paired statistics.

python tools/compare_classification.py --out work_dirs/cls --jobs 2           # 4 variants x 5 seeds
python tools/compare_classification.py --out work_dirs/cls_cal --variants stock --seeds 100 101 102
python tools/compare_classification.py --out /tmp/cls --quick --jobs 2       # smoke test (~40 s)

Every (variant, seed) run is its own process (experiments/classification/run.py), so a crash loses
one run; the same seed gives every variant the same data order and augmentation. Finished runs are
cached in <out>/runs/ and reused while their config is unchanged; an interrupted run resumes from
its last checkpoint. Writes <out>/results.json, <out>/report.md and <out>/accuracy_curves.png.
The protocol (fixed on stock alone) is in docs/classification_protocol.md.
"""
import argparse
import copy
import datetime
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from experiments.classification.report import markdown_report, plot, summarize
from experiments.classification.variants import VARIANTS, apply_variant

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(ROOT, 'configs', 'classification', 'resnet18_digits_cls.py')
RECORD_FILE = 'run_record.json'
#: --quick: a few scans per split, 10 iterations, small batches; checks the machinery only.
QUICK = dict(iters=10, val_interval=5, max_scans=6, batch_size=16, attention_images=8,
             bench=dict(reps=2, steps=1, warmup=1))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', required=True, help='output directory (report, JSON, plot, runs/)')
    p.add_argument('--variants', nargs='+', choices=sorted(VARIANTS),
                   help='default: stock aw se aw_se (--quick: stock aw)')
    p.add_argument('--seeds', nargs='+', type=int,
                   help='default: 0 1 2 3 4 (--quick: 0); the protocol was fixed on 100-102')
    p.add_argument('--config', default=DEFAULT_CONFIG, help='the stock classifier config')
    p.add_argument('--jobs', type=int, default=1,
                   help='runs at a time; with more than 1, each run gets OMP_NUM_THREADS=1')
    p.add_argument('--iters', type=int, help="training iterations (default: the config's); the "
                   'cosine schedule is stretched to match')
    p.add_argument('--val-interval', type=int, help="validate every N iterations (default: the "
                   "config's)")
    p.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                   help='further config overrides for every run (mmengine DictAction syntax)')
    p.add_argument('--bench-reps', type=int, default=10,
                   help='repetitions of the interleaved step-cost benchmark (0: skip it)')
    p.add_argument('--attention-images', type=int, default=32,
                   help='test images the attention is measured on')
    p.add_argument('--quick', action='store_true',
                   help='smoke test: tiny data, 10 iterations, stock and aw, seed 0')
    p.add_argument('--rerun', action='store_true', help='ignore cached finished runs')
    args = p.parse_args(argv)
    args.variants = args.variants or (['stock', 'aw'] if args.quick else list(VARIANTS))
    args.seeds = args.seeds if args.seeds is not None else ([0] if args.quick else [0, 1, 2, 3, 4])
    if args.quick:
        args.iters, args.val_interval = QUICK['iters'], QUICK['val_interval']
        args.attention_images = QUICK['attention_images']
    if args.jobs < 1:
        p.error(f'--jobs must be >= 1, got {args.jobs}')
    if len(set(args.seeds)) != len(args.seeds) or len(set(args.variants)) != len(args.variants):
        p.error('--seeds and --variants must not repeat')
    return args


def _options(items):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction, default={})
    return parser.parse_args(['--o', *items]).o if items else {}


def base_config(args):
    """The stock config with the schedule and option overrides shared by every run."""
    from mmengine.config import Config
    cfg = Config.fromfile(args.config, import_custom_modules=False)
    if args.iters is not None:
        cfg.train_cfg.max_iters = args.iters
        if 'max_iters' in cfg:  # the config's own variable, so the dumped config reads true
            cfg.max_iters = args.iters
        for sched in cfg.param_scheduler:
            sched['end'] = min(sched.get('end', args.iters), args.iters)
            sched['begin'] = min(sched.get('begin', 0), max(sched['end'] - 1, 0))
    if args.val_interval is not None:
        cfg.train_cfg.val_interval = args.val_interval
        if 'val_interval' in cfg:
            cfg.val_interval = args.val_interval
    if args.quick:
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[loader].dataset.max_scans = QUICK['max_scans']
        cfg.train_dataloader.batch_size = QUICK['batch_size']
        cfg.default_hooks.logger.interval = 1
    cfg.merge_from_dict(_options(args.cfg_options))
    if not 1 <= cfg.train_cfg.val_interval <= cfg.train_cfg.max_iters:
        raise SystemExit(f'error: val_interval {cfg.train_cfg.val_interval} must be within '
                         f'1..max_iters ({cfg.train_cfg.max_iters})')
    return cfg


def write_run_config(base, variant, seed, run_dir):
    """Dump the run's full config to ``run_dir/run_config.py``; return (path, its text with
    ``run_dir`` replaced, which is what identifies the run for caching)."""
    cfg = apply_variant(copy.deepcopy(base), variant)
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.model.data_preprocessor.seed = seed
    cfg.work_dir = run_dir
    os.makedirs(run_dir, exist_ok=True)
    path = osp.join(run_dir, 'run_config.py')
    cfg.dump(path)
    with open(path) as f:
        return path, f.read().replace(run_dir, '<work_dir>')


def child_env(jobs):
    """The runs' environment: this checkout first on the path, one thread each when parallel."""
    env = dict(os.environ, PYTHONHASHSEED='0')
    env['PYTHONPATH'] = os.pathsep.join(p for p in (ROOT, os.environ.get('PYTHONPATH')) if p)
    if jobs > 1:
        env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return env


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run_one(args, base, variant, seed, log):
    """Train/test one run in a subprocess unless a finished run with the same config is cached;
    return its record (or one with an 'error')."""
    run_dir = osp.abspath(osp.join(args.out, 'runs', variant, f'seed{seed}'))
    record_path = osp.join(run_dir, RECORD_FILE)
    previous = _read_json(record_path) or {}
    old_config = osp.join(run_dir, 'run_config.py')
    old_text = None
    if osp.isfile(old_config):
        with open(old_config) as f:
            old_text = f.read().replace(run_dir, '<work_dir>')
    config, text = write_run_config(base, variant, seed, run_dir)
    setup = dict(config_text=text, attention_images=args.attention_images)
    if not args.rerun and previous.get('setup') == setup and 'test' in previous:
        log(f'{variant} seed {seed}: cached ({previous["test"]["cls/top1"]:.2f} %)')
        return dict(previous, cached=True)
    resume = (not args.rerun and old_text == text
              and osp.isfile(osp.join(run_dir, 'last_checkpoint')))
    if not resume:  # a different (or no) earlier run: start clean
        for name in os.listdir(run_dir):
            if name != 'run_config.py':
                target = osp.join(run_dir, name)
                shutil.rmtree(target) if osp.isdir(target) else os.remove(target)
    cmd = [sys.executable, '-m', 'experiments.classification.run', config, '--work-dir', run_dir,
           '--attention-images', str(args.attention_images)] + (['--resume'] if resume else [])
    log(f'{variant} seed {seed}: {"resuming" if resume else "training"} ({run_dir})')
    start = time.time()
    with open(osp.join(run_dir, 'run.log'), 'a') as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=child_env(args.jobs), stdout=out,
                              stderr=subprocess.STDOUT)
    wall = time.time() - start
    result = _read_json(osp.join(run_dir, 'result.json'))
    if proc.returncode != 0 or result is None:
        with open(osp.join(run_dir, 'run.log')) as f:
            tail = f.read()[-2000:]
        log(f'{variant} seed {seed}: FAILED (exit {proc.returncode}), see {run_dir}/run.log')
        return dict(variant=variant, seed=seed, error=f'exit {proc.returncode}', log_tail=tail,
                    run_dir=run_dir)
    record = dict(variant=variant, seed=seed, setup=setup, wall_seconds=wall, run_dir=run_dir,
                  cached=False, **result)
    with open(record_path, 'w') as f:
        json.dump(record, f, indent=1)
    log(f"{variant} seed {seed}: test top-1 {record['test']['cls/top1']:.2f} %, {wall:.0f} s")
    return record


def run_cost(args, log):
    """The interleaved step-cost benchmark in a subprocess (alone, before any training), with the
    runs' thread count; cached in <out>/cost.json for the same config and settings."""
    if args.bench_reps <= 0:
        return None
    bench = QUICK['bench'] if args.quick else dict(reps=args.bench_reps, steps=3, warmup=2)
    out = osp.join(args.out, 'cost.json')
    base_path = osp.join(args.out, 'cost_config.py')
    base_config(args).dump(base_path)
    with open(base_path) as f:
        key = dict(config=f.read(), variants=args.variants, jobs=args.jobs, **bench)
    cached = _read_json(out)
    if not args.rerun and cached and cached.get('key') == key:
        return cached
    cmd = [sys.executable, '-m', 'experiments.classification.cost', base_path, '--out', out,
           '--variants', *args.variants, '--reps', str(bench['reps']),
           '--steps', str(bench['steps']), '--warmup', str(bench['warmup'])]
    log(f"step-cost benchmark: {' '.join(args.variants)}")
    proc = subprocess.run(cmd, cwd=ROOT, env=child_env(args.jobs), capture_output=True, text=True)
    if proc.returncode != 0:
        log(f'step-cost benchmark FAILED (exit {proc.returncode}):\n{proc.stderr[-2000:]}')
        return None
    cost = _read_json(out)
    cost['key'] = key
    with open(out, 'w') as f:
        json.dump(cost, f, indent=1)
    log('step cost: ' + ', '.join(f'{k} {v:.2f}x' for k, v in cost['ratios'].items()))
    return cost


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')

    def log(message):
        print(f'[{time.time() - started:6.0f} s] {message}', flush=True)

    base = base_config(args)
    for variant in args.variants:  # every variant must apply before any training starts
        try:
            apply_variant(copy.deepcopy(base), variant)
        except ValueError as err:
            raise SystemExit(f'error: {err}')
    cost = run_cost(args, log)
    tasks = [(v, s) for s in args.seeds for v in args.variants]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        records = list(pool.map(lambda t: run_one(args, base, *t, log), tasks))
    runs = [r for r in records if 'error' not in r]
    failed = [r for r in records if 'error' in r]
    summary = summarize(runs, cost, args.variants) if runs else None
    threads = 1 if args.jobs > 1 else None
    setup = dict(config=osp.relpath(args.config, ROOT), variants=args.variants, seeds=args.seeds,
                 jobs=args.jobs, threads_per_run=threads, quick=args.quick,
                 iters=base.train_cfg.max_iters, val_interval=base.train_cfg.val_interval,
                 batch_size=base.train_dataloader.batch_size, cfg_options=args.cfg_options,
                 attention_images=args.attention_images)
    command = 'python tools/compare_classification.py ' + ' '.join(
        sys.argv[1:] if argv is None else [str(a) for a in argv])
    results = dict(command=command, date=date, setup=setup, elapsed_seconds=time.time() - started,
                   runs=[{k: v for k, v in r.items() if k != 'setup'} for r in runs],
                   failed=failed, summary=summary)
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    header = [f'# Classification check: {", ".join(args.variants)} over seeds '
              f'{" ".join(map(str, args.seeds))}', '', f'`{command}` ({date}; '
              f"{results['elapsed_seconds'] / 60:.1f} min with --jobs {args.jobs})", '',
              f"Setup: {setup['config']}, {setup['iters']} iterations, batch "
              f"{setup['batch_size']}, val every {setup['val_interval']}; top-1 on the test "
              'split after the last iteration (val is only logged).']
    if failed:
        header += ['', '**Failed runs:** ' + ', '.join(f"{r['variant']} seed {r['seed']} "
                                                         f"({r['error']})" for r in failed)]
    report = markdown_report(summary, header) if summary else '\n'.join(header) + '\n'
    with open(osp.join(args.out, 'report.md'), 'w') as f:
        f.write(report)
    if runs:
        plot(runs, osp.join(args.out, 'accuracy_curves.png'))
    print(report)
    print(f"wrote {osp.join(args.out, 'report.md')}, results.json, accuracy_curves.png")
    if failed:
        raise SystemExit(f'{len(failed)} run(s) failed: see their run.log')


if __name__ == '__main__':
    main()
