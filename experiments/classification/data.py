"""Digits rendered from scikit-learn's 8x8 scans, split by scan first so no stroke shape is shared
between splits; rendering is seeded and fast, so done in memory, never written to disk."""
import functools
from dataclasses import asdict, dataclass

import numpy as np
import torch
from mmdet.registry import DATASETS
from PIL import Image
from torch.utils.data import Dataset

CLASSES = tuple(str(i) for i in range(10))
SPLITS = ('train', 'val', 'test')
#: Fractions of the 1797 scans per split (train gets the rest): 1078 / 216 / 503 scans.
SPLIT_FRACTIONS = dict(val=0.12, test=0.28)
#: images rendered per scan
RENDERS = dict(train=8, val=2, test=4)


@dataclass(frozen=True)
class RenderSpec:
    """How images are drawn: the task's difficulty knobs."""
    image_size: int = 32  # side of the square RGB image
    digit_size: tuple = (14, 26)  # min and max digit height in px (log-uniform)
    aspect: tuple = (0.55, 0.95)  # width / height range of the digit
    rotation: float = 12.0  # max absolute rotation in degrees
    clutter: tuple = (2, 5)  # min and max number of background shapes
    distractors: tuple = (1, 2)  # min and max number of fragments of other digits
    distractor_alpha: tuple = (0.5, 0.9)  # opacity range of the fragments
    min_contrast: float = 0.5  # least brightness gap, digit to local background
    noise: float = 0.04  # std of the additive Gaussian pixel noise (0-1 scale)


@functools.lru_cache(maxsize=1)
def load_scans():
    """(images (1797, 8, 8) in [0, 1], labels (1797,)) from scikit-learn's bundled copy."""
    from sklearn.datasets import load_digits
    data = load_digits()
    return data.images.astype(np.float32) / 16.0, data.target.astype(np.int64)


def split_indices(num_scans, seed):
    """{split: scan indices}; disjoint, fixed by ``seed`` alone."""
    order = np.random.default_rng(seed).permutation(num_scans)
    n_val = int(round(num_scans * SPLIT_FRACTIONS['val']))
    n_test = int(round(num_scans * SPLIT_FRACTIONS['test']))
    return dict(test=order[:n_test], val=order[n_test:n_test + n_val],
                train=order[n_test + n_val:])


