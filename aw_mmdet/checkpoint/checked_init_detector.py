"""mmdet's ``init_detector`` with the fit check of fit_check.py (mmdet loads with strict=False and
only warns on a checkpoint for another architecture)."""
from mmengine.runner.checkpoint import _load_checkpoint

from .fit_check import check_checkpoint_fits


def init_detector(config, checkpoint=None, allow_shape_mismatch=(), **kwargs):
    """Same arguments and result as ``mmdet.apis.init_detector``; raises CheckpointMismatchError.

    The check reads the checkpoint a second time (mmdet's function takes only a path); detector
    checkpoints are small next to the model build, and this keeps mmdet's meta handling intact.
    """
    from mmdet.apis import init_detector as mmdet_init_detector
    model = mmdet_init_detector(config, checkpoint, **kwargs)
    if checkpoint is not None:
        check_checkpoint_fits(model, _load_checkpoint(checkpoint, map_location='cpu'), checkpoint,
                              allow_shape_mismatch)
    return model
