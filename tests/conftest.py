"""Makes the shared helper modules in tests/ (helpers.py, aw_reference.py, the custom_imports
hooks fault_injection_hook.py and param_checksum_hook.py) importable from every test folder."""
import os.path as osp
import sys

TESTS_DIR = osp.dirname(osp.abspath(__file__))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)
