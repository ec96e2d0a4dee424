"""AW cost against stock, side by side in one process: op level (every ResNet-101 3x3 conv shape),
detector level (Faster R-CNN R101-FPN inference and training step, peak memory), params and FLOPs,
and small maps (training steps at classification-size inputs, and where AW's time goes).

python tools/benchmark.py --out work_dirs/bench            # full: 800x1216 (takes a while on CPU)
python tools/benchmark.py --quick --out work_dirs/bench    # small sizes, a few minutes on 2 cores
Writes <out>/benchmark.md (ratios AW/stock first, absolute numbers second) and <out>/benchmark.json.

python tools/benchmark.py --peers --out work_dirs/bench    # AW against DCNv2, CondConv, SE, ...
Writes <out>/peers.md and <out>/peers.json instead (see docs/benchmarks.md, "Peers").
"""
import argparse
import json
import os
import os.path as osp
import platform
import time

import torch

import aw_mmdet  # noqa: F401  (fills the registries)
from aw_mmdet.utils import tune_glibc_malloc
from experiments.benchmark.detector_bench import bench_detectors, build_detector
from experiments.benchmark.detector_peers import detector_peers
from experiments.benchmark.memory_probe import probe_peak_mib
from experiments.benchmark.model_size import detector_size
from experiments.benchmark.op_bench import bench_op, resnet101_3x3_shapes
from experiments.benchmark.peer_bench import bench_detector_table, bench_op_table
from experiments.benchmark.peers import cond_conv2d
from experiments.benchmark.report import markdown_report, peers_markdown_report
from experiments.benchmark.small_maps import CASES, QUICK_CASES, bench_small_maps

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

STOCK_CFG = 'faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'
AW_CFG = osp.join(ROOT, 'configs', 'faster_rcnn_r101_aw_fpn.py')


def stock_config_path():
    import mmdet
    return osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', STOCK_CFG)


def settings(args):
    if args.quick:
        return dict(op_size=(256, 384), op_batches=(2,), infer_size=(320, 480),
                    train_size=(256, 384), reps=3)
    return dict(op_size=(800, 1216), op_batches=(2, 1), infer_size=(800, 1216),
                train_size=(800, 1216), reps=args.reps or 5)


def peer_settings(args):
    """Sizes of the --peers run: op level at the detection size (batch 2 and 1) and at small maps
    (classification-sized inputs, larger batches), detector level as the stock-vs-AW run."""
    if args.quick:
        return dict(op_images=[[128, 192, 2], [64, 64, 4]], infer_size=(128, 192),
                    train_size=(128, 160), train_batch=1, reps=args.reps or 3)
    batches = tuple(args.op_batches) if args.op_batches else (2, 1)
    return dict(op_images=[[800, 1216, b] for b in batches] + [[160, 160, 4], [224, 224, 16]],
                infer_size=(800, 1216), train_size=(800, 1216), train_batch=2,
                reps=args.reps or 5)


SIZE_KEYS = ('params', 'backbone_neck_flops', 'aw_elementwise_flops')


