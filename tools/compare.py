"""Does AW help the demo detector? Train stock and AW variants with the same schedule, data order,
init and seeds, evaluate each with CocoMetric, and report mean ± std of bbox mAP / mAP@0.5 over the
seeds, the paired differences with their 95 % intervals, the time per run and how far the
attention moved. The default is protocol v3's final comparison (docs/evidence_protocol.md section
5), the one docs/evidence.md and README.md quote: stock, aw and aw_attn_lr10, seeds 0-7, 2160
iterations, the test split read once, attention ablations.

python tools/compare.py --out results/v3/detection/final --jobs 2     # make evidence
python tools/compare.py --quick --out work_dirs/evidence_quick --jobs 2   # a first look, minutes

Writes <out>/report.md, results.json and curves.png; finished runs are cached in <out>/runs/ by
their config text, and an interrupted run resumes from its last checkpoint
(experiments/harness/runs.py).
"""
from experiments.detection.study import DetectionStudy
from experiments.harness import main as compare


def main(argv=None):
    compare(DetectionStudy(), argv, __doc__.splitlines()[0])


if __name__ == '__main__':
    main()
