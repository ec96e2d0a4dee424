from .cli import add_common_args, build_runner, load_config, set_local_rank
from .dataset_check import DatasetFilesError, check_dataset_files
from .input_checks import add_checkpoint_fit_hook, enable_input_checks, use_checked_datasets

__all__ = ['DatasetFilesError', 'add_checkpoint_fit_hook', 'add_common_args', 'build_runner',
           'check_dataset_files', 'enable_input_checks', 'load_config', 'set_local_rank',
           'use_checked_datasets']
