"""Every tools/infer.py and tools/export_onnx.py command in docs/usage.md and README.md, run as
written except: the tiny generated digits data in place of data/aw_demo/, the checkpoint of one
training iteration in place of make demo's work_dirs/demo/iter_540.pth, and work_dirs/ under
tmp_path. Catches a documented flag the tools do not take, or outputs that are not where the doc
says."""
import glob
import os.path as osp
import re
import shlex

import pytest

from helpers import ROOT, load_tool

DOCS = [osp.join(ROOT, 'docs', 'usage.md'), osp.join(ROOT, 'README.md')]
TOOLS = ('tools/infer.py', 'tools/export_onnx.py')


def doc_commands():
    """[(tool script, args)] of the infer/export lines in the docs' bash blocks."""
    commands = []
    for doc in DOCS:
        for block in re.findall(r'```bash\n(.*?)```', open(doc).read(), flags=re.S):
            for line in block.replace('\\\n', ' ').splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ['python'] and words[1:2] and words[1] in TOOLS:
                    commands.append((osp.basename(words[1]), words[2:]))
    return commands


def local(args, data, checkpoint, tmp_path):
    out = []
    for arg in args:
        arg = arg.replace('work_dirs/demo/iter_540.pth', str(checkpoint))
        arg = arg.replace('data/aw_demo/', f'{data}/').replace('work_dirs/', f'{tmp_path}/')
        out.append(osp.join(ROOT, arg) if arg.startswith('configs/') else arg)
    return out


def test_docs_show_infer_and_export():
    tools = [tool for tool, _ in doc_commands()]
    assert tools.count('infer.py') >= 3 and tools.count('export_onnx.py') >= 1


@pytest.mark.slow
def test_every_documented_infer_and_export_command_runs(tiny_demo_run, tmp_path, capsys):
    data, checkpoint = tiny_demo_run
    tools = {script: load_tool(script) for script in ('infer.py', 'export_onnx.py')}
    for script, args in doc_commands():
        args = local(args, data, checkpoint, tmp_path)
        tools[script].main(args)  # exits (status 1) on any error line
        printed = capsys.readouterr().out
        if script == 'infer.py':
            out = args[args.index('--out-dir') + 1]
            images = [p for a in args[:args.index('--config')]
                      for p in (glob.glob(osp.join(a, '*.jpg')) if osp.isdir(a) else glob.glob(a))]
            assert images, args
            for image in images:
                stem = osp.splitext(osp.basename(image))[0]
                assert osp.isfile(osp.join(out, 'vis', f'{stem}.jpg')), (args, image)
                assert osp.isfile(osp.join(out, 'preds', f'{stem}.json')), (args, image)
                if '--attention' in args:
                    assert osp.isfile(osp.join(out, 'attention', f'{stem}.png')), (args, image)
        else:
            assert osp.isfile(args[args.index('--out') + 1])
            diffs = [float(d) for d in re.findall(r'max abs difference .* ([\d.e+-]+)', printed)]
            assert len(diffs) == 2 and max(diffs) < 1e-4, printed
