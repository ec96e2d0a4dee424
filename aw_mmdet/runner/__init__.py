from .cli import add_common_args, build_runner, load_config, set_local_rank
from .dataset_check import DatasetFilesError, check_dataset_files

__all__ = ['DatasetFilesError', 'add_common_args', 'build_runner', 'check_dataset_files',
           'load_config', 'set_local_rank']
