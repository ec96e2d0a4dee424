"""Training time recovered from an mmengine-style log against the per-iteration durations that
produced it (the log holds only moving averages over 50 iterations, printed every 10)."""
import numpy as np
import pytest

from experiments.harness.train_time import train_seconds


def _log(durations, window=50, interval=10, total=None):
    """The ``Iter(train)`` lines mmengine's LogProcessor writes for these per-iteration times."""
    total = total or len(durations)
    lines = []
    for i in range(interval, len(durations) + 1, interval):
        mean = np.mean(durations[max(0, i - window):i])
        lines.append(f'11/29 17:35:44 - mmengine - INFO - Iter(train) [{i:4d}/{total}]  '
                     f'lr: 2.0000e-03  eta: 0:09:03  time: {mean:.4f}  data_time: 0.0072  '
                     f'loss: 2.4257')
        if i % 90 == 0:
            lines.append('11/29 17:36:44 - mmengine - INFO - Iter(val) [25/25]    '
                         'coco/bbox_mAP: 0.5380  time: 9.1000')
    return '\n'.join(lines)


def test_the_sum_of_the_durations_comes_back():
    durations = np.random.default_rng(0).uniform(0.5, 0.9, 1080)
    seconds, paused = train_seconds(_log(durations))
    assert paused == 0
    assert seconds == pytest.approx(durations.sum(), rel=1e-4)


def test_a_pause_is_left_out():
    durations = np.random.default_rng(1).uniform(0.5, 0.9, 1080)
    with_pause = durations.copy()
    with_pause[70] += 5199.0  # SIGSTOP during iteration 71
    with_pause[371] += 690.0
    seconds, paused = train_seconds(_log(with_pause))
    assert paused == 2
    # the paused windows count as the median window: within a few iterations' time of the truth
    assert seconds == pytest.approx(durations.sum(), abs=2 * 50 * 0.2)
    assert seconds < durations.sum() + 100


def test_only_the_last_attempt_of_a_restarted_run_counts():
    first = np.full(300, 5.0)
    second = np.random.default_rng(2).uniform(0.5, 0.9, 1080)
    text = _log(first, total=1080) + '\n' + _log(second)
    assert train_seconds(text)[0] == pytest.approx(second.sum(), rel=1e-4)


def test_a_log_without_training_lines_or_with_gaps_is_refused():
    with pytest.raises(ValueError, match='Iter\\(train\\)'):
        train_seconds('11/29 17:36:44 - mmengine - INFO - Iter(val) [25/25]  time: 9.1')
    text = _log(np.full(200, 0.5)).replace('[ 150/200]', '[ 151/200]')
    with pytest.raises(ValueError, match='not logged'):
        train_seconds(text)


def test_the_window_comes_from_the_config_the_log_starts_with():
    durations = np.random.default_rng(3).uniform(0.5, 0.9, 400)
    text = _log(durations, window=20)
    assert train_seconds(text)[0] != pytest.approx(durations.sum(), rel=1e-3)  # read as 50
    logged = "Config:\nlog_processor = dict(by_epoch=False, window_size=20)\n" + text
    assert train_seconds(logged)[0] == pytest.approx(durations.sum(), rel=1e-4)


def test_the_report_gives_the_training_time_of_paused_runs(tmp_path):
    from experiments.evidence.study import DetectionStudy
    from experiments.harness.report import markdown, summarize
    durations = np.full(1080, 0.6)
    durations[70] += 5000.0
    runs = []
    for seed in (0, 1):
        run_dir = tmp_path / f'seed{seed}'
        run_dir.mkdir()
        (run_dir / 'train.log').write_text(_log(durations))
        final = {'coco/bbox_mAP': 0.5, 'coco/bbox_mAP_50': 0.8}
        runs.append(dict(variant='stock', seed=seed, wall_seconds=5700.0, run_dir=str(run_dir),
                         metrics=final, curve=[(1080, final)], attention=None))
    summary = summarize(DetectionStudy(), runs)
    assert summary['variants']['stock']['train_seconds']['mean'] == pytest.approx(648.0)
    assert '| 5700 ± 0 | 648 ± 0 |' in markdown(summary)
    (tmp_path / 'seed1' / 'train.log').unlink()  # one log missing: no training time at all
    assert summarize(DetectionStudy(), runs)['variants']['stock']['train_seconds'] is None
