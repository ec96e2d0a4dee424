"""BN statistics measured on the training data before the first step: the offline stand-in for an
ImageNet checkpoint in configs that keep BN in eval mode (``norm_eval=True``).

A randomly initialised ResNet with BN in eval mode uses running statistics of mean 0 and variance
1, so its activations grow through the 100 layers of an R101 and the first loss is ~1e4 (NaN by the
third step). Pretrained weights come with statistics that normalise; this hook measures them once
(cumulative average over a few batches, BN in train mode, no gradients), then training runs as
configured.
"""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ..bn_stats import calibrate_backbone_bn


@HOOKS.register_module()
class BNCalibrationHook(Hook):
    """Before training, set every backbone BN's running statistics from ``num_batches`` training
    batches.

    Args:
        num_batches (int): batches to average over. Defaults to 4.
    """

    priority = 'VERY_HIGH'

    def __init__(self, num_batches: int = 4):
        self.num_batches = num_batches

    def before_train(self, runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        # a loader of its own: mmengine's InfiniteSampler is one shared generator, and closing a
        # second iterator over runner.train_dataloader would end the training loop's too
        loader = iter(runner.build_dataloader(runner.cfg.train_dataloader))
        count = calibrate_backbone_bn(model, (next(loader) for _ in range(self.num_batches)))
        runner.logger.info(f'BNCalibrationHook: statistics of {count} backbone BN layers '
                           f'from {self.num_batches} batches')
