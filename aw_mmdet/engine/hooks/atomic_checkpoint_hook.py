"""mmengine's CheckpointHook, with checkpoints and the ``last_checkpoint`` pointer replaced
atomically, so a training process killed at any moment leaves only complete checkpoints."""
import os
import os.path as osp
from contextlib import contextmanager

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from aw_mmdet.utils.atomic_files import commit, partial_path, remove_partials

POINTER = 'last_checkpoint'  # the file name mmengine's find_latest_checkpoint reads
STAGING_DIR = '.last_checkpoint.staging'


class _AtomicSaveRunner:
    """The runner as the stock hook's save methods see it here.

    ``save_checkpoint`` writes to a partial file and commits it only once complete; ``work_dir``
    is a staging directory, so the stock hook's in-place write of ``last_checkpoint`` lands where
    nothing reads it until :meth:`AtomicCheckpointHook._commit_pointer` renames it into place.
    Everything else is the real runner.
    """

    def __init__(self, runner):
        self._runner = runner
        self.work_dir = osp.join(runner.work_dir, STAGING_DIR)
        self.committed = set()
        if is_main_process():
            os.makedirs(self.work_dir, exist_ok=True)

    def __getattr__(self, name):
        return getattr(self._runner, name)

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        final = osp.join(out_dir, filename)
        partial = partial_path(final)
        try:
            self._runner.save_checkpoint(out_dir, osp.basename(partial), *args, **kwargs)
            if is_main_process():  # Runner.save_checkpoint writes on the main process only
                commit(partial, final)
        finally:
            if osp.exists(partial):  # the save raised (disk full...): leave no debris
                os.remove(partial)
        self.committed.add(osp.abspath(final))


class _DeferredRemovals:
    """The hook's file backend while a save runs: outdated checkpoints (``max_keep_ckpts``, the
    previous best) are deleted only after the new checkpoint is committed. The stock hook deletes
    them first, so with ``max_keep_ckpts=1`` a crash mid-save would leave no checkpoint at all."""

    def __init__(self, backend):
        self._backend = backend
        self._pending = []

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def remove(self, path):
        self._pending.append((self._backend.remove, path))

    def rmtree(self, path):
        self._pending.append((self._backend.rmtree, path))

    def run(self, keep=()):
        for remove, path in self._pending:
            if osp.abspath(path) not in keep:  # never delete what this save just wrote
                remove(path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """Stock ``CheckpointHook`` (same options, file names, retention), but crash-safe.

    mmengine writes ``iter_N.pth`` / ``epoch_N.pth`` and ``last_checkpoint`` in place, so a kill
    mid-write leaves a truncated file, or a truncated pointer that ``--resume`` then fails on.
    Here each file is written to a hidden partial file in the same directory, fsynced, renamed
    over its target (``os.replace``), and the directory fsynced; the pointer is updated the same
    way after the checkpoint it names is on disk; outdated checkpoints are deleted last. A partial
    file left by a killed save is never read, and is removed when training starts again.
    Remote ``out_dir`` backends (petrel, s3, ...) have no atomic rename: there the hook is stock.

    Args:
        **kwargs: exactly mmengine's ``CheckpointHook`` arguments, with its defaults: e.g.
            ``interval`` (int, defaults to -1: never), ``by_epoch`` (bool, defaults to True),
            ``max_keep_ckpts`` (int, defaults to -1: keep all), ``save_last`` (bool, defaults
            to True), ``save_best`` (str or list, defaults to None), ``out_dir`` (defaults to
            the work dir), ``backend_args`` (dict, defaults to None: local files).
    """

    def before_train(self, runner):
        super().before_train(runner)
        if self._atomic() and is_main_process():
            dirs = {self.out_dir, runner.work_dir, osp.join(runner.work_dir, STAGING_DIR)}
            for directory in sorted(dirs):
                for name in remove_partials(directory):
                    runner.logger.info(f'Removed {osp.join(directory, name)}, left by a save '
                                       'that was interrupted.')

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._atomic():
            return super()._save_checkpoint_with_step(runner, step, meta)
        with self._atomic_save(runner) as view:
            super()._save_checkpoint_with_step(view, step, meta)
            self._commit_pointer(view)

    def _save_best_checkpoint(self, runner, metrics):
        if not self._atomic():
            return super()._save_best_checkpoint(runner, metrics)
        with self._atomic_save(runner) as view:
            super()._save_best_checkpoint(view, metrics)

    @contextmanager
    def _atomic_save(self, runner):
        """Yield the runner view; run the deferred deletions once the save succeeded. Nested
        saves (the stock best-checkpoint save calls the periodic one) share one view."""
        if isinstance(runner, _AtomicSaveRunner):
            yield runner
            return
        view, backend = _AtomicSaveRunner(runner), self.file_backend
        self.file_backend = deferred = _DeferredRemovals(backend)
        try:
            yield view
        finally:
            self.file_backend = backend
        deferred.run(keep=view.committed)

    def _commit_pointer(self, view):
        if is_main_process():
            staged = osp.join(view.work_dir, POINTER)
            commit(staged, osp.join(view._runner.work_dir, POINTER))

    def _atomic(self):
        backend = getattr(self.file_backend, 'client', self.file_backend)  # FileClient wraps
        return isinstance(backend, (LocalBackend, _DeferredRemovals))
