"""Measurements and the demo around the plugin: not part of the installed aw_mmdet package.

``harness/`` (the comparison behind tools/compare.py and tools/compare_classification.py, with
the studies in ``evidence/`` and ``classification/``), ``benchmark/`` (tools/benchmark.py) and
``demo/`` (tools/demo.py, tools/make_demo_data.py). They need matplotlib and scikit-learn
(requirements.txt) and run code and configs of this checkout, so they are imported from the
repository: the editable install (``make setup``, ``pip install -e .``) puts its root on
``sys.path``.
"""
import os.path as osp

#: the repository root: configs/, tools/ and data/ are found from here
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: the demo's COCO-format digits (tools/make_demo_data.py)
DEMO_DATA = osp.join(ROOT, 'data', 'aw_demo')
