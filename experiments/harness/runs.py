"""One (variant, seed) run in its own process (harness/run.py), cached by its config text.

The key is the SHA-256 of the run's full config (``<out>/runs/<variant>/seed<k>.py``, paths as
placeholders: :func:`config_key`). A finished run with the same key is read back, a changed config
trains from scratch, an interrupted run resumes from its last checkpoint. The code is not part of
the key: a change that changes results needs ``--rerun``.
"""
import hashlib
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

from experiments import ROOT

RESULT = 'result.json'
LOG = 'train.log'


def config_key(path, work_dir):
    """SHA-256 of the config file at ``path`` formatted with ``work_dir`` written as ``<work_dir>``
    and the checkout as ``<root>`` in its values, so a run committed under results/ stays cached in
    a clone at any path (the formatter wraps lines by their length, real paths included)."""
    from mmengine.config import Config

    def placeholders(value):
        if isinstance(value, str):
            return value.replace(work_dir, '<work_dir>').replace(ROOT, '<root>')
        if isinstance(value, dict):
            return {k: placeholders(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(placeholders(v) for v in value)
        return value

    cfg = Config.fromfile(path, import_custom_modules=False)
    return hashlib.sha256(Config(placeholders(cfg.to_dict())).pretty_text.encode()).hexdigest()


def write_json(path, obj):
    """``obj`` as JSON at ``path``, indented by one space, no trailing newline."""
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1)


def read_record(run_dir):
    """The finished run's record, or None."""
    try:
        with open(osp.join(run_dir, RESULT)) as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return dict(record, run_dir=run_dir) if 'config_sha256' in record else None


def child_env(jobs):
    """A run's environment: this checkout first on the path; one thread each when parallel (on a
    busy machine two-thread OpenMP waits for its descheduled thread)."""
    env = dict(os.environ, PYTHONHASHSEED='0')
    env['PYTHONPATH'] = os.pathsep.join(p for p in (ROOT, os.environ.get('PYTHONPATH')) if p)
    if jobs > 1:
        env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return env


def run_one(study, base, variant, seed, args, log):
    """Train and measure one run unless it is cached; return its record, or one with 'error'.

    Args:
        study (Study): what is compared.
        base (mmengine.Config): the base config (``Study.base_config``).
        variant (str): one of ``study.variants``.
        seed (int): the run's seed.
        args (argparse.Namespace): out, rerun, jobs.
        log (callable): progress messages.
    """
    run_dir = osp.abspath(osp.join(args.out, 'runs', variant, f'seed{seed}'))
    path = run_dir + '.py'
    os.makedirs(run_dir, exist_ok=True)
    before = _text(path) if osp.isfile(path) else None  # a cut run resumes in its own checkout
    cfg = study.run_config(base, variant, seed)
    cfg.work_dir = run_dir
    cfg.dump(path)
    key = config_key(path, run_dir)
    record = read_record(run_dir)
    if not args.rerun and record and record['config_sha256'] == key:
        log(f'{variant} seed {seed}: cached ({_final(study, record)})')
        return dict(record, cached=True)
    resume = (not args.rerun and before == _text(path)
              and osp.isfile(osp.join(run_dir, 'last_checkpoint')))
    if not resume:  # a different (or no) earlier run: start clean
        shutil.rmtree(run_dir)
        os.makedirs(run_dir)
    cmd = [sys.executable, '-m', 'experiments.harness.run', path, '--work-dir', run_dir,
           '--variant', variant, '--seed', str(seed), '--metrics', *study.metrics]
    cmd += ['--resume'] * resume
    log(f'{variant} seed {seed}: {"resuming" if resume else "training"} ({run_dir})')
    with open(osp.join(run_dir, LOG), 'a') as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=child_env(args.jobs), stdout=out,
                              stderr=subprocess.STDOUT)
    record = read_record(run_dir)
    if proc.returncode != 0 or record is None:
        with open(osp.join(run_dir, LOG)) as f:
            tail = f.read()[-2000:]
        log(f'{variant} seed {seed}: FAILED (exit {proc.returncode}), see {run_dir}/{LOG}')
        return dict(variant=variant, seed=seed, error=f'exit {proc.returncode}', log_tail=tail)
    log(f"{variant} seed {seed}: {_final(study, record)}, {record['wall_seconds']:.0f} s")
    return dict(record, cached=False)


def _text(path):
    with open(path) as f:
        return f.read()


def _final(study, record):
    scale = 100 if study.percent else 1
    return ', '.join(f"{label} {record['metrics'][key] * scale:.2f}"
                     for key, label in study.metrics.items())
