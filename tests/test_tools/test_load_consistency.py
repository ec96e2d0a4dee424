"""Load: tools/test.py over a generated val set gives the same detections per image with batch
size 1, 2 and 4 (all images are 128x128, so batching adds no padding; see docs/reliability.md
"## Load" for what padding would change), and 300 inference iterations do not grow memory."""
import pickle
import statistics
import subprocess
import sys

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.runner.checkpoint import save_checkpoint

import aw_mmdet  # noqa: F401
from aw_mmdet import AWConv2d
from aw_reference import randomise_attention
from helpers import DEMO_CONFIG, ROOT, load_config, load_tool, make_tiny_data, tiny_options

NUM_VAL = 8
# Batching changes only float summation order: boxes agree to 1e-3 px, scores to 1e-5.
BOX_ATOL, SCORE_ATOL = 1e-3, 1e-5


def _aw_model_with_fixed_random_attention():
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(load_config(DEMO_CONFIG).model)
    model.init_weights()
    gen = torch.Generator().manual_seed(0)
    convs = [m for m in model.modules() if isinstance(m, AWConv2d)]
    assert convs
    for conv in convs:
        randomise_attention(conv, gen, scale=0.2)  # attention far from identity
    return model


def _run_test_tool(config_args):
    load_tool('test.py').main(config_args)


@pytest.mark.slow
def test_detections_per_image_do_not_depend_on_batch_size(tmp_path):
    data = tmp_path / 'data'
    make_tiny_data(data, num_train=1, num_val=NUM_VAL)
    ckpt = tmp_path / 'aw_random_attention.pth'
    state_dict = _aw_model_with_fixed_random_attention().state_dict()
    save_checkpoint(dict(meta=dict(epoch=0, iter=0), state_dict=state_dict), str(ckpt))
    results = {}
    for batch in (1, 2, 4):
        out = tmp_path / f'dets_b{batch}.pkl'
        _run_test_tool([DEMO_CONFIG, str(ckpt), '--work-dir', str(tmp_path / f'w{batch}'),
                        '--out', str(out), '--cfg-options', *tiny_options(data),
                        f'test_dataloader.batch_size={batch}',
                        'model.test_cfg.rcnn.score_thr=0.0'])
        with open(out, 'rb') as f:
            results[batch] = {r['img_id']: r['pred_instances'] for r in pickle.load(f)}
    assert len(results[1]) == NUM_VAL
    total = 0
    for batch in (2, 4):
        assert set(results[batch]) == set(results[1])
        for img_id, ref in results[1].items():
            got = results[batch][img_id]
            assert len(got['bboxes']) == len(ref['bboxes']) > 0, (batch, img_id)
            torch.testing.assert_close(got['bboxes'], ref['bboxes'], atol=BOX_ATOL, rtol=0)
            torch.testing.assert_close(got['scores'], ref['scores'], atol=SCORE_ATOL, rtol=0)
            assert torch.equal(got['labels'], ref['labels'])
            total += len(ref['bboxes'])
    print(f'compared {total} detections over {NUM_VAL} images, batch 2 and 4 against batch 1')


MEMORY_SCRIPT = r'''
import sys, json
import torch
sys.path[:0] = [sys.argv[1] + '/tests/test_tools', sys.argv[1] + '/tests', sys.argv[1]]
import aw_mmdet
from test_load_consistency import _aw_model_with_fixed_random_attention
from mmdet.structures import DetDataSample

def rss_mib():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

torch.set_num_threads(1)
model = _aw_model_with_fixed_random_attention().eval()
gen = torch.Generator().manual_seed(0)
rss = []
with torch.no_grad():
    for i in range(300):
        image = (torch.rand(3, 64, 64, generator=gen) * 255).to(torch.uint8)
        sample = DetDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64),
                                             scale_factor=(1., 1.)))
        model.test_step(dict(inputs=[image], data_samples=[sample]))
        if i % 10 == 9:
            rss.append(rss_mib())
print(json.dumps(rss))
'''


@pytest.mark.slow
def test_memory_stays_flat_over_300_inference_iterations(tmp_path):
    """RSS sampled every 10 iterations; after a 100-iteration warm-up the median RSS of the last
    50 iterations may exceed that of iterations 100-150 by at most 16 MiB (malloc makes single
    samples jump by tens of MiB; a leak of one 64x64x128 feature map per iteration would add
    300 MiB over 150 iterations)."""
    script = tmp_path / 'memory_probe.py'
    script.write_text(MEMORY_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), ROOT], capture_output=True, text=True,
                          timeout=300, env={'OMP_NUM_THREADS': '1', 'PATH': '/usr/bin:/bin'})
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json
    rss = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(rss) == 30
    early, late = statistics.median(rss[10:15]), statistics.median(rss[25:30])
    print(f'RSS MiB: it100-150 {early:.1f}, it250-300 {late:.1f}, max {max(rss):.1f}')
    assert late - early <= 16.0, rss
