"""The environment `make setup` builds is one pip accepts: every installed distribution's
requirements are met (where one is not, setup prints pip's resolver ERROR, and a later
``pip install`` may change what the tests run on)."""
import subprocess
import sys


def test_installed_requirements_are_consistent():
    proc = subprocess.run([sys.executable, '-m', 'pip', '--disable-pip-version-check', 'check'],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
