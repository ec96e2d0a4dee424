"""Shared test helpers: paths, the project's configs, a tiny generated dataset, running the
project's tools (in a subprocess, or loaded as modules: tools/ is scripts, not a package)."""
import glob
import importlib.util
import os
import os.path as osp
import subprocess
import sys
import zlib

TESTS_DIR = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(TESTS_DIR)
DEMO_CONFIG = osp.join(ROOT, 'configs', 'demo', 'faster_rcnn_aw_demo.py')


def project_configs():
    """Every runnable config in configs/ (the shared pieces in configs/_base_/ are not)."""
    configs = glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    return sorted(c for c in configs if '_base_' not in osp.relpath(c, ROOT).split(osp.sep))


def load_config(path):
    """A repository config parsed once per process, a copy per call (the benchmark's loader)."""
    from experiments.benchmark.variants import load_config as parsed_once
    return parsed_once(str(path))


def stock_config(relpath):
    """Path of a config shipped inside the installed mmdet (what ``mmdet::relpath`` names)."""
    import mmdet
    return osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', relpath)


def stable_seed(*parts):
    """A seed made from ``parts`` (numbers, strings, tuples of them) that is the same in every
    process: ``hash()`` of a string is salted per process unless PYTHONHASHSEED is set."""
    return zlib.crc32(repr(parts).encode())


def make_tiny_data(out_dir, num_train=6, num_val=4, seed=0, num_test=2):
    """A small COCO-format digits dataset (the demo generator at test size)."""
    from experiments.demo import make_demo_data
    return make_demo_data(str(out_dir), num_train=num_train, num_val=num_val, seed=seed,
                          image_size=(128, 128), num_test=num_test)


def tiny_settings(data_root, max_iters=2, interval=1):
    """Config overrides (dotted keys) turning the demo config into a seconds-long run."""
    root = str(data_root).rstrip('/') + '/'
    settings = {f'{loader}.{key}': value
                for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
                for key, value in (('dataset.data_root', root), ('num_workers', 0),
                                   ('persistent_workers', False))}
    settings.update({
        'val_evaluator.ann_file': f'{root}annotations/instances_val.json',
        'test_evaluator.ann_file': f'{root}annotations/instances_val.json',
        'train_dataloader.batch_size': 2,
        'train_cfg.max_iters': max_iters, 'train_cfg.val_interval': max_iters,
        'default_hooks.checkpoint.interval': interval,
        'default_hooks.checkpoint.max_keep_ckpts': -1,
        'default_hooks.logger.interval': 1,
        'randomness.seed': 0,
    })
    return settings


def tiny_options(data_root, max_iters=2, interval=1):
    """The same overrides as ``--cfg-options`` arguments."""
    return [f'{k}={v}' for k, v in tiny_settings(data_root, max_iters, interval).items()]


def run_tool(script, *args, env=None, timeout=600, check=True):
    """Run tools/<script> with the current interpreter; return CompletedProcess (text)."""
    cmd = [sys.executable, osp.join(ROOT, 'tools', script), *map(str, args)]
    full_env = dict(os.environ, OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '2'))
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{script} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n'
                             f'{proc.stderr[-6000:]}')
    return proc


def load_tool(script):
    """tools/<script> as a module (its ``main(argv)`` then runs in this process)."""
    spec = importlib.util.spec_from_file_location(f'tool_{script[:-3]}',
                                                  osp.join(ROOT, 'tools', script))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
