"""Process setup and small helpers for tools/train.py and tools/test.py: config and CLI glue,
dataset-file and input checks, glibc malloc tuning, atomic file replacement."""
from .atomic_files import commit, partial_path, remove_partials
from .cli import add_common_args, build_runner, load_config, set_local_rank
from .cpu_malloc import tune_glibc_malloc
from .dataset_check import DatasetFilesError, check_dataset_files
from .input_checks import add_checkpoint_fit_hook, enable_input_checks, use_checked_datasets

__all__ = ['DatasetFilesError', 'add_checkpoint_fit_hook', 'add_common_args', 'build_runner',
           'check_dataset_files', 'commit', 'enable_input_checks', 'load_config',
           'partial_path', 'remove_partials', 'set_local_rank', 'tune_glibc_malloc',
           'use_checked_datasets']
