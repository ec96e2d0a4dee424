"""The fused CPU kernel of the weight modulation (``csrc/modulation.cpp``): compiled once per
machine on first use (or by ``make setup``), cached, loaded lazily.

Where it cannot be built (no compiler or ninja, an unsupported platform) or is switched off with
``AW_MMDET_FUSED=0``, AW runs its PyTorch path; one log line says which path runs.
"""
import hashlib
import logging
import os
import os.path as osp
import sys
import time

import torch

SOURCE = osp.join(osp.dirname(osp.abspath(__file__)), 'csrc', 'modulation.cpp')

#: compiler flags per ATen CPU capability: ATen's vector types pick their width from the macros.
CAPABILITY_FLAGS = {
    'AVX512': ['-DCPU_CAPABILITY=AVX512', '-DCPU_CAPABILITY_AVX512', '-mavx512f', '-mavx512bw',
               '-mavx512vl', '-mavx512dq', '-mfma'],
    'AVX2': ['-DCPU_CAPABILITY=AVX2', '-DCPU_CAPABILITY_AVX2', '-mavx2', '-mfma', '-mf16c'],
}

_loaded = {}  # 'module': the extension or None; 'reason': why not


def _log(message, level=logging.INFO):
    from mmengine.logging import print_log
    print_log(message, logger='current', level=level)


def _build_spec():
    """(extension name, compiler flags); the name changes with the source, torch and the flags."""
    capability = torch.backends.cpu.get_cpu_capability()
    flags = ['-O3', '-fopenmp'] + CAPABILITY_FLAGS.get(capability, [])
    with open(SOURCE, 'rb') as f:
        key = hashlib.sha256(f.read() + repr((torch.__version__, sys.version_info[:2],
                                                flags)).encode()).hexdigest()[:16]
    return f'aw_modulation_{key}', flags


def cache_dir(name: str) -> str:
    root = os.environ.get('AW_MMDET_CACHE', osp.join(osp.expanduser('~'), '.cache', 'aw_mmdet'))
    return osp.join(root, 'ext', name)


def build(verbose: bool = False):
    """Compile (or load from the cache) the extension and return it; raises if it cannot."""
    from torch.utils import cpp_extension
    name, flags = _build_spec()
    directory = cache_dir(name)
    os.makedirs(directory, exist_ok=True)
    return cpp_extension.load(name, [SOURCE], extra_cflags=flags, extra_ldflags=['-fopenmp'],
                              build_directory=directory, verbose=verbose)


def kernel():
    """The loaded extension, or None where AW must take its PyTorch path (logged once)."""
    if 'module' in _loaded:
        return _loaded['module']
    module, reason = None, None
    if os.environ.get('AW_MMDET_FUSED', '1') == '0':
        reason = 'AW_MMDET_FUSED=0'
    elif not sys.platform.startswith('linux'):
        reason = f'not built on {sys.platform}'
    else:
        name, _ = _build_spec()
        cached = osp.isdir(cache_dir(name)) and any(
            f.endswith('.so') for f in os.listdir(cache_dir(name)))
        if not cached:
            _log('AW: compiling the fused CPU modulation kernel (once per machine, about a '
                 f'minute) into {cache_dir(name)}')
        start = time.time()
        try:
            module = build()
        except Exception as error:  # no compiler, no ninja, a failed build: PyTorch path
            reason = f'{type(error).__name__}: {str(error).strip().splitlines()[-1][:300]}'
        if module is not None and not cached:
            _log(f'AW: fused kernel compiled in {time.time() - start:.0f} s')
    _loaded.update(module=module, reason=reason)
    if module is not None:
        _log('AW: CPU weight modulation runs the fused kernel')
    else:
        _log(f'AW: CPU weight modulation runs the PyTorch path ({reason})', logging.WARNING
             if reason != 'AW_MMDET_FUSED=0' else logging.INFO)
    return module


if __name__ == '__main__':  # `python -m aw_mmdet.ops.fused_kernel`: build now (make setup)
    begin = time.time()
    if kernel() is None:
        print(f'aw_mmdet: fused kernel not built ({_loaded["reason"]}); AW uses its PyTorch path')
    else:
        print(f'aw_mmdet: fused kernel ready ({time.time() - begin:.0f} s)')
