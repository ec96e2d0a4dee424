"""The installable package is the plugin alone: the wheel setup.py builds holds ``aw_mmdet/`` and
its metadata (no experiments/, tools/, tests/); every module in it imports from the unpacked wheel
(with the installed mmdet, nothing from this checkout); every third-party module it imports is a
requirement the wheel declares."""
import ast
import json
import os.path as osp
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from helpers import ROOT

# top-level import name -> distribution name, for what the shipped code may import
DISTRIBUTION_OF = {'torch': 'torch', 'mmengine': 'mmengine', 'mmcv': 'mmcv', 'mmdet': 'mmdet',
                   'numpy': 'numpy', 'pycocotools': 'pycocotools'}
NOT_COPIED = ('.git', '.venv', 'work_dirs', 'data', 'build', 'dist', '*.egg-info', '__pycache__',
              '.pytest_cache', '.hypothesis', '.ruff_cache')

IMPORT_EVERYTHING = r'''
import importlib, json, os, sys
wheel_dir, root, names = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
sys.path[:] = [wheel_dir] + [p for p in sys.path if p and os.path.realpath(p) != root]
files = {name: importlib.import_module(name).__file__ for name in names}
try:
    import experiments  # noqa: F401
    files['experiments'] = experiments.__file__
except ImportError:
    pass
print(json.dumps(files))
'''


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    """(zip file, unpacked directory) of ``pip wheel`` on a clean copy of the checkout (a build in
    place would reuse whatever an earlier build left in build/)."""
    tmp = tmp_path_factory.mktemp('wheel')
    source = tmp / 'source'
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
    cmd = [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation',
           '--disable-pip-version-check', '-w', str(tmp / 'dist'), str(source)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (path,) = (tmp / 'dist').glob('aw_mmdet-*.whl')
    unpacked = tmp / 'unpacked'
    with zipfile.ZipFile(path) as zf:
        zf.extractall(unpacked)
        names = zf.namelist()
    return names, unpacked


def _modules(names):
    return sorted(n[:-len('.py')].replace('/', '.').removesuffix('.__init__')
                  for n in names if n.endswith('.py'))


def test_wheel_ships_the_plugin_only(wheel):
    names, _ = wheel
    tops = {n.split('/')[0] for n in names}
    assert {t for t in tops if not t.endswith('.dist-info')} == {'aw_mmdet'}, tops
    modules = _modules(names)
    for package in ('aw_mmdet.ops', 'aw_mmdet.models', 'aw_mmdet.engine.hooks',
                    'aw_mmdet.checkpoint', 'aw_mmdet.datasets', 'aw_mmdet.utils'):
        assert package in modules, package
    assert 'aw_mmdet/ops/csrc/modulation.cpp' in names  # the fused kernel compiles from it
    gone = ('benchmark', 'evidence', 'demo', 'analysis', 'runner', 'runtime')
    assert not [m for m in modules if m.split('.')[1:2] and m.split('.')[1] in gone]


def test_every_shipped_module_imports_from_the_wheel(wheel):
    names, unpacked = wheel
    modules = _modules(names)
    proc = subprocess.run([sys.executable, '-c', IMPORT_EVERYTHING, str(unpacked), ROOT, *modules],
                          cwd=str(unpacked), capture_output=True, text=True, timeout=300,
                          env={'PATH': '/usr/bin:/bin', 'OMP_NUM_THREADS': '1'})
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 'experiments' not in files, files.get('experiments')
    for module, path in files.items():
        assert osp.realpath(path).startswith(osp.realpath(unpacked) + osp.sep), (module, path)
    assert len(files) == len(modules) > 20


def test_every_third_party_import_is_a_declared_requirement(wheel):
    names, unpacked = wheel
    (metadata,) = [n for n in names if n.endswith('.dist-info/METADATA')]
    text = (unpacked / metadata).read_text()
    required = {re.split(r'[ <>=!~;\[]', line.split(':', 1)[1].strip())[0].lower()
                for line in text.splitlines() if line.startswith('Requires-Dist:')}
    imported = set()
    for name in names:
        if name.endswith('.py'):
            tree = ast.parse((unpacked / name).read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    imported.update(a.name.split('.')[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    imported.add(node.module.split('.')[0])
    third_party = imported - set(sys.stdlib_module_names) - {'aw_mmdet'}
    undeclared = {m for m in third_party if DISTRIBUTION_OF.get(m) not in required}
    assert not undeclared, f'imported by aw_mmdet but not in install_requires: {undeclared}'
