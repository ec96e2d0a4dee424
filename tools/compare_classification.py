"""Does AW help a classifier trained from scratch? Train stock / AW / SE / AW+SE ResNet-18
classifiers on rendered digits over seeds 0-4 and report test top-1 with paired statistics
(docs/classification_protocol.md, fixed on stock alone).

python tools/compare_classification.py --out work_dirs/classification --jobs 2   # about 1 h
python tools/compare_classification.py --out work_dirs/cls_cal --variants stock --seeds 100 101
python tools/compare_classification.py --out /tmp/cls --quick --jobs 2          # smoke test

Protocol v3 (docs/evidence_protocol.md section 5; `make v3-* STUDY=classification` wraps them):
--phase calibration (no --iters: the candidates the doubling rule asks for), --phase pilot
--iters ITERS, --phase final --iters ITERS --seeds 0 1 ... (test split, ablations).

The same seed gives every variant the same data order and augmentation. Writes <out>/report.md,
results.json and curves.png; finished runs are cached in <out>/runs/ by their config text, and an
interrupted run resumes from its last checkpoint (experiments/harness/runs.py).
"""
from experiments.classification.study import ClassificationStudy
from experiments.harness import main as compare


def main(argv=None):
    compare(ClassificationStudy(), argv, __doc__.splitlines()[0])


if __name__ == '__main__':
    main()
