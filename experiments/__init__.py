"""Measurements and the demo around the plugin, not installed with it: ``harness/`` with the
studies in ``detection/`` and ``classification/`` (tools/compare*.py), ``benchmark/``
(tools/benchmark.py) and ``demo/`` (tools/demo.py). They run this checkout's code and configs, so
they import from the repository, which the editable install (``make setup``) puts on the path.
"""
import os.path as osp

#: the repository root: configs/, tools/ and data/ are found from here
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: the demo's COCO-format digits (tools/make_demo_data.py)
DEMO_DATA = osp.join(ROOT, 'data', 'aw_demo')
