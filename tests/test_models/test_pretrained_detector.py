"""A stock mmdet Faster R-CNN R101 checkpoint (saved the Runner's way) loads into the AW config:
only attention keys are missing and the detections equal the stock detector's."""
import os.path as osp

import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.utils import register_all_modules
from mmengine.logging import MessageHub
from mmengine.runner.checkpoint import _load_checkpoint, load_checkpoint, save_checkpoint

import aw_mmdet  # noqa: F401
from helpers import ROOT, load_config, stock_config


def _model(cfg_path):
    cfg = load_config(cfg_path)
    cfg.model.backbone.init_cfg = None  # no download; weights come from the checkpoint
    cfg.model.test_cfg.rcnn.score_thr = 0.0  # random weights: keep every detection to compare
    return MODELS.build(cfg.model)


def _save_like_runner(model, path):
    hub = MessageHub.get_instance('aw_mmdet_stock_ckpt')
    hub.update_scalar('train/loss', 0.5)
    meta = dict(epoch=12, iter=90000, mmengine_version='0.10.7', dataset_meta=dict(classes=('a',)))
    save_checkpoint(dict(meta=meta, state_dict=model.state_dict(), message_hub=hub.state_dict()),
                    str(path))


def _detect(model, image):
    h, w = image.shape[-2:]
    sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.)))
    with torch.no_grad():
        return model.test_step(dict(inputs=[image], data_samples=[sample]))[0].pred_instances


def test_stock_r101_checkpoint_into_aw_config_gives_identical_detections(tmp_path):
    register_all_modules()
    torch.manual_seed(0)
    stock = _model(stock_config('faster_rcnn/faster-rcnn_r101_fpn_1x_coco.py'))
    stock.init_weights()
    path = tmp_path / 'faster_rcnn_r101_fpn_1x_coco_stock.pth'
    _save_like_runner(stock, path)

    aw = _model(osp.join(ROOT, 'configs', 'faster_rcnn_r101_aw_fpn.py'))
    aw.init_weights()
    load_checkpoint(aw, str(path), map_location='cpu', strict=False)  # what Runner's load_from does
    stock_keys = set(_load_checkpoint(str(path))['state_dict'])
    missing = set(aw.state_dict()) - stock_keys
    assert not stock_keys - set(aw.state_dict())
    assert missing and all('.conv2.attention.' in k for k in missing)

    stock.eval(), aw.eval()
    image = (torch.rand(3, 160, 224) * 255).to(torch.uint8)
    ref, got = _detect(stock, image), _detect(aw, image)
    assert len(ref.bboxes) > 0
    torch.testing.assert_close(got.bboxes, ref.bboxes, rtol=1e-4, atol=1e-3)
    torch.testing.assert_close(got.scores, ref.scores, rtol=1e-4, atol=1e-5)
    assert torch.equal(got.labels, ref.labels)
