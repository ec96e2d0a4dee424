"""Checkpoint loading on torch >= 2.6: Runner-style files load, code-carrying pickles are
refused."""
import os

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint, save_checkpoint

import aw_mmdet  # noqa: F401
from aw_mmdet import CheckpointError

MARKER_ENV = 'AW_MMDET_PAYLOAD_MARKER'


class _Payload:
    """Unpickling this calls os.makedirs(marker): proof the pickle ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def _runner_style_checkpoint(path):
    hub = MessageHub.get_instance('aw_mmdet_ckpt_test')
    for v in (1.5, 1.25):
        hub.update_scalar('train/loss', v)
    hub.update_info('iter', 7)
    ckpt = dict(
        meta=dict(epoch=0, iter=7, seed=np.int64(3), time=np.float64(1.0),
                  dataset_meta=dict(classes=('a', 'b')), hook_msgs=dict(last_ckpt=str(path))),
        state_dict={'w': torch.ones(2)},
        message_hub=hub.state_dict(),
        optimizer=dict(state={}, param_groups=[dict(lr=0.01, params=[0])]),
        param_schedulers=[dict(last_step=np.int64(7), base_values=[0.02])])
    save_checkpoint(ckpt, str(path))


def test_runner_style_checkpoint_with_numpy_and_history_buffer_loads(tmp_path):
    path = tmp_path / 'iter_7.pth'
    _runner_style_checkpoint(path)
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 7 and isinstance(ckpt['meta']['seed'], np.int64)
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.data[0].tolist() == [1.5, 1.25]


def test_safe_globals_are_an_allow_list_not_trust_everything():
    entries = {(g[1] if isinstance(g, tuple) else f'{g.__module__}.{g.__qualname__}'):
               (g[0] if isinstance(g, tuple) else g)
               for g in torch.serialization.get_safe_globals()}
    assert any(n.endswith('HistoryBuffer') for n in entries)
    assert not any(n.startswith(('os.', 'subprocess', 'posix', 'sys.')) for n in entries)
    # the only builtin is a getattr restricted to HistoryBuffer's statistics methods
    builtins = {n: f for n, f in entries.items() if n.startswith(('builtins.', '__builtin__.'))}
    assert set(builtins) <= {'builtins.getattr', '__builtin__.getattr'}
    assert all(f is not getattr for f in builtins.values())


class _GetattrEscape:
    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_beyond_history_buffer_statistics_is_refused(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'meta': _GetattrEscape()}, path)
    with pytest.raises(CheckpointError, match='refusing to load checkpoint'):
        _load_checkpoint(str(path))


def test_malicious_pickle_is_refused_and_payload_never_runs(tmp_path):
    marker = tmp_path / 'payload_ran'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'w': torch.ones(1)}, 'meta': _Payload(str(marker))}, path)
    for load in (lambda: _load_checkpoint(str(path), map_location='cpu'),
                 lambda: CheckpointLoader.load_checkpoint(str(path))):
        with pytest.raises(CheckpointError, match='refusing to load checkpoint .*evil.pth'):
            load()
    assert not marker.exists()


def test_missing_truncated_and_non_checkpoint_files_name_the_file(tmp_path):
    with pytest.raises(CheckpointError, match='not found: .*nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))
    good = tmp_path / 'good.pth'
    _runner_style_checkpoint(good)
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CheckpointError, match='truncated.pth'):
        _load_checkpoint(str(truncated))
    text = tmp_path / 'notes.pth'
    text.write_text('this is not a checkpoint\n')
    with pytest.raises(CheckpointError, match='notes.pth'):
        _load_checkpoint(str(text))
