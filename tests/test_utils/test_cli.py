"""The Runner that tools/train.py and tools/test.py build formats its config text once per
content: the text it logs, dumps and writes into every checkpoint is still stock mmengine's."""
from mmengine.config import Config

from aw_mmdet.utils import build_runner
from helpers import DEMO_CONFIG


def _config(work_dir, **train_cfg):
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.update(train_cfg)
    return cfg


def test_runner_config_text_is_stocks_and_follows_changes(tmp_path):
    cfg = _config(tmp_path)
    runner = build_runner(cfg)
    assert type(cfg) is Config  # the caller's config is left as it was
    assert runner.cfg.pretty_text == runner.cfg.pretty_text == _config(tmp_path).pretty_text
    runner.cfg.train_cfg.max_iters = 7
    changed = _config(tmp_path, max_iters=7).pretty_text
    assert 'max_iters=7' in changed
    assert runner.cfg.pretty_text == changed