def _background(rng, spec):
    s = spec.image_size
    c0, c1 = rng.uniform(0.1, 0.9, 3), rng.uniform(0.1, 0.9, 3)
    t = np.linspace(0, 1, s)
    t = t[None, :, None] if rng.random() < 0.5 else t[:, None, None]
    img = c0 * (1 - t) + c1 * t + np.zeros((s, s, 3))
    yy, xx = np.mgrid[0:s, 0:s]
    for _ in range(rng.integers(spec.clutter[0], spec.clutter[1] + 1)):
        kind = rng.integers(3)
        if kind == 0:
            y0, x0 = rng.integers(0, s, 2)
            mask = ((yy >= y0) & (yy < y0 + rng.integers(3, s // 2))
                    & (xx >= x0) & (xx < x0 + rng.integers(3, s // 2)))
        elif kind == 1:
            cy, cx = rng.integers(0, s, 2)
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < rng.integers(2, s // 4) ** 2
        else:
            angle, offset = rng.uniform(0, np.pi), rng.uniform(-s / 2, s / 2)
            dist = np.abs((xx - s / 2) * np.sin(angle) - (yy - s / 2) * np.cos(angle) - offset)
            mask = dist < rng.uniform(0.7, 1.5)
        img[mask] = img[mask] * 0.55 + rng.uniform(0, 1, 3) * 0.45
    return img


def _glyph(scan, height, width, angle):
    mask = Image.fromarray((scan * 255).astype(np.uint8)).resize((width, height), Image.BILINEAR)
    if angle:
        mask = mask.rotate(angle, resample=Image.BILINEAR, expand=True)
    return np.asarray(mask, dtype=np.float32) / 255.0


def _composite(img, alpha, colour, y, x):
    s = img.shape[0]
    h, w = alpha.shape
    y0, x0, y1, x1 = max(y, 0), max(x, 0), min(y + h, s), min(x + w, s)
    if y1 <= y0 or x1 <= x0:
        return
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x, None]
    img[y0:y1, x0:x1] = img[y0:y1, x0:x1] * (1 - a) + colour * a


def _contrasting(rng, img, y, x, h, w, min_contrast):
    colour = rng.uniform(0, 1, 3)
    s = img.shape[0]
    under = float(img[max(y, 0):min(y + h, s), max(x, 0):min(x + w, s)].mean())
    if abs(colour.mean() - under) < min_contrast:
        target = under + (min_contrast if under < 0.5 else -min_contrast) * rng.uniform(1, 1.8)
        colour = np.clip(colour - colour.mean() + target, 0, 1)
    return colour


def render_image(rng, scan, others, spec):
    """One uint8 (3, S, S) image of ``scan`` with distractor fragments taken from ``others``."""
    s = spec.image_size
    img = _background(rng, spec)
    lo, hi = np.log(spec.digit_size[0]), np.log(spec.digit_size[1])
    height = int(round(np.exp(rng.uniform(lo, hi))))
    for _ in range(rng.integers(spec.distractors[0], spec.distractors[1] + 1)):
        other = others[rng.integers(len(others))]
        rows, cols = rng.integers(3, 6), rng.integers(3, 6)  # a part of another digit's 8x8 scan
        r0, c0 = rng.integers(0, 9 - rows), rng.integers(0, 9 - cols)
        fh = max(3, int(height * rows / 8 * rng.uniform(0.7, 1.1)))
        fw = max(3, int(height * cols / 8 * rng.uniform(0.5, 0.9)))
        alpha = _glyph(other[r0:r0 + rows, c0:c0 + cols], fh, fw, rng.uniform(-30, 30))
        alpha *= rng.uniform(*spec.distractor_alpha)
        y, x = rng.integers(-fh // 3, s - fh // 2), rng.integers(-fw // 3, s - fw // 2)
        _composite(img, alpha, _contrasting(rng, img, y, x, fh, fw, spec.min_contrast), y, x)
    width = max(4, int(round(height * rng.uniform(*spec.aspect))))
    alpha = _glyph(scan, height, width, rng.uniform(-spec.rotation, spec.rotation))
    h, w = alpha.shape
    y, x = rng.integers(0, max(s - h, 0) + 1), rng.integers(0, max(s - w, 0) + 1)
    _composite(img, alpha, _contrasting(rng, img, y, x, h, w, spec.min_contrast), y, x)
    img += rng.normal(0, spec.noise, img.shape)
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8).transpose(2, 0, 1)


@functools.lru_cache(maxsize=4)
def render_split(split, seed=0, max_scans=None, spec=RenderSpec()):
    """(images (N, 3, S, S), labels, scan indices) of a split; smaller ``max_scans``: a prefix."""
    if split not in SPLITS:
        raise ValueError(f'unknown split {split!r}; choose from {SPLITS}')
    scans, labels = load_scans()
    index = split_indices(len(scans), seed)[split]
    if max_scans is not None:
        index = index[:max_scans]
    rng = np.random.default_rng([seed, SPLITS.index(split)])
    pool = {c: scans[index[labels[index] != c]] for c in range(10)}  # fragments: other classes
    images, out_labels, out_scans = [], [], []
    for i in index:
        for _ in range(RENDERS[split]):
            images.append(render_image(rng, scans[i], pool[labels[i]], spec))
            out_labels.append(labels[i])
            out_scans.append(i)
    return np.stack(images), np.asarray(out_labels), np.asarray(out_scans)


@DATASETS.register_module()
class DigitsClsDataset(Dataset):
    """One split of the rendered digits as ``dict(inputs=uint8 (3, S, S), data_samples=label)``.

    Args:
        split (str): 'train', 'val' or 'test'.
        seed (int): data seed (scan split, rendering); same for every run compared. Defaults to 0.
        max_scans (int, optional): only the first scans of the split (smoke tests).
    """

    def __init__(self, split, seed=0, max_scans=None):
        self.split = split
        self.images, self.labels, self.scans = render_split(split, seed, max_scans)
        self.metainfo = dict(classes=CLASSES, split=split, seed=seed, max_scans=max_scans,
                             render=asdict(RenderSpec()), renders=RENDERS)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return dict(inputs=torch.from_numpy(self.images[index]),
                    data_samples=torch.tensor(self.labels[index]))
