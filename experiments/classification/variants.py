"""The four classifiers compared: one backbone change each on top of the stock config.

AW goes into every stage (nothing is frozen when training from scratch, so stage 1's attention
trains too); SE (aw_mmdet's SEBlock) goes on the residual branch of every BasicBlock. SE's
reduction is 4, not the usual 16: at widths 16-128, 16 would leave 1-8 hidden units.
"""
import copy

AW = dict(reduction=16, min_hidden=8, attention='factorized')
SE = dict(reduction=4)
# name -> (uses AW, uses SE)
VARIANTS = {'stock': (False, False), 'aw': (True, False), 'se': (False, True),
            'aw_se': (True, True)}
# the paired differences the report gives: (variant, baseline)
COMPARISONS = (('aw', 'stock'), ('se', 'stock'), ('aw_se', 'stock'), ('aw_se', 'se'))
STOCK_BACKBONE = 'CifarResNet'
AW_BACKBONE = 'CifarAWResNet'


def apply_variant(cfg, name):
    """Turn the stock classifier config into variant ``name`` in place; return cfg.

    Args:
        cfg (mmengine.Config): a config whose ``model.backbone.type`` is CifarResNet.
        name (str): one of VARIANTS.
    """
    if name not in VARIANTS:
        raise ValueError(f'unknown variant {name!r}; choose from {sorted(VARIANTS)}')
    backbone = cfg.model.backbone
    if backbone.get('type') != STOCK_BACKBONE:
        raise ValueError(f"variant {name!r}: expected model.backbone.type={STOCK_BACKBONE!r} in "
                         f"the config, found {backbone.get('type')!r}")
    uses_aw, uses_se = VARIANTS[name]
    if uses_aw:
        backbone.type = AW_BACKBONE
        backbone.aw = copy.deepcopy(AW)
        backbone.stage_with_aw = (True,) * backbone.get('num_stages', 4)
    if uses_se:
        backbone.se = copy.deepcopy(SE)
    return cfg
