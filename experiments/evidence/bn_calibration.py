"""BN statistics measured on the training data before the first step: the offline stand-in for an
ImageNet checkpoint in configs that keep BN in eval mode (``norm_eval=True``).

A randomly initialised ResNet with BN in eval mode uses running statistics of mean 0 and variance
1, so its activations grow through the 100 layers of an R101 and the first loss is ~1e4 (NaN by the
third step). Pretrained weights come with statistics that normalise; this hook measures them once
(cumulative average over a few batches, BN in train mode, no gradients), then training runs as
configured.
"""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from torch.nn.modules.batchnorm import _BatchNorm


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
        norms = [m for m in model.backbone.modules() if isinstance(m, _BatchNorm)]
        saved = [(m.training, m.momentum) for m in norms]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative average
            m.train()
        # a loader of its own: mmengine's InfiniteSampler is one shared generator, and closing a
        # second iterator over runner.train_dataloader would end the training loop's too
        batches = iter(runner.build_dataloader(runner.cfg.train_dataloader))
        with torch.no_grad():
            for _ in range(self.num_batches):
                data = model.data_preprocessor(next(batches), True)
                model.backbone(data['inputs'])
        for m, (training, momentum) in zip(norms, saved):
            m.momentum = momentum
            m.train(training)
        runner.logger.info(f'BNCalibrationHook: statistics of {len(norms)} backbone BN layers '
                           f'from {self.num_batches} batches')
