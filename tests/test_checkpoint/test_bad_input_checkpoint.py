"""A checkpoint that does not fit the model is one error listing every mismatching key, on every
load path (Runner load_from via tools/test.py, mmengine-style load, init_detector); a stock (non-AW)
checkpoint into the AW model stays allowed. Missing / truncated / non-checkpoint / code-holding
files: test_checkpoint_safety.py (same loader on every path); code-holding also via
tools/test.py."""
import os
import re

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.runner.checkpoint import save_checkpoint

import aw_mmdet  # noqa: F401
from aw_mmdet.checkpoint import (
    CheckpointMismatchError,
    check_checkpoint_fits,
    init_detector,
    load_checkpoint_checked,
)
from helpers import DEMO_CONFIG, load_config, load_tool, make_tiny_data, tiny_options


class _Payload:
    """Unpickling this creates ``marker``: proof that the pickle ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def _model(stock_backbone=False, **changes):
    cfg = load_config(DEMO_CONFIG)
    cfg.merge_from_dict(changes)
    if stock_backbone:  # mmdet's ResNet with the same geometry: a stock detector checkpoint
        for key in ('aw', 'stage_with_aw'):
            cfg.model.backbone.pop(key)
        cfg.model.backbone.type = 'ResNet'
    return MODELS.build(cfg.model)


def _save(state_dict, path):
    save_checkpoint(dict(meta=dict(epoch=0, iter=1), state_dict=state_dict), str(path))
    return path


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """Checkpoints: the demo AW model, another architecture, a stock ResNet detector, unrelated."""
    register_all_modules()
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp('ckpt')
    other = _model(**{'model.roi_head.bbox_head.num_classes': 3, 'model.backbone.aw.reduction': 4})
    stock = _model(stock_backbone=True)
    torch.manual_seed(1)
    trained = _model()
    with torch.no_grad():
        for p in trained.parameters():
            p.add_(0.01 * torch.randn_like(p))  # any attention, not identity
    return dict(
        dir=d, demo=_save(trained.state_dict(), d / 'demo.pth'),
        other=_save(other.state_dict(), d / 'other_arch.pth'), other_state=other.state_dict(),
        stock=_save(stock.state_dict(), d / 'stock_resnet.pth'),
        unrelated=_save({'conv1.weight': torch.ones(64, 3, 7, 7), 'fc.bias': torch.ones(10)},
                        d / 'imagenet_like.pth'))


def _expected_mismatches(model_state, ckpt_state):
    """The reference: every shared key whose shape differs, straight from both state dicts."""
    return {k: (list(ckpt_state[k].shape), list(v.shape)) for k, v in model_state.items()
            if k in ckpt_state and ckpt_state[k].shape != v.shape}


def test_other_architecture_lists_every_mismatching_key_with_both_shapes(files):
    model = _model()
    expected = _expected_mismatches(model.state_dict(), files['other_state'])
    assert len(expected) > 4  # classifier (4 keys) and every AW hidden layer
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(CheckpointMismatchError) as info:
        load_checkpoint_checked(model, str(files['other']))
    message = str(info.value)
    assert 'other_arch.pth' in message and f'{len(expected)} of ' in message
    listed = {k: (c, m) for k, c, m in
              re.findall(r'^  (\S+): checkpoint (\[.*?\]) -> model (\[.*?\])$', message, re.M)}
    assert listed == {k: (str(c), str(m)) for k, (c, m) in expected.items()}
    # refused before any weight was copied: the model is unchanged (loses nothing)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_allowed_prefix_keeps_mmengine_behaviour_for_reheading(files):
    model = _model(**{'model.backbone.aw.reduction': 4})  # only the classifier differs now
    with pytest.raises(CheckpointMismatchError, match='4 of '):
        load_checkpoint_checked(model, str(files['other']))
    load_checkpoint_checked(model, str(files['other']), allow_shape_mismatch=(
        'roi_head.bbox_head.fc_cls', 'roi_head.bbox_head.fc_reg'))
    torch.testing.assert_close(model.state_dict()['backbone.conv1.weight'],
                               files['other_state']['backbone.conv1.weight'])


def test_checkpoint_sharing_no_key_names_the_file(files):
    with pytest.raises(CheckpointMismatchError,
                       match=r'imagenet_like\.pth shares no parameter names with the model'):
        check_checkpoint_fits(_model(), torch.load(files['unrelated'], weights_only=True),
                              str(files['unrelated']))


def test_stock_resnet_detector_into_aw_model_still_loads(files):
    model = _model()
    load_checkpoint_checked(model, str(files['stock']))
    stock = torch.load(files['stock'], weights_only=True)['state_dict']
    missing = set(model.state_dict()) - set(stock)
    assert missing and all('.conv2.attention.' in k for k in missing)
    for key, value in stock.items():
        torch.testing.assert_close(model.state_dict()[key], value)


def test_init_detector_refuses_other_architecture_and_loads_a_fitting_one(files):
    with pytest.raises(CheckpointMismatchError, match=r'other_arch\.pth does not fit'):
        init_detector(DEMO_CONFIG, str(files['other']), device='cpu')
    model = init_detector(DEMO_CONFIG, str(files['demo']), device='cpu')
    saved = torch.load(files['demo'], weights_only=True)['state_dict']
    assert all(torch.equal(model.state_dict()[k], v) for k, v in saved.items())


def _test_tool_main():
    return load_tool('test.py').main


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    make_tiny_data(root, num_train=1, num_val=2)
    return root


def test_tools_test_refuses_bad_checkpoints_with_one_error_line(files, data, tmp_path):
    """tools/test.py main() in this process (each Runner build costs ~7 s here, mostly mmengine's
    config dump, so only the two paths the loader tests cannot reach: the fit hook and a
    code-holding file through the Runner; the one-line exit is checked by subprocess in
    test_bad_input_dataset.py)."""
    main = _test_tool_main()
    evil = files['dir'] / 'evil.pth'
    marker = files['dir'] / 'payload_ran'
    torch.save({'state_dict': {}, 'meta': _Payload(str(marker))}, evil)
    cases = [(evil, r'^error: refusing to load checkpoint .*evil\.pth'),
             (files['other'], r'^error: checkpoint .*other_arch\.pth does not fit the model'
                              r'(.|\n)*  roi_head\.bbox_head\.fc_cls\.weight: checkpoint '
                              r'\[4, 512\] -> model \[11, 512\]')]
    for path, pattern in cases:
        with pytest.raises(SystemExit) as info:
            main([DEMO_CONFIG, str(path), '--work-dir', str(tmp_path / 'w'),
                  '--cfg-options', *tiny_options(data)])
        assert re.search(pattern, str(info.value)), (path, str(info.value))
    assert not marker.exists()
