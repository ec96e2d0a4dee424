"""Fail before the Runner starts when a config's dataset files are missing, naming the file."""
import os.path as osp

DATA_DOC = 'README.md, section "Data"'


class DatasetFilesError(FileNotFoundError):
    """An annotation file or image directory named by the config does not exist."""


def _leaf_datasets(dataset_cfg, where):
    """Yield (cfg, config path) for every real dataset under wrappers (Repeat/Concat/...)."""
    if dataset_cfg is None:
        return
    if 'datasets' in dataset_cfg:
        for i, sub in enumerate(dataset_cfg['datasets']):
            yield from _leaf_datasets(sub, f'{where}.datasets[{i}]')
    elif 'dataset' in dataset_cfg:
        yield from _leaf_datasets(dataset_cfg['dataset'], f'{where}.dataset')
    else:
        yield dataset_cfg, where


def _join(root, path):
    return path if not root or osp.isabs(path) else osp.join(root, path)


def check_dataset_files(cfg, loaders=('train_dataloader', 'val_dataloader', 'test_dataloader')):
    """Raise DatasetFilesError for the first missing annotation file or image directory."""
    for loader in loaders:
        if cfg.get(loader) is None:
            continue
        for ds, where in _leaf_datasets(cfg[loader].get('dataset'), f'{loader}.dataset'):
            root = ds.get('data_root') or ''
            ann = ds.get('ann_file')
            if ann and not osp.isfile(_join(root, ann)):
                raise DatasetFilesError(
                    f'annotation file not found: {_join(root, ann)} (config field '
                    f'{where}.ann_file, data_root={root!r}). See {DATA_DOC} for how to lay out '
                    'COCO or make the demo data.')
            img_dir = (ds.get('data_prefix') or {}).get('img')
            if img_dir and not osp.isdir(_join(root, img_dir)):
                raise DatasetFilesError(
                    f'image directory not found: {_join(root, img_dir)} (config field '
                    f'{where}.data_prefix.img). See {DATA_DOC}.')