def model_size(stock_cfg, size):
    result = {}
    for name, cfg in (('stock', stock_cfg), ('aw', AW_CFG)):
        full = detector_size(build_detector(cfg), size)
        result[name] = {key: full[key] for key in SIZE_KEYS}
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--quick', action='store_true', help='small sizes (smoke test)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--threads', type=int, default=2, help='CPU threads (pinned, reported)')
    parser.add_argument('--reps', type=int, default=0, help='timed repetitions per side')
    parser.add_argument('--skip', nargs='*', default=[],
                        choices=['op', 'detector', 'memory', 'size', 'small'])
    parser.add_argument('--op-batches', type=int, nargs='+',
                        help='op-level batch sizes at the detection size (default 2 1)')
    parser.add_argument('--peers', action='store_true',
                        help='AW against DCNv2, CondConv, SE, CBAM, GCNet, GA instead of stock '
                             'alone (writes peers.md / peers.json)')
    args = parser.parse_args(argv)
    malloc_tuned = tune_glibc_malloc()  # as tools/train.py does; stock and AW alike
    torch.set_num_threads(args.threads)
    if args.peers:
        return run_peers(args, malloc_tuned)
    s = settings(args)
    if args.op_batches:
        s['op_batches'] = tuple(args.op_batches)
    os.makedirs(args.out, exist_ok=True)
    stock_cfg = stock_config_path()
    report = dict(env=_env(args, malloc_tuned), settings=s)
    start = time.time()
    if 'op' not in args.skip:
        report['op'] = [bench_op(c, h, w, st, b, args.device, s['reps'])
                        for b in s['op_batches']
                        for c, h, w, st in resnet101_3x3_shapes(*s['op_size'])]
        _progress('op level done', start)
    if 'detector' not in args.skip:
        report['detector'] = bench_detectors(stock_cfg, AW_CFG, s['infer_size'], s['train_size'],
                                             reps=s['reps'], device=args.device)
        _progress('detector timing done', start)
    if 'small' not in args.skip:
        report['small'] = bench_small_maps(QUICK_CASES if args.quick else CASES, stock_cfg,
                                           AW_CFG, reps=s['reps'], device=args.device)
        _progress('small maps done', start)
    if 'memory' not in args.skip:
        report['memory'] = {
            mode: {name: probe_peak_mib(cfg, mode, size, batch, args.device, args.threads)
                   for name, cfg in (('stock', stock_cfg), ('aw', AW_CFG))}
            for mode, size, batch in (('inference', s['infer_size'], 1),
                                      ('train', s['train_size'], 2))}
        _progress('memory done', start)
    if 'size' not in args.skip:
        report['size'] = model_size(stock_cfg, s['infer_size'])
    report['seconds'] = round(time.time() - start, 1)
    _write_report(args.out, 'benchmark', report, markdown_report(report))


def run_peers(args, malloc_tuned):
    """The --peers run: op table, then detector table; peers.json and peers.md in args.out."""
    s = peer_settings(args)
    os.makedirs(args.out, exist_ok=True)
    report = dict(env=_env(args, malloc_tuned), settings=s)
    report['env']['condconv'] = cond_conv2d()[1]
    start = time.time()
    if 'op' not in args.skip:
        report['peers_op'] = bench_op_table(s['op_images'], args.device, s['reps'], args.threads,
                                            memory='memory' not in args.skip)
        _progress('peers: op level done', start)
    peers = detector_peers(stock_config_path(), osp.join(ROOT, 'configs'))
    if not {'detector', 'memory', 'size'} <= set(args.skip):
        report['peers_detector'] = bench_detector_table(
            peers, s['infer_size'], s['train_size'], s['train_batch'], s['reps'], args.device,
            threads=args.threads, timing='detector' not in args.skip,
            memory='memory' not in args.skip, size='size' not in args.skip)
        _progress('peers: detector level done', start)
    report['seconds'] = round(time.time() - start, 1)
    _write_report(args.out, 'peers', report, peers_markdown_report(report))


def _write_report(out_dir, stem, report, md):
    """<stem>.json (every number) and <stem>.md (the tables) in out_dir; the tables printed."""
    with open(osp.join(out_dir, f'{stem}.json'), 'w') as f:
        json.dump(report, f, indent=1)
    with open(osp.join(out_dir, f'{stem}.md'), 'w') as f:
        f.write(md)
    print(md)


def _env(args, malloc_tuned):
    return dict(device=args.device, threads=torch.get_num_threads(), torch=torch.__version__,
                cpu=platform.processor() or platform.machine(), cpu_model=_cpu_model(),
                quick=args.quick, malloc_tuned=malloc_tuned,
                gpu=torch.cuda.get_device_name() if args.device == 'cuda' else None)


def _progress(what, start):
    print(f'[benchmark] {what} ({time.time() - start:.0f} s)', flush=True)


def _cpu_model():
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == '__main__':
    main()
