"""The detection study (tools/compare.py): stock and AW variants of the demo detector, each one
backbone or optimiser change to the (AW) demo config, so that whatever else the demo tunes (heads,
RoIs, data) is shared by all of them; protocol v3 (docs/evidence_protocol.md section 5) fixes its
schedule, primary and secondary comparisons and ablations."""
import copy
import os.path as osp

from experiments import DEMO_DATA, ROOT
from experiments.harness.study import Study


def to_stock(cfg):
    """mmdet's ResNet with the AWResNet's arguments minus AW's own."""
    backbone = cfg.model.backbone
    backbone.type = 'ResNet'
    backbone.pop('aw', None)
    backbone.pop('stage_with_aw', None)


def plain_recipe(cfg):
    """The paper's optimiser settings (shared lr and decay), whichever recipe the demo config
    inherits (the x10 recipe is opt-in: configs/_base_/aw_attention_recipe_1x.py): removing it
    first and re-adding it last keeps a variant's config text the same (cached runs stay valid)."""
    cfg.optim_wrapper.pop('paramwise_cfg', None)


def attention_lr(mult):
    """A transform giving the attention ``mult`` times the lr and no weight decay: its logits
    start at zero and their gradient is ~|W|^2 (hidden)^2 times the weights' learning signal
    (docs/evidence.md, "Why a recipe at all")."""
    def set_lr(cfg):
        cfg.optim_wrapper.paramwise_cfg = dict(
            custom_keys={'.attention.': dict(lr_mult=float(mult), decay_mult=0.0)})
    return set_lr


class DetectionStudy(Study):
    title = 'The demo detector'
    tool = 'tools/compare.py'
    config = osp.join(ROOT, 'configs', 'demo', 'faster_rcnn_aw_demo.py')
    backbone = 'AWResNet'
    variants = {
        'stock': (to_stock, plain_recipe),
        'aw': (plain_recipe,),
        'aw_attn_lr10': (plain_recipe, attention_lr(10)),
    }
    metrics = {'coco/bbox_mAP': 'bbox mAP', 'coco/bbox_mAP_50': 'mAP@0.5'}
    percent = True
    defaults = dict(val_interval=90)
    quick = dict(variants=['stock', 'aw'], seeds=[0, 1], iters=1, val_interval=1, batch_size=2)
    name = 'detection'
    # the schedule the calibration chose, the seed count the pilot gave (docs/evidence.md)
    final = dict(variants=['stock', 'aw', 'aw_attn_lr10'], seeds=list(range(8)), iters=2160)
    primary = (('aw', 'stock'),)
    secondary = (('aw_attn_lr10', 'stock'), ('aw_attn_lr10', 'aw'))
    ablation = dict(batch_size=1, mean_images=None, shuffle='previous')

    def add_arguments(self, parser):
        parser.add_argument('--data-root', default=DEMO_DATA, help='COCO-format digits data '
                            '(made if it is the default and missing)')

    def prepare(self, cfg, args):
        missing = [ann for ann in (osp.join(args.data_root, 'annotations', f'instances_{s}.json')
                                   for s in ('train', 'val', 'test')) if not osp.isfile(ann)]
        if missing:
            if osp.abspath(args.data_root) != DEMO_DATA:
                raise ValueError(f'--data-root {args.data_root}: {missing[0]} not found (make it '
                                 'with tools/make_demo_data.py)')
            from experiments.demo import make_demo_data
            make_demo_data(args.data_root)  # the missing splits; the others stay as they are
        if args.quick:
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
                cfg[loader].num_workers = 0
                cfg[loader].persistent_workers = False
        root = osp.abspath(args.data_root).rstrip('/') + '/'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[loader].dataset.data_root = root
        for evaluator in ('val_evaluator', 'test_evaluator'):
            cfg[evaluator].ann_file = root + 'annotations/instances_val.json'
        # validation metrics against the iteration (mmengine's default is the epoch, 0 here)
        cfg.default_hooks.logger.update(interval=1 if args.quick else 10,
                                        log_metric_by_epoch=False)

    def use_test_split(self, cfg):
        # the demo config's test loader is its val loader: a copy, changed
        cfg.test_dataloader = copy.deepcopy(cfg.val_dataloader)
        cfg.test_dataloader.dataset.update(ann_file='annotations/instances_test.json',
                                           data_prefix=dict(img='test/'))
        cfg.test_evaluator = copy.deepcopy(cfg.val_evaluator)
        cfg.test_evaluator.ann_file = (cfg.test_dataloader.dataset.data_root
                                       + 'annotations/instances_test.json')

    def train_images(self, cfg):
        return dict(copy.deepcopy(cfg.test_dataloader.dataset),
                    ann_file='annotations/instances_train.json', data_prefix=dict(img='train/'))
