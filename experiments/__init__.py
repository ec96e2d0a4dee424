"""Measurements and the demo around the plugin: not part of the installed aw_mmdet package.

``harness/`` (behind tools/compare.py and tools/compare_classification.py, with the studies in
``evidence/`` and ``classification/``), ``benchmark/`` (tools/benchmark.py) and ``demo/``
(tools/demo.py, tools/make_demo_data.py). They need matplotlib and scikit-learn and run this
checkout's code and configs, so they are imported from the repository, whose root the editable
install (``make setup``) puts on ``sys.path``.
"""
import os.path as osp

#: the repository root: configs/, tools/ and data/ are found from here
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: the demo's COCO-format digits (tools/make_demo_data.py)
DEMO_DATA = osp.join(ROOT, 'data', 'aw_demo')
