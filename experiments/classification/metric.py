"""Top-1 accuracy as an mmengine metric, and a hook that keeps the validation curve."""
import json
import os.path as osp

from mmdet.registry import HOOKS, METRICS
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook

CURVE_FILE = 'val_curve.jsonl'


@METRICS.register_module()
class TopOneAccuracy(BaseMetric):
    """Percentage of samples whose arg-max class is the label (``cls/top1``).

    Args:
        collect_device (str): where results are gathered in distributed runs. Defaults to 'cpu'.
        prefix (str, optional): metric name prefix. Defaults to 'cls'.
    """

    default_prefix = 'cls'

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            self.results.append(int(sample['pred_label'] == sample['gt_label']))

    def compute_metrics(self, results):
        return dict(top1=100.0 * sum(results) / max(len(results), 1))


@HOOKS.register_module()
class ValCurveHook(Hook):
    """Append each validation's metrics to ``<work_dir>/val_curve.jsonl``, surviving crashes and
    resumes; the harness reads scalars.json, but the stock config still names this hook."""

    def after_val_epoch(self, runner, metrics=None):
        row = dict(iter=runner.iter, **{k: float(v) for k, v in (metrics or {}).items()})
        with open(osp.join(runner.work_dir, CURVE_FILE), 'a') as f:
            f.write(json.dumps(row) + '\n')
