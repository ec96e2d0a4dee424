"""What every config in configs/ means, as mmengine prints it (``Config.pretty_text``), is pinned
in config_snapshots/: moving lines between a config and the _base_ pieces must not change it, and a
deliberate change shows in review as the snapshot's diff. To record one, run this file:
``python tests/test_models/test_config_snapshots.py`` rewrites every snapshot."""
import difflib
import glob
import os
import os.path as osp
import sys

import pytest
from mmengine.config import Config

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # tests/, when run as a script
from helpers import ROOT, load_config, project_configs  # noqa: E402

SNAPSHOTS = osp.join(osp.dirname(osp.abspath(__file__)), 'config_snapshots')
CONFIGS = project_configs()


def _name(path):
    """configs/demo/faster_rcnn_aw_demo.py -> demo/faster_rcnn_aw_demo"""
    return osp.splitext(osp.relpath(path, osp.join(ROOT, 'configs')))[0]


def _snapshot(path):
    return osp.join(SNAPSHOTS, _name(path) + '.txt')


@pytest.mark.parametrize('path', CONFIGS, ids=_name)
def test_config_matches_its_snapshot(path):
    with open(_snapshot(path), encoding='utf-8') as f:
        expected = f.read()
    got = load_config(path).pretty_text
    if got != expected:
        diff = difflib.unified_diff(expected.splitlines(), got.splitlines(), 'snapshot', 'config',
                                    lineterm='')
        pytest.fail(f'{_name(path)} differs from its snapshot:\n' + '\n'.join(list(diff)[:80]))


def test_every_snapshot_has_its_config():
    """A removed or renamed config takes its snapshot with it."""
    snapshots = glob.glob(osp.join(SNAPSHOTS, '**', '*.txt'), recursive=True)
    assert sorted(osp.relpath(s, SNAPSHOTS)[:-4] for s in snapshots) == sorted(map(_name, CONFIGS))


if __name__ == '__main__':
    for path in CONFIGS:
        os.makedirs(osp.dirname(_snapshot(path)), exist_ok=True)
        with open(_snapshot(path), 'w', encoding='utf-8') as f:
            f.write(Config.fromfile(path).pretty_text)
        print('wrote', osp.relpath(_snapshot(path), ROOT))
