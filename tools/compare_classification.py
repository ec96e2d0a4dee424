"""Does AW help a classifier trained from scratch? Train stock / AW / SE / AW+SE / widened-stock
ResNet-18 classifiers on rendered digits and report test top-1 with paired statistics. The default
is protocol v3's final comparison (docs/evidence_protocol.md section 5,
docs/classification_protocol.md), the one docs/evidence.md quotes: seeds 0-7, 6400 iterations,
the test split read once, attention ablations.

python tools/compare_classification.py --out results/v3/classification/final --jobs 2
python tools/compare_classification.py --out /tmp/cls --quick --jobs 2          # smoke test

The same seed gives every variant the same data order, augmentation and shared init. Writes
<out>/report.md, results.json and curves.png; finished runs are cached in <out>/runs/ by their
config text, and an interrupted run resumes from its last checkpoint (experiments/harness/runs.py).
"""
from experiments.classification.study import ClassificationStudy
from experiments.harness import main as compare


def main(argv=None):
    compare(ClassificationStudy(), argv, __doc__.splitlines()[0])


if __name__ == '__main__':
    main()
