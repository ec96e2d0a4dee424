"""The detectors being compared: one backbone change each on top of the demo config.

The demo config is an AW-ResNet; every variant is expressed as a change to that config so that
whatever else the demo tunes (heads, RoIs, data) is shared by all of them.
"""
import copy

SE = dict(cfg=dict(type='SEBlock', reduction=16), stages=(False, True, True, True),
          position='after_conv3')
CBAM = dict(cfg=dict(type='CBAMBlock', reduction=16, kernel_size=7),
            stages=(False, True, True, True), position='after_conv3')
# The fix tried in docs/evidence.md: the attention logits start at zero and, with the shared lr and
# weight decay, barely move in a short schedule; give the attention branch a larger lr and no decay.
ATTENTION_PARAMWISE = dict(custom_keys={'.attention.': dict(lr_mult=10.0, decay_mult=0.0)})
# docs/evidence_protocol.md: the logit gradient is ~|W|^2 (hidden)^2 times the weights' learning
# signal, so a hundredfold attention lr is the other candidate
ATTENTION_PARAMWISE_100 = dict(custom_keys={'.attention.': dict(lr_mult=100.0, decay_mult=0.0)})

# name -> (uses AW, plugin or None, paramwise_cfg or None). Every variant states its own optimiser
# settings: the AW configs ship the x10 recipe (configs/_base_/aw_schedule_1x.py), and 'aw' is the
# plain recipe (the paper's: shared lr and decay) that the evidence compares it with.
VARIANTS = {
    'stock': (False, None, None),
    'aw': (True, None, None),
    'aw_attn_lr10': (True, None, ATTENTION_PARAMWISE),
    'aw_attn_lr100': (True, None, ATTENTION_PARAMWISE_100),
    'se': (False, SE, None),
    'aw_se': (True, SE, None),
    'cbam': (False, CBAM, None),
    'aw_cbam': (True, CBAM, None),
}
# what each AW variant is compared against
BASELINE_OF = {'aw': 'stock', 'aw_attn_lr10': 'stock', 'aw_attn_lr100': 'stock', 'aw_se': 'se',
               'aw_cbam': 'cbam'}


def apply_variant(cfg, name):
    """Turn the (AW) demo config into variant ``name`` in place; return cfg."""
    if name not in VARIANTS:
        raise ValueError(f'unknown variant {name!r}; choose from {sorted(VARIANTS)}')
    uses_aw, plugin, paramwise = VARIANTS[name]
    backbone = cfg.model.backbone
    if backbone.get('type') != 'AWResNet':
        raise ValueError(f"variant {name!r}: expected model.backbone.type='AWResNet' in the demo "
                         f"config, found {backbone.get('type')!r}")
    if not uses_aw:  # stock mmdet ResNet: the same arguments minus AW's own
        backbone.type = 'ResNet'
        backbone.pop('aw', None)
        backbone.pop('stage_with_aw', None)
    if plugin is not None:
        if backbone.get('depth', 50) < 50:
            raise ValueError(f"variant {name!r}: SE/CBAM plug in after conv3 of a Bottleneck; "
                             f"mmdet's BasicBlock (depth {backbone.depth}) takes no plugins. "
                             'Use --depth 50 or more.')
        backbone.plugins = [copy.deepcopy(plugin)]
    # removed first and re-added last, so a variant's config text is the same whichever recipe the
    # demo config inherits (cached runs stay valid)
    cfg.optim_wrapper.pop('paramwise_cfg', None)
    if paramwise is not None:
        cfg.optim_wrapper.paramwise_cfg = copy.deepcopy(paramwise)
    return cfg
