"""The CPU demo (`make demo`): generate the digits dataset if missing, train the AW-ResNet Faster
R-CNN of configs/demo with tools/train.py, evaluate with tools/test.py (stock CocoMetric) while
painting predictions, and draw the learned AW attention. Outputs in work_dirs/demo/."""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time

from experiments import DEMO_DATA, ROOT
from experiments.demo import make_demo_data

CONFIG = osp.join(ROOT, 'configs', 'demo', 'faster_rcnn_aw_demo.py')


def run(cmd):
    """Run a tool, streaming its log; return the log text."""
    print('+', ' '.join(cmd), flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    if proc.wait() != 0:
        raise SystemExit(f'demo: {osp.basename(cmd[1])} failed (exit {proc.returncode})')
    return ''.join(lines)


def coco_metrics(log):
    found = re.findall(r'coco/(bbox_mAP(?:_50|_75|_s|_m|_l)?): (-?[\d.]+)', log)
    return {k: float(v) for k, v in found}


def draw_attention(work_dir, checkpoint, out_dir):
    from mmdet.apis import inference_detector, init_detector

    from experiments.demo.attention_figure import capture_attention, plot_attention
    model = init_detector(CONFIG, checkpoint, device='cpu')
    image = osp.join(DEMO_DATA, 'val', '000001.jpg')
    maps = capture_attention(model, lambda: inference_detector(model, image))
    os.makedirs(out_dir, exist_ok=True)
    return plot_attention(maps, osp.join(out_dir, 'attention_val_000001.png'),
                          title=f'AW attention on val/000001.jpg ({osp.basename(checkpoint)})')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'demo'))
    parser.add_argument('--cfg-options', nargs='+', default=[], help='passed to train.py')
    args = parser.parse_args(argv)
    start = time.time()
    make_demo_data(DEMO_DATA)
    work_dir = osp.abspath(args.work_dir)
    py = sys.executable
    # tools/test.py evaluates right after training, so the in-training validation is skipped
    run([py, osp.join(ROOT, 'tools', 'train.py'), CONFIG, '--work-dir', work_dir,
         '--cfg-options', 'train_cfg.val_begin=1000000000', *args.cfg_options])
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    test_log = run([py, osp.join(ROOT, 'tools', 'test.py'), CONFIG, checkpoint, '--work-dir',
                    work_dir, '--show-dir', osp.join(work_dir, 'vis')])
    figure = draw_attention(work_dir, checkpoint, osp.join(work_dir, 'attention'))
    summary = dict(seconds=round(time.time() - start, 1), checkpoint=checkpoint,
                   metrics=coco_metrics(test_log), vis_dir=osp.join(work_dir, 'vis'),
                   attention_figure=figure)
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    m = summary['metrics']
    print(f"\ndemo done in {summary['seconds'] / 60:.1f} min: bbox mAP {m.get('bbox_mAP')}, "
          f"mAP@0.5 {m.get('bbox_mAP_50')}\ncheckpoint {checkpoint}\npredictions painted in "
          f"{summary['vis_dir']}\nattention figure {figure}")


if __name__ == '__main__':
    main()
