"""Benchmark cases (model, step, input, variants) and their suites (tools/benchmark.py --suite)."""
import dataclasses
import fnmatch

from .variants import BASELINE

STOCK_AW = (BASELINE, 'aw')
DETECTOR_PEERS = (BASELINE, 'aw', 'dcnv2', 'se', 'cbam', 'gcnet', 'aw_se')
MODEL_NAMES = {'r101': 'Faster R-CNN R101-FPN', 'demo': 'demo detector (Faster R-CNN R18-FPN)',
               'classifier': 'classifier (ResNet-18, 16 wide, 3x3 stride-1 stem)'}
MODE_NAMES = {'train': 'training step', 'infer': 'inference'}


@dataclasses.dataclass(frozen=True)
class Case:
    """One row of the tables: the step of one model at one input, for each of its variants.

    Args:
        name (str): Unique within a suite (``--cases``, ``--profile``).
        model (str): 'r101', 'demo', 'classifier' or 'backbone' (ResNet alone).
        mode (str): 'train' (a training step) or 'infer' (a forward without autograd).
        size (tuple[int, int]): Input (H, W).
        batch (int): Inputs per step.
        variants (tuple[str]): Keys of ``variants.VARIANTS``, the baseline first.
        depth (int): ResNet depth of a 'backbone' case. Defaults to 50.
    """
    name: str
    model: str
    mode: str
    size: tuple
    batch: int
    variants: tuple = STOCK_AW
    depth: int = 50

    @property
    def what(self):
        model = (f'ResNet-{self.depth} backbone alone' if self.model == 'backbone'
                 else MODEL_NAMES[self.model])
        return f'{model}, {MODE_NAMES[self.mode]}'


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
    """AW and its peers in the R101 detector at its training size."""
    infer, train = ((128, 192), ((128, 160), 1)) if quick else ((800, 1216), ((800, 1216), 2))
    return [Case('r101_infer', 'r101', 'infer', infer, 1, DETECTOR_PEERS),
            Case('r101_train', 'r101', 'train', *train, DETECTOR_PEERS)]


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
