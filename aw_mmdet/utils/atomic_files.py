"""Atomic, durable file replacement: a reader (or a resumed run) sees either the old complete file
or the new complete one, never a truncated mix, whenever the writing process is killed."""
import os
import os.path as osp

PARTIAL_TAG = '.partial-'


def partial_path(path):
    """Where a writer puts ``path``'s bytes until they are complete.

    Same directory, so the final rename never crosses a filesystem (and so is atomic); a hidden
    name that no ``*.pth`` glob or ``last_checkpoint`` pointer matches; the writer's pid, so two
    writers never share one.
    """
    head, name = osp.split(path)
    return osp.join(head, f'.{name}{PARTIAL_TAG}{os.getpid()}')


def is_partial_name(name):
    """True for names made by :func:`partial_path` (what a killed writer leaves behind)."""
    stem, tag, pid = name.rpartition(PARTIAL_TAG)
    return name.startswith('.') and bool(stem) and bool(tag) and pid.isdigit()


def fsync_path(path):
    """Flush a file's (or a directory's entries') data to disk; the page cache survives a killed
    process, but not a power cut or a kernel crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(partial, final):
    """Publish ``partial``'s complete bytes as ``final`` in one step: fsync the data, rename over
    ``final`` (atomic on POSIX), fsync the directory so the rename itself is on disk."""
    fsync_path(partial)
    os.replace(partial, final)
    fsync_path(osp.dirname(osp.abspath(final)))


def remove_partials(directory):
    """Delete what killed writers left in ``directory``; return the removed names (sorted)."""
    if not osp.isdir(directory):
        return []
    removed = sorted(name for name in os.listdir(directory) if is_partial_name(name)
                     and osp.isfile(osp.join(directory, name)))
    for name in removed:
        os.remove(osp.join(directory, name))
    return removed
