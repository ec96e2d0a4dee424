"""Benchmark cases (model, step, input, variants) and their suites (tools/benchmark.py --suite)."""
import dataclasses
import fnmatch

from .variants import BASELINE

STOCK_AW = (BASELINE, 'aw')
DETECTOR_PEERS = (BASELINE, 'aw', 'dcnv2', 'se', 'cbam', 'gcnet', 'aw_se')
CONV_PEERS = (BASELINE, 'aw', 'aw_dense', 'dcnv2', 'condconv4', 'se', 'cbam', 'gcnet', 'ga_0010')
MODEL_NAMES = {'r101': 'Faster R-CNN R101-FPN', 'demo': 'demo detector (Faster R-CNN R18-FPN)',
               'classifier': 'classifier (ResNet-18, 16 wide, 3x3 stride-1 stem)'}
MODE_NAMES = {'train': 'training step', 'infer': 'inference'}


@dataclasses.dataclass(frozen=True)
class Case:
    """One row of the tables: the step of one model at one input, for each of its variants.

    Args:
        name (str): Unique within a suite (``--cases``, ``--profile``).
        model (str): 'r101', 'demo', 'classifier', 'backbone' (ResNet alone) or 'conv' (one 3x3).
        mode (str): 'train' (a training step) or 'infer' (a forward without autograd).
        size (tuple[int, int]): Input (H, W).
        batch (int): Inputs per step.
        variants (tuple[str]): Keys of ``variants.VARIANTS``, the baseline first.
        depth (int): ResNet depth of a 'backbone' case. Defaults to 50.
        channels (int): Channels of a 'conv' case. Defaults to 0.
        stride (int): Stride of a 'conv' case. Defaults to 1.
        image (tuple): The detector input a 'conv' case's map belongs to. Defaults to ().
    """
    name: str
    model: str
    mode: str
    size: tuple
    batch: int
    variants: tuple = STOCK_AW
    depth: int = 50
    channels: int = 0
    stride: int = 1
    image: tuple = ()

    @property
    def what(self):
        if self.model == 'backbone':
            model = f'ResNet-{self.depth} backbone alone'
        elif self.model == 'conv':
            model = (f'3x3 conv, {self.channels} ch, stride {self.stride} '
                     f'({self.image[0]}x{self.image[1]} image)')
        else:
            model = MODEL_NAMES[self.model]
        return f'{model}, {MODE_NAMES[self.mode]}'

    @property
    def fresh_process(self):
        """A model's peak compares only from a fresh process; conv cases share one per variant."""
        return self.model != 'conv'


def resnet101_3x3_shapes(height, width):
    """(channels, H, W, stride) of each distinct ResNet-101 3x3 conv (stride on conv2)."""
    shapes = []
    h, w = -(-height // 4), -(-width // 4)  # after the stem (stride 2 conv + stride 2 max-pool)
    for stage, planes in enumerate((64, 128, 256, 512)):
        stride = 1 if stage == 0 else 2
        shapes.append((planes, h, w, stride))
        if stride == 2:
            h, w = -(-h // 2), -(-w // 2)
            shapes.append((planes, h, w, 1))
    return shapes


def conv_cases(images, variants=CONV_PEERS):
    """Inference and training step of every ResNet-101 3x3 conv shape of each image.

    Args:
        images (list): (H, W, batch) per image size.
        variants (tuple): Defaults to ``CONV_PEERS``.
    """
    return [Case(f'conv{c}s{stride}_{h}x{w}b{batch}_{mode}', 'conv', mode, (ch, cw), batch,
                 variants, channels=c, stride=stride, image=(h, w))
            for h, w, batch in images for c, ch, cw, stride in resnet101_3x3_shapes(h, w)
            for mode in ('infer', 'train')]


def targets(quick=False):
    """The op's speed targets: small maps, where AW costs most, and the R101 detector."""
    def sized(full, small):
        return small if quick else full

    return [
        Case('demo_train', 'demo', 'train', *sized(((160, 160), 4), ((96, 96), 2))),
        Case('cls_train', 'classifier', 'train', (32, 32), sized(32, 8),
             (BASELINE, 'aw', 'se', 'aw_se')),
        Case('r50_train', 'backbone', 'train', *sized(((224, 224), 16), ((64, 64), 2)),
             (BASELINE, 'aw', 'se', 'cbam', 'gcnet')),
        Case('r101_infer', 'r101', 'infer', sized((800, 1216), (128, 192)), 1),
        Case('r101_train', 'r101', 'train', *sized(((512, 512), 2), ((128, 128), 1))),
    ]


def peers(quick=False):
    """AW and its peers: R101 at training size, its 3x3 convs there and at classification sizes."""
    if quick:
        infer, train, images = (128, 192), ((128, 160), 1), [(128, 192, 2), (64, 64, 4)]
    else:
        infer, train = (800, 1216), ((800, 1216), 2)
        images = [(800, 1216, 2), (800, 1216, 1), (160, 160, 4), (224, 224, 16)]
    return [Case('r101_infer', 'r101', 'infer', infer, 1, DETECTOR_PEERS),
            Case('r101_train', 'r101', 'train', *train, DETECTOR_PEERS)] + conv_cases(images)


SUITES = {'targets': targets, 'peers': peers}


def select(suite, quick=False, patterns=None, variants=None):
    """``suite``'s cases matching ``patterns``, each with only ``variants`` (the baseline stays).

    Args:
        suite (str): A key of ``SUITES``.
        quick (bool): Small sizes (a smoke run). Defaults to False.
        patterns (list[str], optional): Case name patterns (fnmatch). Defaults to None (all).
        variants (list[str], optional): Variants to keep. Defaults to None (all).
    """
    cases = SUITES[suite](quick)
    if patterns:
        cases = [c for c in cases if any(fnmatch.fnmatch(c.name, p) for p in patterns)]
        if not cases:
            raise ValueError(f'no case of suite {suite!r} matches {patterns}')
    if variants:
        cases = [dataclasses.replace(c, variants=tuple(
            v for v in c.variants if v == BASELINE or v in variants)) for c in cases]
    return cases
