"""Stock vs AW vs AW's peers, one pipeline (experiments/benchmark, docs/benchmarks.md): each case's
variants timed in one interleaved loop, peak memory from fresh processes, parameters and FLOPs.

python tools/benchmark.py --suite targets --out work_dirs/bench      # the op's speed targets
python tools/benchmark.py --suite peers --out work_dirs/bench_peers  # DCNv2, GCNet, SE, ...
python tools/benchmark.py --quick --reps 1 --out work_dirs/bench     # small sizes, smoke run
python tools/benchmark.py --device cuda --amp --cases r101_train --profile r101_train --out OUT
Writes <out>/<suite>.md (ratios to stock first, absolute numbers second) and <out>/<suite>.json.
"""
import argparse
import json
import os
import os.path as osp
import time

import torch

from aw_mmdet.utils import tune_glibc_malloc
from experiments.benchmark.cases import SUITES, select
from experiments.benchmark.pipeline import MEASURES, environment, run_suite
from experiments.benchmark.report import markdown


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--suite', default='targets', choices=sorted(SUITES))
    parser.add_argument('--cases', nargs='+', help='case name patterns (fnmatch) of the suite')
    parser.add_argument('--variants', nargs='+', help='keep only these (stock always stays)')
    parser.add_argument('--quick', action='store_true', help='small sizes (smoke run)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--threads', type=int, default=2, help='CPU threads (pinned, reported)')
    parser.add_argument('--reps', type=int, help='timed repetitions per variant (5; quick 2)')
    parser.add_argument('--warmup', type=int, default=1, help='untimed steps per variant first')
    parser.add_argument('--skip', nargs='*', default=[], choices=MEASURES)
    parser.add_argument('--amp', action='store_true',
                        help="training steps in fp16 mixed precision (CUDA only)")
    parser.add_argument('--profile', nargs='*', default=[], metavar='CASE',
                        help='break these cases down by kind of op')
    args = parser.parse_args(argv)
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: no CUDA device here')
    if args.amp and not args.device.startswith('cuda'):
        parser.error(f'--amp needs a CUDA device (--device {args.device})')
    return args


def main(argv=None):
    args = parse_args(argv)
    malloc_tuned = tune_glibc_malloc()  # as tools/train.py does; every variant alike
    torch.set_num_threads(args.threads)
    reps = args.reps or (2 if args.quick else 5)
    cases = select(args.suite, args.quick, args.cases, args.variants)
    unknown = set(args.profile) - {case.name for case in cases}
    if unknown:
        raise SystemExit(f'--profile: no case {sorted(unknown)} in the selection')
    start = time.time()
    rows = run_suite(cases, args.device, args.threads, reps, args.warmup,
                     [m for m in MEASURES if m not in args.skip], args.amp, args.profile)
    report = dict(suite=args.suite, seconds=round(time.time() - start, 1), rows=rows,
                  env=environment(args.device, torch.get_num_threads(), quick=args.quick,
                                  reps=reps, warmup=args.warmup, amp=args.amp,
                                  malloc_tuned=malloc_tuned))
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, f'{args.suite}.json'), 'w') as f:
        json.dump(report, f, indent=1)
    md = markdown(report)
    with open(osp.join(args.out, f'{args.suite}.md'), 'w') as f:
        f.write(md)
    print(md)


if __name__ == '__main__':
    main()
