"""The classification study (tools/compare_classification.py, docs/classification_protocol.md).

Stock / AW / SE / AW+SE ResNet-18s trained from scratch on rendered digits, each one backbone
change to the stock config. AW goes into every stage (nothing is frozen from scratch, so stage 1's
attention trains too); SE (aw_mmdet's SEBlock) goes on every BasicBlock's residual branch with
reduction 4, not 16: at widths 16-128, 16 would leave 1-8 hidden units.
"""
import os.path as osp

from experiments import ROOT
from experiments.harness.study import Study

AW = dict(reduction=16, min_hidden=8, attention='factorized')
SE = dict(reduction=4)


def aw_everywhere(cfg):
    backbone = cfg.model.backbone
    backbone.type = 'CifarAWResNet'
    backbone.aw = dict(AW)
    backbone.stage_with_aw = (True,) * backbone.get('num_stages', 4)


def se_everywhere(cfg):
    cfg.model.backbone.se = dict(SE)


def widen_last_stage(cfg):
    """The parameter-matched control: stage 4 at 130 channels instead of 128, +15.3 k
    parameters against AW's +12.5 k (docs/evidence_protocol.md, section 5.5)."""
    cfg.model.backbone.last_stage_channels = 130


class ClassificationStudy(Study):
    title = 'Classification from scratch (ResNet-18, rendered digits)'
    tool = 'tools/compare_classification.py'
    config = osp.join(ROOT, 'configs', 'classification', 'resnet18_digits_cls.py')
    backbone = 'CifarResNet'
    variants = {'stock': (), 'aw': (aw_everywhere,), 'se': (se_everywhere,),
                'aw_se': (aw_everywhere, se_everywhere), 'stock_wide': (widen_last_stage,)}
    metrics = {'cls/top1': 'top-1'}
    defaults = dict(val_interval=None)
    # a few scans per split, 10 iterations: checks the machinery only
    quick = dict(variants=['stock', 'aw'], seeds=[0], iters=10, val_interval=5, batch_size=16)
    name = 'classification'
    # the schedule the calibration chose, the seed count the pilot gave (docs/evidence.md)
    final = dict(variants=['stock', 'aw', 'se', 'aw_se', 'stock_wide'], seeds=list(range(8)),
                 iters=6400)
    primary = (('aw', 'stock'),)
    secondary = (('se', 'stock'), ('aw_se', 'se'), ('aw', 'stock_wide'), ('stock_wide', 'stock'))
    ablation = dict(batch_size=32, mean_images=2048, shuffle='next')

    def prepare(self, cfg, args):
        if args.quick:
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
                cfg[loader].dataset.max_scans = 6
            cfg.default_hooks.logger.interval = 1

    def train_images(self, cfg):
        return dict(cfg.test_dataloader.dataset, split='train')

    def seed(self, cfg, seed):
        """Also the augmentation's seed, so every variant of a seed sees the same batches."""
        super().seed(cfg, seed)
        cfg.model.data_preprocessor.seed = seed
