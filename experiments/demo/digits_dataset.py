"""COCO-format detection set: digit scans at very different sizes (work for every FPN level) on
clutter; train/val from disjoint scans, test re-renders val's (docs/evidence_protocol.md 5.2)."""
import json
import os
import os.path as osp

import numpy as np
from PIL import Image

CLASSES = tuple(f'digit_{i}' for i in range(10))
SPLITS = ('train', 'val', 'test')  # each split's random stream is (seed, its index)


def _digits():
    from sklearn.datasets import load_digits
    data = load_digits()
    return data.images.astype(np.float32) / 16.0, data.target.astype(int)


def _background(rng, h, w):
    c0, c1 = rng.uniform(0.15, 0.85, 3), rng.uniform(0.15, 0.85, 3)
    if rng.random() < 0.5:
        t = np.linspace(0, 1, w)[None, :, None]
    else:
        t = np.linspace(0, 1, h)[:, None, None]
    img = c0 * (1 - t) + c1 * t + np.zeros((h, w, 3))
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(rng.integers(6, 14)):
        colour = rng.uniform(0, 1, 3)
        kind = rng.integers(3)
        if kind == 0:  # rectangle
            y0, x0 = rng.integers(0, h), rng.integers(0, w)
            mask = ((yy >= y0) & (yy < y0 + rng.integers(4, h // 3))
                    & (xx >= x0) & (xx < x0 + rng.integers(4, w // 3)))
        elif kind == 1:  # blob
            cy, cx, r = rng.integers(0, h), rng.integers(0, w), rng.integers(4, h // 6)
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2
        else:  # thin stroke
            angle, offset = rng.uniform(0, np.pi), rng.uniform(-w / 2, w / 2)
            dist = np.abs((xx - w / 2) * np.sin(angle) - (yy - h / 2) * np.cos(angle) - offset)
            mask = dist < rng.uniform(1, 3)
        img[mask] = img[mask] * 0.6 + colour * 0.4
    img += rng.normal(0, 0.04, img.shape)
    return np.clip(img, 0, 1)


def _paste_digit(rng, img, digit, size):
    """Alpha-composite a tinted, resized digit; return its tight box (x, y, w, h) or None."""
    h, w = img.shape[:2]
    aspect = rng.uniform(0.75, 1.3)
    dh, dw = int(size), max(int(size * aspect * 0.8), 4)  # digits are narrower than tall
    scan = Image.fromarray((digit * 255).astype(np.uint8))
    alpha = np.asarray(scan.resize((dw, dh), Image.BILINEAR), dtype=np.float32) / 255.0
    if dh >= h or dw >= w:
        return None
    y, x = int(rng.integers(0, h - dh)), int(rng.integers(0, w - dw))
    colour = rng.uniform(0, 1, 3)
    region = img[y:y + dh, x:x + dw]
    background = float(region.mean())
    if abs(colour.mean() - background) < 0.35:  # keep the digit visible: push its brightness away
        shift = 0.45 if background < 0.5 else -0.45
        colour = np.clip(background + shift + (colour - colour.mean()) * 0.5, 0, 1)
    a = alpha[..., None]
    img[y:y + dh, x:x + dw] = region * (1 - a) + colour * a
    rows, cols = np.where(alpha > 0.25)
    return (x + int(cols.min()), y + int(rows.min()), int(cols.max() - cols.min() + 1),
            int(rows.max() - rows.min() + 1))


def _overlap(a, b):
    """Intersection over the smaller box: a small digit mostly hidden by a big one counts."""
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0, min(ay2, by2) - max(a[1], b[1]))
    return iw * ih / float(min(a[2] * a[3], b[2] * b[3]))


def make_split(out_dir, split, num_images, pool, rng, image_size=(160, 160),
               size_range=(12, 96), objects=(2, 6), max_overlap=0.25):
    """Write ``<out_dir>/<split>/*.jpg`` and return the COCO dict for them."""
    images, labels = pool
    h, w = image_size
    os.makedirs(osp.join(out_dir, split), exist_ok=True)
    coco = dict(images=[], annotations=[],
                categories=[dict(id=i + 1, name=name) for i, name in enumerate(CLASSES)])
    for image_id in range(1, num_images + 1):
        img = _background(rng, h, w)
        boxes = []
        for _ in range(rng.integers(objects[0], objects[1] + 1)):
            for _attempt in range(10):
                idx = int(rng.integers(len(images)))
                size = float(np.exp(rng.uniform(np.log(size_range[0]), np.log(size_range[1]))))
                trial = img.copy()
                box = _paste_digit(rng, trial, images[idx], size)
                if (box and box[2] >= 4 and box[3] >= 4
                        and all(_overlap(box, b) <= max_overlap for b, _ in boxes)):
                    img = trial
                    boxes.append((box, int(labels[idx])))
                    break
        file_name = f'{image_id:06d}.jpg'
        Image.fromarray((img * 255).round().astype(np.uint8)).save(
            osp.join(out_dir, split, file_name), quality=92)
        coco['images'].append(dict(id=image_id, file_name=file_name, width=w, height=h))
        for box, label in boxes:
            coco['annotations'].append(dict(
                id=len(coco['annotations']) + 1, image_id=image_id, category_id=label + 1,
                bbox=[float(v) for v in box], area=float(box[2] * box[3]), iscrowd=0))
    return coco


def make_demo_data(out_dir='data/aw_demo', num_train=300, num_val=100, seed=0, force=False,
                   image_size=(160, 160), num_test=200):
    """Create the splits missing an annotation file (``force``: all); return ``{split: path}``. A
    split's random stream is (seed, split), so it does not depend on which others are made."""
    ann_dir = osp.join(out_dir, 'annotations')
    paths = {s: osp.join(ann_dir, f'instances_{s}.json') for s in SPLITS}
    todo = [s for s in SPLITS if force or not osp.isfile(paths[s])]
    if not todo:
        return paths
    images, labels = _digits()
    order = np.random.default_rng(seed).permutation(len(images))
    cut = int(len(order) * 0.7)  # train and val objects come from disjoint scans
    held_out = (images[order[cut:]], labels[order[cut:]])
    pools = {'train': (images[order[:cut]], labels[order[:cut]]), 'val': held_out,
             'test': held_out}
    counts = {'train': num_train, 'val': num_val, 'test': num_test}
    os.makedirs(ann_dir, exist_ok=True)
    for split in todo:
        rng = np.random.default_rng([seed, SPLITS.index(split)])
        coco = make_split(out_dir, split, counts[split], pools[split], rng, image_size=image_size)
        tmp = paths[split] + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(coco, f)
        os.replace(tmp, paths[split])  # annotation present <=> split complete
    return paths
