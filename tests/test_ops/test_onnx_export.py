"""Plain ``torch.onnx.export`` (the TorchScript exporter, as mmdeploy and users' own scripts call
it) of AW models at input sizes that are not multiples of the kernel size, run by ONNX Runtime at
other batch sizes (and other image sizes) than the one exported."""
import warnings

import pytest
import torch

from aw_mmdet import AWConv2d, AWResNet
from aw_reference import randomise_attention, reference_aw_conv

onnxruntime = pytest.importorskip('onnxruntime')


def _export(module, example, path, spatial=False):
    axes = {0: 'batch', 2: 'height', 3: 'width'} if spatial else {0: 'batch'}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(module, (example,), path, dynamo=False, opset_version=17,
                          input_names=['x'], dynamic_axes={'x': axes})
    return onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])


@pytest.mark.parametrize('mode', ['factorized', 'dense'])
def test_aw_conv_exports_at_any_size_and_batch(mode, tmp_path):
    gen = torch.Generator().manual_seed(20)
    conv = AWConv2d(6, 8, 3, stride=2, padding=1, groups=2, reduction=2,
                    attention=mode).eval()
    randomise_attention(conv, gen)
    session = _export(conv, torch.randn(1, 6, 25, 38, generator=gen), str(tmp_path / 'c.onnx'),
                      spatial=True)
    for batch, size in ((1, (25, 38)), (2, (25, 38)), (3, (17, 10))):
        x = torch.randn(batch, 6, *size, generator=gen)
        got = torch.from_numpy(session.run(None, {'x': x.numpy()})[0])
        with torch.no_grad():
            torch.testing.assert_close(got, reference_aw_conv(conv, x), rtol=1e-4, atol=1e-4)


def test_aw_resnet18_at_64px_exports_with_dynamic_batch(tmp_path):
    """Stage 4 of a 64 px input is 2x2 and stage 3 4x4: no pooling size divides the 3x3 kernel."""
    torch.manual_seed(21)
    model = AWResNet(depth=18, stage_with_aw=(True, True, True, True))
    model.eval()  # mmdet's ResNet.train() returns None
    for module in model.modules():
        if isinstance(module, AWConv2d):
            randomise_attention(module, scale=0.3)
    session = _export(model, torch.randn(2, 3, 64, 64), str(tmp_path / 'r18.onnx'))
    for batch in (1, 2, 3):
        x = torch.randn(batch, 3, 64, 64)
        with torch.no_grad():
            expected = model(x)
        for got, want in zip(session.run(None, {'x': x.numpy()}), expected):
            torch.testing.assert_close(torch.from_numpy(got), want, rtol=1e-4, atol=1e-4)
