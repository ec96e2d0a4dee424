"""Measurements and the demo around the plugin: not part of the installed aw_mmdet package.

``benchmark/`` (tools/benchmark.py), ``evidence/`` (tools/compare.py) and ``demo/``
(tools/demo.py, tools/make_demo_data.py). They need matplotlib and scikit-learn (requirements.txt)
and run tools/train.py from this checkout, so they are imported from the repository: the editable
install (``make setup``, ``pip install -e .``) puts the repository root on ``sys.path``.
"""
