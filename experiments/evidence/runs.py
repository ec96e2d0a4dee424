"""One (variant, seed) run end to end, with its result cached in its work dir: an interrupted
evidence run continues where it stopped, and a variant added later reuses the finished ones."""
import json
import os
import os.path as osp
from dataclasses import asdict

from .attention_stats import attention_stats
from .run_config import run_config
from .training import last_checkpoint, train, validation_curve


def run_one(demo_config, variant, seed, schedule, data_root, out_dir, depth=None, workers=None,
            attention_images=8, rerun=False):
    """Train and measure one run; return its result dict (also saved as result.json)."""
    work_dir = osp.abspath(osp.join(out_dir, 'runs', variant, f'seed{seed}'))
    result_path = osp.join(work_dir, 'result.json')
    setup = dict(variant=variant, seed=seed, schedule=asdict(schedule), depth=depth,
                 data_root=osp.abspath(data_root))
    os.makedirs(work_dir, exist_ok=True)
    config = run_config(demo_config, variant, seed, schedule, data_root, work_dir, depth, workers)
    with open(config) as f:
        # what ran, wherever it ran: a changed demo config invalidates the cached result
        setup['config_text'] = f.read().replace(work_dir, '<work_dir>')
    if not rerun and osp.isfile(result_path):
        with open(result_path) as f:
            cached = json.load(f)
        if cached.get('setup') == setup:
            return _with_stage_attention(cached, config, data_root, attention_images, result_path)
    seconds, log = train(config, work_dir)
    checkpoint = last_checkpoint(work_dir)
    result = dict(setup=setup, variant=variant, seed=seed, seconds=seconds, log=log,
                  checkpoint=checkpoint, curve=validation_curve(work_dir),
                  attention=attention_stats(config, checkpoint, osp.join(data_root, 'val'),
                                            attention_images))
    dynamics = osp.join(work_dir, 'attention_dynamics.jsonl')
    if osp.isfile(dynamics):
        with open(dynamics) as f:
            result['dynamics'] = [json.loads(line) for line in f if line.strip()]
    with open(result_path, 'w') as f:
        json.dump(result, f, indent=1)
    return result


def _with_stage_attention(result, config, data_root, attention_images, result_path):
    """A result cached before |A - 1| was measured per stage gets it from its checkpoint (the
    same images, the same model): cached runs stay reusable when the report grows."""
    attention = result.get('attention')
    if attention is None or 'stages' in attention or not osp.isfile(result['checkpoint']):
        return result
    result['attention'] = attention_stats(config, result['checkpoint'],
                                          osp.join(data_root, 'val'), attention_images)
    with open(result_path, 'w') as f:
        json.dump(result, f, indent=1)
    return result
