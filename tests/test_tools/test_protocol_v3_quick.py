"""Protocol v3's final runs and verdict end to end at smoke size (docs/evidence_protocol.md section
5; seeds 900+, so no number of the protocol's seeds exists): the final runs read the test split and
ablate the AW runs' attention (the runs are conftest.py's, shared with the comparison tools'
tests); the verdict tool takes both studies' final results. No accuracy is asserted."""
import json
import subprocess
import sys

import pytest

from helpers import ROOT


def _module(*args):
    return subprocess.run([sys.executable, '-m', *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


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
