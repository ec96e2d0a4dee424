"""This process's resident memory on Linux: current (VmRSS), peak (VmHWM), and a reset of the peak,
so one process can measure the peaks of several steps in turn."""
import ctypes
import ctypes.util
import gc
import resource


def status_mib(field):
    """A /proc/self/status field (VmRSS, VmHWM) in MiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise OSError(f'{field} not in /proc/self/status')


def peak_rss_mib():
    """VmHWM of this process. Not ru_maxrss: Linux carries the parent's high-water mark across
    fork+exec into ru_maxrss, so a probe started from a big benchmark process reported the parent's
    peak (the same 8982 MiB for every probe)."""
    try:
        return status_mib('VmHWM')
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def release_free_heap():
    """Collect garbage and hand glibc's free heap back to the kernel (malloc_trim), so memory the
    last step freed is not resident when the next step's peak is read."""
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: freed memory may stay resident
        pass


def reset_peak():
    """Set VmHWM to the current RSS (``/proc/self/clear_refs`` = 5, Linux >= 4.0); return whether
    it worked."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False
