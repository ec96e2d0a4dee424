"""Protocol v3's commands end to end at smoke size (docs/evidence_protocol.md section 5; seeds 900+,
so no number of the protocol's seeds exists): the calibration trains the candidates its doubling
rule asks for without reading the test split; the final runs read it and ablate the AW runs'
attention (the final runs are conftest.py's, shared with the comparison tools' tests); the
verdict tool takes both studies' final results. No accuracy is asserted."""
import json
import subprocess
import sys

import pytest

from helpers import ROOT, run_tool


def _module(*args):
    return subprocess.run([sys.executable, '-m', *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_calibration_trains_until_the_rule_chooses_and_reads_validation_only(tmp_path):
    out = tmp_path / 'calibration'
    proc = run_tool('compare_classification.py', '--quick', '--phase', 'calibration', '--seeds',
                    900, 901, '--jobs', 2, '--out', out, timeout=600)
    assert 'calibration in' in proc.stdout and 'chosen: ' in proc.stdout
    lengths = sorted(int(p.name) for p in out.iterdir())
    assert lengths in ([10], [10, 20])  # the quick candidates: 10, then 20 if the rule asks
    for length in lengths:
        results = json.loads((out / str(length) / 'results.json').read_text())
        assert results['setup']['phase'] == 'calibration' and not results['setup']['test_split']
        assert sorted((r['variant'], r['seed']) for r in results['runs']) == [
            ('stock', 900), ('stock', 901)]
        for run in results['runs']:
            assert run['test'] is None and run['ablations'] is None and run['iters'] == length
            assert run['metrics'] == run['curve'][-1][1]  # the final validation
    again = _module('experiments.harness.calibration', out)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == proc.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_final_runs_read_the_test_split_ablate_aw_and_give_the_verdicts(
        quick_detection_final, quick_classification_final):
    det, cls = quick_detection_final[0], quick_classification_final[0]
    for out, test_images, shuffle in ((det, 3, 'previous'), (cls, 24, 'next')):
        results = json.loads((out / 'results.json').read_text())
        assert results['setup']['phase'] == 'final' and results['setup']['test_split']
        runs = {r['variant']: r for r in results['runs']}
        assert runs['stock']['ablations'] is None
        ablations = runs['aw']['ablations']
        assert sorted(ablations['metrics']) == ['full', 'mean', 'off', 'shuffled']
        assert ablations['metrics']['full'] == pytest.approx(runs['aw']['test'])
        assert (ablations['test_images'], ablations['shuffle']) == (test_images, shuffle)
        assert set(ablations['variation']) == set(runs['aw']['attention']['stages'])
        report = (out / 'report.md').read_text()
        assert '| aw - stock |' in report and '| aw: full - shuffled |' in report
    verdict = _module('experiments.harness.verdict', det / 'results.json', cls / 'results.json')
    assert verdict.returncode == 0, verdict.stderr
    assert verdict.stdout.count('aw - stock') == 2 and 'Recipe rule' in verdict.stdout
