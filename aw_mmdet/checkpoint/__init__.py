"""Safe checkpoint loading for torch >= 2.6, installed on ``import aw_mmdet``."""
from .safe_globals import install_safe_globals
from .safe_loader import CheckpointError, install_safe_loader, load_checkpoint_file

install_safe_globals()
install_safe_loader()

__all__ = ['CheckpointError', 'load_checkpoint_file']
