"""AW cost against stock, side by side in one process: op level (every ResNet-101 3x3 conv shape),
detector level (Faster R-CNN R101-FPN inference and training step, peak memory), params and FLOPs.

python tools/benchmark.py --out work_dirs/bench            # full: 800x1216 (takes a while on CPU)
python tools/benchmark.py --quick --out work_dirs/bench    # small sizes, a few minutes on 2 cores
Writes <out>/benchmark.md (ratios AW/stock first, absolute numbers second) and <out>/benchmark.json.
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time

import torch

import aw_mmdet  # noqa: F401  (fills the registries)
from aw_mmdet.utils import tune_glibc_malloc
from experiments.benchmark.detector_bench import bench_detectors, build_detector
from experiments.benchmark.flops import count_flops
from experiments.benchmark.op_bench import bench_op, resnet101_3x3_shapes
from experiments.benchmark.report import markdown_report

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


def peak_memory(config, mode, size, batch, device, threads):
    cmd = [sys.executable, '-m', 'experiments.benchmark.memory_probe', config, mode, str(size[0]),
           str(size[1]), str(batch), device, str(threads)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])['peak_mib']


def model_size(stock_cfg, size):
    result = {}
    for name, cfg in (('stock', stock_cfg), ('aw', AW_CFG)):
        model = build_detector(cfg).eval()
        params = sum(p.numel() for p in model.parameters())
        x = torch.zeros(1, 3, *size)
        flops = count_flops(_Features(model), (x,))
        result[name] = dict(params=params, backbone_neck_flops=flops['total'],
                            aw_elementwise_flops=flops['aw_elementwise'])
    return result


class _Features(torch.nn.Module):
    """Backbone + FPN (where AW lives; the heads are identical in both detectors)."""

    def __init__(self, detector):
        super().__init__()
        self.detector = detector

    def forward(self, x):
        return self.detector.extract_feat(x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--quick', action='store_true', help='small sizes (smoke test)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--threads', type=int, default=2, help='CPU threads (pinned, reported)')
    parser.add_argument('--reps', type=int, default=0, help='timed repetitions per side')
    parser.add_argument('--skip', nargs='*', default=[],
                        choices=['op', 'detector', 'memory', 'size'])
    parser.add_argument('--op-batches', type=int, nargs='+',
                        help='op-level batch sizes (default 2 1)')
    args = parser.parse_args(argv)
    malloc_tuned = tune_glibc_malloc()  # as tools/train.py does; stock and AW alike
    torch.set_num_threads(args.threads)
    s = settings(args)
    if args.op_batches:
        s['op_batches'] = tuple(args.op_batches)
    os.makedirs(args.out, exist_ok=True)
    stock_cfg = stock_config_path()
    report = dict(env=dict(device=args.device, threads=torch.get_num_threads(),
                           torch=torch.__version__, cpu=platform.processor() or platform.machine(),
                           cpu_model=_cpu_model(), quick=args.quick, malloc_tuned=malloc_tuned,
                           gpu=torch.cuda.get_device_name() if args.device == 'cuda' else None),
                  settings=s)
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
    if 'memory' not in args.skip:
        report['memory'] = {
            mode: {name: peak_memory(cfg, mode, size, batch, args.device, args.threads)
                   for name, cfg in (('stock', stock_cfg), ('aw', AW_CFG))}
            for mode, size, batch in (('inference', s['infer_size'], 1),
                                      ('train', s['train_size'], 2))}
        _progress('memory done', start)
    if 'size' not in args.skip:
        report['size'] = model_size(stock_cfg, s['infer_size'])
    report['seconds'] = round(time.time() - start, 1)
    with open(osp.join(args.out, 'benchmark.json'), 'w') as f:
        json.dump(report, f, indent=1)
    md = markdown_report(report)
    with open(osp.join(args.out, 'benchmark.md'), 'w') as f:
        f.write(md)
    print(md)


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
