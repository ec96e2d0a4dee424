"""Safe checkpoint loading for torch >= 2.6, installed on ``import aw_mmdet``, and the check that a
checkpoint fits the model it is loaded into."""
from .checked_init_detector import init_detector
from .fit_check import CheckpointMismatchError, check_checkpoint_fits, load_checkpoint_checked
from .safe_globals import install_safe_globals
from .safe_loader import CheckpointError, install_safe_loader, load_checkpoint_file

install_safe_globals()
install_safe_loader()

__all__ = ['CheckpointError', 'CheckpointMismatchError', 'check_checkpoint_fits', 'init_detector',
           'load_checkpoint_checked', 'load_checkpoint_file']
