"""Does AW help the demo detector? Train stock and AW variants with the same schedule, data order
and seeds, evaluate each with CocoMetric, and report mean ± std of bbox mAP / mAP@0.5 over the
seeds, the paired differences with their 95 % intervals, the time per run and how far the
attention moved. The defaults are the comparison docs/evidence.md and README.md quote
(docs/evidence_protocol.md section 4): stock, aw and aw_attn_lr10, seeds 0-4, 1080 iterations.

python tools/compare.py --out work_dirs/evidence_long --jobs 2        # make evidence, about 2 h
python tools/compare.py --quick --out work_dirs/evidence_quick --jobs 2   # a first look, minutes
python tools/compare.py --out work_dirs/evidence_selection --variants aw aw_attn_lr10 \
    aw_attn_lr100 --seeds 100 101 --iters 540 --dynamics 20
python tools/compare.py --out work_dirs/evidence_r50 --depth 50 --variants stock aw se aw_se

Protocol v3 (docs/evidence_protocol.md section 5; `make v3-*` wraps these):

python tools/compare.py --phase calibration --out results/v3/detection/calibration --jobs 2
python tools/compare.py --phase pilot --iters ITERS --out results/v3/detection/pilot --jobs 2
python tools/compare.py --phase final --iters ITERS --seeds 0 1 ... --out \
    results/v3/detection/final --jobs 2

Writes <out>/report.md, results.json and curves.png (with --dynamics also dynamics.png); finished
runs are cached in <out>/runs/ by their config text (experiments/harness/runs.py).
"""
from experiments.evidence.study import DetectionStudy
from experiments.harness import main as compare


def main(argv=None):
    compare(DetectionStudy(), argv, __doc__.splitlines()[0])


if __name__ == '__main__':
    main()
