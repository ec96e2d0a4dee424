"""Export a detector's backbone and neck (AW or stock) to ONNX and check it with ONNX Runtime.

The whole detector does not export without mmdeploy (mmcv's NMS and RoIAlign, mmdet's box coder;
docs/usage.md says what breaks where); the backbone + FPN is the part AW changes. It uses the
TorchScript exporter (``dynamo=False``): AWConv2d takes a batch-dynamic path under tracing, so
the ONNX model takes any batch size. The input is the preprocessed batch (what the detector's
data_preprocessor produces: normalised RGB, padded), the outputs are the neck's levels.
"""
import argparse
import math
import os
import os.path as osp
import sys
import warnings

import torch
import torch.nn as nn

from aw_mmdet import CheckpointError  # fills the registries, safe loading

OPSET = 17
INPUT_NAME = 'image'


class BackboneNeck(nn.Module):
    """image batch -> the neck's feature levels (a tuple): the detector up to its heads.

    Args:
        detector (nn.Module): An mmdet detector with ``backbone`` and ``neck``.
    """

    def __init__(self, detector):
        super().__init__()
        self.backbone = detector.backbone
        self.neck = detector.neck

    def forward(self, image):
        return tuple(self.neck(self.backbone(image)))


def export_backbone_neck(module, out_file, batch=1, shape=(800, 1344), dynamic_batch=True):
    """Write ``module`` (a BackboneNeck in eval mode) to ``out_file``; return the output names.

    Args:
        module (nn.Module): Maps an image batch to a tuple of feature maps.
        out_file (str): The .onnx file to write.
        batch (int): Batch size of the example input. Defaults to 1.
        shape (tuple[int, int]): Input height and width (fixed in the graph).
            Defaults to (800, 1344).
        dynamic_batch (bool): Name the batch axis dynamic. Defaults to True.
    """
    example = torch.zeros(batch, 3, *shape)
    with torch.no_grad():
        num_outputs = len(module(example))
    outputs = [f'feat{i}' for i in range(num_outputs)]
    axes = {name: {0: 'batch'} for name in [INPUT_NAME, *outputs]} if dynamic_batch else None
    with torch.no_grad(), warnings.catch_warnings():
        # AWConv2d's batch-dynamic path is the one it takes under torch.jit tracing, which only
        # the TorchScript exporter does (the dynamo one also needs onnxscript): chosen on purpose
        warnings.filterwarnings('ignore', 'You are using the legacy TorchScript',
                                DeprecationWarning)
        torch.onnx.export(module, (example,), out_file, dynamo=False, opset_version=OPSET,
                          input_names=[INPUT_NAME], output_names=outputs, dynamic_axes=axes)
    return outputs


def max_abs_difference(module, onnx_file, batch, shape, seed=0):
    """Largest |ONNX Runtime - PyTorch| over all outputs on one random normal input.

    Args:
        module (nn.Module): The PyTorch module that was exported.
        onnx_file (str): The exported model.
        batch (int): Batch size to run.
        shape (tuple[int, int]): Input height and width.
        seed (int): Seed of the random input. Defaults to 0.
    """
    import onnxruntime
    image = torch.randn(batch, 3, *shape, generator=torch.Generator().manual_seed(seed))
    session = onnxruntime.InferenceSession(onnx_file, providers=['CPUExecutionProvider'])
    got = session.run(None, {INPUT_NAME: image.numpy()})
    with torch.no_grad():
        expected = module(image)
    return max(float((torch.from_numpy(g) - e).abs().max()) for g, e in zip(got, expected))


def default_shape(cfg):
    """(H, W) of the largest input the config's test pipeline makes: its Resize scale (w, h),
    long side and short side as mmdet's keep_ratio reads them, padded to pad_size_divisor."""
    scale = next((step['scale'] for step in cfg.test_dataloader.dataset.pipeline
                  if step['type'] == 'Resize'), (1333, 800))
    divisor = cfg.model.get('data_preprocessor', {}).get('pad_size_divisor', 1) or 1
    h, w = min(scale), max(scale)
    return tuple(int(math.ceil(s / divisor) * divisor) for s in (h, w))


def build_model(config, checkpoint, cfg_options=None):
    """The config's detector with the checkpoint's weights (aw_mmdet's safe, fit-checked loading),
    in eval mode; also returns the config."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config

    from aw_mmdet.checkpoint import load_checkpoint_checked
    register_all_modules()
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = MODELS.build(cfg.model)  # no init_weights: no ImageNet download, the checkpoint wins
    load_checkpoint_checked(model, checkpoint, map_location='cpu')
    return model.eval(), cfg


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='detector config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='ONNX file to write')
    parser.add_argument('--batch', type=int, default=1, help='batch of the example input')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input height and width (default: the test pipeline\'s Resize '
                             'scale padded to pad_size_divisor, 800 1344 for COCO configs)')
    parser.add_argument('--static-batch', action='store_true',
                        help='fix the batch axis to --batch (default: dynamic)')
    parser.add_argument('--check', action=argparse.BooleanOptionalAction, default=True,
                        help='compare ONNX Runtime with PyTorch at --batch and --batch + 1')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise SystemExit(f'error: config file not found: {args.config}')
    if args.check:
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            raise SystemExit('error: --check needs onnxruntime: pip install -e .[export] '
                             '(or pass --no-check)')
    try:
        model, cfg = build_model(args.config, args.checkpoint, args.cfg_options)
    except CheckpointError as err:
        raise SystemExit(f'error: {err}')
    shape = tuple(args.shape) if args.shape else default_shape(cfg)
    module = BackboneNeck(model).eval()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    outputs = export_backbone_neck(module, args.out, args.batch, shape,
                                   dynamic_batch=not args.static_batch)
    batch_axis = args.batch if args.static_batch else 'dynamic'
    print(f'wrote {args.out}: input {INPUT_NAME} (batch {batch_axis}, 3, {shape[0]}, {shape[1]}), '
          f'outputs {", ".join(outputs)}')
    if args.check:
        batches = [args.batch] if args.static_batch else [args.batch, args.batch + 1]
        for batch in batches:
            diff = max_abs_difference(module, args.out, batch, shape)
            print(f'check: batch {batch}: max abs difference ONNX Runtime vs PyTorch {diff:.3g}')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
