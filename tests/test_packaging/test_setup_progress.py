"""scripts/setup.sh's progress helpers (the block between its "progress helpers" markers), run in
bash with fake builds at a 1 s interval: progress lines count ninja's [N/M] lines or, without
them, object files; the build's exit status comes back; stop_build also stops what it started."""
import os
import re
import subprocess

import pytest

from helpers import ROOT

SETUP = os.path.join(ROOT, 'scripts', 'setup.sh')


def _helpers():
    text = open(SETUP).read()
    block = re.search(r'^# --- progress helpers.*?^# --- end of progress helpers ---$', text,
                      flags=re.S | re.M)
    assert block, 'setup.sh lost its progress helpers markers'
    return block.group(0)


def _bash(script, tmp_path, timeout=30):
    env = dict(os.environ, AW_MMDET_PROGRESS_EVERY='1', DIR=str(tmp_path))
    return subprocess.run(['bash', '-c', 'set -euo pipefail\n' + _helpers() + '\n' + script],
                          env=env, capture_output=True, text=True, timeout=timeout)


def test_progress_lines_from_ninja_log_and_exit_status(tmp_path):
    fake = 'for i in 1 2 3 4; do echo "  [$i/4] c++ -c s$i.cpp"; sleep 1; done; exit 3'
    proc = _bash(f'rc=0; run_with_progress "$DIR/log" "$DIR" bash -c \'{fake}\' || rc=$?\n'
                 'echo "rc=$rc"', tmp_path)
    lines = [line for line in proc.stdout.splitlines() if line.startswith('setup: mmcv build')]
    assert len(lines) >= 2, proc.stdout + proc.stderr
    for line in lines:
        assert re.fullmatch(r'setup: mmcv build: 0 min 0\d s elapsed, [0-4] of 4 op sources '
                            r'compiled', line), line
    assert 'rc=3' in proc.stdout


def test_progress_counts_object_files_without_ninja_lines(tmp_path):
    fake = 'for i in 1 2 3; do touch "$DIR/s$i.o"; sleep 1; done'
    proc = _bash(f'run_with_progress "$DIR/log" "$DIR" bash -c \'{fake}\'; echo "rc=$?"',
                 tmp_path)
    counts = [int(m) for m in re.findall(r'elapsed, (\d) op sources compiled', proc.stdout)]
    assert counts and counts == sorted(counts) and counts[-1] >= 2, proc.stdout + proc.stderr
    assert 'rc=0' in proc.stdout


@pytest.mark.skipif(not any(os.access(os.path.join(d, 'setsid'), os.X_OK)
                            for d in os.environ.get('PATH', '').split(os.pathsep)),
                    reason='no setsid: stop_build then stops only the build command itself')
def test_interrupted_setup_stops_the_whole_build(tmp_path):
    fake = 'sleep 60 & echo $! > "$DIR/compiler.pid"; wait'
    proc = _bash('trap \'stop_build; exit 130\' TERM\n'
                 '( sleep 2; kill -TERM $$ ) &\n'
                 f'run_with_progress "$DIR/log" "$DIR" bash -c \'{fake}\'', tmp_path)
    assert proc.returncode == 130, proc.stdout + proc.stderr
    pid = int((tmp_path / 'compiler.pid').read_text())
    for _ in range(50):  # the signal is delivered asynchronously
        if not os.path.exists(f'/proc/{pid}') or 'Z' in _state(pid):
            break
        subprocess.run(['sleep', '0.1'])
    assert not os.path.exists(f'/proc/{pid}') or 'Z' in _state(pid), 'compiler still running'


def _state(pid):
    try:
        return open(f'/proc/{pid}/stat').read().split(')')[-1].split()[0]
    except OSError:
        return 'Z'
