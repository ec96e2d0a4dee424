"""Runner hook: every checkpoint the Runner loads (``load_from``, ``--resume``, tools/test.py's
checkpoint) must fit the model; see aw_mmdet/checkpoint/fit_check.py for what "fit" means."""
from typing import Sequence

from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import find_latest_checkpoint

from aw_mmdet.checkpoint.fit_check import check_checkpoint_fits


def _loaded_file(runner):
    """The file Runner.load_or_resume is loading (the hook call does not pass it)."""
    load_from = getattr(runner, '_load_from', None)
    if load_from is None and getattr(runner, '_resume', False):
        return find_latest_checkpoint(runner.work_dir) or 'checkpoint'
    return load_from or 'checkpoint'


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Raise ``CheckpointMismatchError`` when a checkpoint the Runner loads does not fit the model.

    Checks in ``after_load_checkpoint``, which the Runner calls before copying any weights. Lowest
    priority so that hooks converting the checkpoint (e.g. EMAHook) run first. tools/train.py and
    tools/test.py add it to every config's ``custom_hooks``.

    Args:
        allow_shape_mismatch (Sequence[str]): key prefixes whose shape may differ from the
            model's (e.g. a classifier re-headed for new classes); those keep mmengine's
            behaviour (skipped with a warning). Defaults to ``()``.
    """

    priority = 'LOWEST'

    def __init__(self, allow_shape_mismatch: Sequence[str] = ()) -> None:
        self.allow_shape_mismatch = tuple(allow_shape_mismatch)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_checkpoint_fits(runner.model, checkpoint, _loaded_file(runner),
                              self.allow_shape_mismatch)
