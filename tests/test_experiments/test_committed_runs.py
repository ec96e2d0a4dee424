"""The committed final runs stay cached: each run config the harness builds now has the cache key
its committed result.json was recorded with (results/v3/<study>/final), so `make evidence` reads
them instead of training again."""
import json
import os.path as osp

import pytest

from experiments import DEMO_DATA, ROOT
from experiments.classification.study import ClassificationStudy
from experiments.demo import make_demo_data
from experiments.detection.study import DetectionStudy
from experiments.harness.compare import parse_args
from experiments.harness.runs import config_key


@pytest.mark.parametrize('study', [DetectionStudy(), ClassificationStudy()], ids=lambda s: s.name)
def test_final_runs_keep_their_cache_keys(study, tmp_path):
    if study.name == 'detection':
        make_demo_data(DEMO_DATA)  # what `make evidence` makes: only the splits that are missing
    out = osp.join(ROOT, 'results', 'v3', study.name, 'final')
    args = parse_args(study, ['--out', out])
    base = study.base_config(args)
    seeds = (args.seeds[0], args.seeds[-1])
    for variant in args.variants:
        for seed in seeds:
            run_dir = osp.join(out, 'runs', variant, f'seed{seed}')
            cfg = study.run_config(base, variant, seed)
            cfg.work_dir = run_dir
            cfg.dump(str(tmp_path / 'run.py'))
            with open(osp.join(run_dir, 'result.json')) as f:
                recorded = json.load(f)['config_sha256']
            assert config_key(str(tmp_path / 'run.py'), run_dir) == recorded, (variant, seed)
