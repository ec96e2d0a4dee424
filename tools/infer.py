"""Run a trained detector on your own images with mmdet's DetInferencer: each image with its
boxes (OUT_DIR/vis/), its predictions as JSON (OUT_DIR/preds/, DetInferencer's format), and with
--attention what AW multiplies each layer's weights by (OUT_DIR/attention/).

aw_mmdet is imported, so AW models build from configs without custom_imports, and the checkpoint
is read with aw_mmdet's safe loading and must fit the model. A missing or unreadable image is an
error line naming it; the other images still run, and the exit status is 1 at the end.
"""
import argparse
import glob
import os
import os.path as osp
import sys

from aw_mmdet import CheckpointError  # fills the registries, safe loading
from aw_mmdet.checkpoint import check_checkpoint_fits

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp')
GLOB_CHARS = ('*', '?', '[')


def expand_inputs(items):
    """(image paths, errors): files as given, folders' images (sorted, not recursive), globs'
    matches (sorted); a path that does not exist or a glob matching nothing is an error.

    Args:
        items (list[str]): Files, folders and glob patterns, as given on the command line.
    """
    paths, errors = [], []
    for item in items:
        if osp.isdir(item):
            found = sorted(osp.join(item, f) for f in os.listdir(item)
                           if f.lower().endswith(IMAGE_SUFFIXES))
            if not found:
                errors.append(f'{item}: folder holds no images ({", ".join(IMAGE_SUFFIXES)})')
            paths += found
        elif osp.exists(item):
            paths.append(item)
        elif any(c in item for c in GLOB_CHARS):
            found = sorted(p for p in glob.glob(item) if osp.isfile(p))
            if not found:
                errors.append(f'{item}: no file matches this pattern')
            paths += found
        else:
            errors.append(f'{item}: no such file')
    return paths, errors


def unreadable_reason(path):
    """Why ``path`` cannot be decoded as an image, or None when it can."""
    import mmcv
    try:
        image = mmcv.imread(path)
    except Exception as err:  # mmcv/cv2 raise several types for unreadable files
        return f'cannot read it ({type(err).__name__}: {err})'
    return 'not an image (or a format OpenCV cannot decode)' if image is None else None


def drop_name_clashes(paths):
    """(paths, errors) without the images whose file stem an earlier image already has:
    DetInferencer names vis/ and preds/ files by it, so the later one would overwrite them."""
    first, kept, errors = {}, [], []
    for path in paths:
        stem = osp.splitext(osp.basename(path))[0]
        if stem in first and first[stem] != path:
            errors.append(f'{path}: skipped, its outputs would overwrite those of {first[stem]} '
                          f'(same name {stem!r}); rename one or run it separately')
        elif stem not in first:
            first[stem] = path
            kept.append(path)
    return kept, errors


def attention_tools():
    """capture_attention and plot_attention from the checkout's experiments/ (not installed)."""
    try:
        from experiments.demo.attention_figure import capture_attention, plot_attention
    except ImportError as err:
        raise SystemExit(
            f'error: --attention needs experiments/demo/attention_figure.py from the aw_mmdet '
            f'checkout ({err}); experiments/ is not part of the installed package. Run this tool '
            f'from the checkout with an editable install (pip install -e .) and matplotlib.')
    return capture_attention, plot_attention


def build_inferencer(config, weights, device):
    """mmdet's DetInferencer, whose checkpoint must fit the model (mmdet would only warn).

    Args:
        config (str): Config file.
        weights (str): Checkpoint file (read with aw_mmdet's safe loader).
        device (str): 'cpu', 'cuda', 'cuda:1', ...
    """
    from mmdet.apis import DetInferencer

    class CheckedDetInferencer(DetInferencer):
        def _load_weights_to_model(self, model, checkpoint, cfg):
            if checkpoint is not None:
                check_checkpoint_fits(model, checkpoint, weights)
            super()._load_weights_to_model(model, checkpoint, cfg)

    return CheckedDetInferencer(model=config, weights=weights, device=device,
                                show_progress=False)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('images', nargs='+', help='image files, folders or glob patterns')
    parser.add_argument('--config', required=True, help='detector config file')
    parser.add_argument('--weights', required=True, help='checkpoint file')
    parser.add_argument('--out-dir', default='work_dirs/infer', help='where vis/, preds/ go')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='draw boxes scoring at least this (preds/ keeps every detection)')
    parser.add_argument('--device', default='cpu', help="'cpu', 'cuda', 'cuda:0', ...")
    parser.add_argument('--attention', action='store_true',
                        help='also draw the AW attention per image (OUT_DIR/attention/)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise SystemExit(f'error: config file not found: {args.config}')
    if args.attention:
        capture_attention, plot_attention = attention_tools()
    paths, errors = expand_inputs(args.images)
    paths, clashes = drop_name_clashes(paths)
    errors += clashes
    try:
        inferencer = build_inferencer(args.config, args.weights, args.device)
    except CheckpointError as err:
        raise SystemExit(f'error: {err}')
    if args.attention:
        from aw_mmdet.ops import aw_convs
        if not aw_convs(inferencer.model.backbone):
            raise SystemExit(f'error: --attention: {args.config} has no AW conv in its backbone')
    for error in errors:
        print(f'error: {error}', file=sys.stderr, flush=True)
    done = 0
    for path in paths:
        reason = unreadable_reason(path)
        if reason:
            errors.append(reason)
            print(f'error: {path}: {reason}', file=sys.stderr, flush=True)
            continue

        def run(path=path):
            inferencer(path, out_dir=args.out_dir, pred_score_thr=args.score_thr,
                       no_save_pred=False)

        stem = osp.splitext(osp.basename(path))[0]
        line = (f'{path}: {osp.join(args.out_dir, "vis", osp.basename(path))}, '
                f'{osp.join(args.out_dir, "preds", stem + ".json")}')
        if args.attention:
            maps = capture_attention(inferencer.model, run)
            os.makedirs(osp.join(args.out_dir, 'attention'), exist_ok=True)
            figure = plot_attention(maps, osp.join(args.out_dir, 'attention', f'{stem}.png'),
                                    title=f'AW attention on {osp.basename(path)}')
            line += f', {figure}'
        else:
            run()
        done += 1
        print(line, flush=True)
    print(f'infer: {done} image(s) done, {len(errors)} error(s); outputs in {args.out_dir}')
    if errors:
        sys.exit(1)


if __name__ == '__main__':
    main()
