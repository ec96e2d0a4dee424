"""Import tools/make_demo_data.py as a module (tools/ is scripts, not a package)."""
import importlib.util
import os.path as osp

from helpers import ROOT

_spec = importlib.util.spec_from_file_location(
    'make_demo_data_tool', osp.join(ROOT, 'tools', 'make_demo_data.py'))
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
make_demo_data = _module.make_demo_data
