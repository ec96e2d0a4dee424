"""Every command in docs/reproduce_coco.md, run as written except: the tiny generated digits data
in place of COCO (paths, classes, 128 px), one training iteration (1 epoch of 1 image), no
ImageNet download (backbone init_cfg=None), work dirs under tmp_path, and evaluation only by the
doc's evaluation command (not also inside training), checkpoints without optimizer state (R101
checkpoints are large; this keeps the test short). Catches a config that
does not build, a flag the tools do not take, or an evaluation command that cannot read what the
training command wrote."""
import os.path as osp
import re
import shlex

import pytest

import aw_mmdet  # noqa: F401
from experiments.demo import CLASSES
from helpers import ROOT, load_config, load_tool, make_tiny_data

DOC = osp.join(ROOT, 'docs', 'reproduce_coco.md')
TOOLS = {'tools/dist_train.sh': 'train.py', 'tools/dist_test.sh': 'test.py'}


def doc_commands():
    """[(tool script, args)] of the dist_train/dist_test lines in the doc's bash blocks."""
    text = open(DOC).read()
    mmdet_configs = osp.join(osp.dirname(__import__('mmdet').__file__), '.mim', 'configs')
    commands = []
    for block in re.findall(r'```bash\n(.*?)```', text, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line.replace('$MMDET_CONFIGS', mmdet_configs))
            if words and words[0] in TOOLS:
                commands.append((TOOLS[words[0]], words[1:]))
    return commands


def tiny_config(config, data, out):
    """The config as the doc names it, pointed at the tiny data; dumped to ``out``."""
    cfg = load_config(config if osp.isabs(config) else osp.join(ROOT, config))
    cfg.model.backbone.init_cfg = None
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')):
        cfg[loader].update(num_workers=0, persistent_workers=False, batch_size=1)
        cfg[loader].dataset.update(data_root=f'{data}/', metainfo=dict(classes=CLASSES),
                                   ann_file=f'annotations/instances_{split}.json',
                                   data_prefix=dict(img=f'{split}/'))
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'Resize':
                step['scale'] = (128, 128)
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = f'{data}/annotations/instances_val.json'
    cfg.train_cfg.update(max_epochs=1, val_begin=2)
    cfg.default_hooks.checkpoint.save_optimizer = False
    cfg.dump(out)
    return out


def local_paths(args, tmp_path):
    """The doc's work dirs under tmp_path; epoch_12 (1x) is epoch_1 here."""
    return [a.replace('work_dirs/coco', str(tmp_path / 'work')).replace('epoch_12', 'epoch_1')
            for a in args]


def test_doc_names_every_project_config_and_the_stock_baseline():
    train = {osp.basename(args[0]) for tool, args in doc_commands() if tool == 'train.py'}
    test = {osp.basename(args[0]) for tool, args in doc_commands() if tool == 'test.py'}
    expected = {'faster-rcnn_r101_fpn_1x_coco.py'} | {
        f'faster_rcnn_r101_{v}_fpn.py' for v in ('aw', 'se', 'cbam', 'aw_se', 'aw_cbam')}
    assert train == expected and test == expected
    for tool, args in doc_commands():
        gpus = args[1] if tool == 'train.py' else args[2]
        assert gpus == '8', (tool, args)


@pytest.mark.slow
def test_every_doc_command_builds_and_runs_one_iteration(tmp_path):
    data = tmp_path / 'data'
    make_tiny_data(data, num_train=1, num_val=1)
    tools = {script: load_tool(script) for script in TOOLS.values()}
    ran = []
    for i, (script, args) in enumerate(doc_commands()):
        args = local_paths(args, tmp_path)
        config = tiny_config(args[0], data, str(tmp_path / f'cfg{i}_{osp.basename(args[0])}'))
        if script == 'train.py':  # CONFIG GPUS [train.py args]
            argv = [config, *args[2:]]
        else:  # CONFIG CHECKPOINT GPUS [test.py args]
            argv = [config, args[1], '--work-dir', str(tmp_path / f'test{i}'), *args[3:]]
        tools[script].main(argv)
        ran.append(script)
        if script == 'train.py':
            work_dir = argv[argv.index('--work-dir') + 1]
            assert osp.isfile(osp.join(work_dir, 'epoch_1.pth')), work_dir
    assert ran.count('train.py') == 6 and ran.count('test.py') == 6
