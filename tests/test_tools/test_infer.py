"""tools/infer.py on a checkpoint from tools/train.py: images given as a file and a glob get their
painted image and predictions JSON; a missing path, a glob matching nothing and a file that is
not an image are error lines naming them, the others still run, and the exit status is 1.
(--attention, a few seconds of matplotlib per image, runs in test_usage_commands.py.)"""
import json
import sys

import pytest

from helpers import DEMO_CONFIG, ROOT, load_config, load_tool


@pytest.mark.slow  # with the training fixture (its first user pays for it): about 30-40 s
def test_infer_writes_outputs_and_names_each_bad_input(tiny_demo_run, tmp_path, capsys):
    data, checkpoint = tiny_demo_run
    images = tmp_path / 'images'
    images.mkdir()
    for name in ('000001.jpg', '000002.jpg'):
        (images / name).write_bytes((data / 'val' / name).read_bytes())
    (tmp_path / 'notes.jpg').write_text('not an image')
    missing, out = tmp_path / 'missing.jpg', tmp_path / 'out'
    with pytest.raises(SystemExit) as exit_info:
        load_tool('infer.py').main([
            str(images / '000001.jpg'), str(images / '*2.jpg'), str(missing),
            str(tmp_path / 'none_*.png'), str(tmp_path / 'notes.jpg'),
            '--config', DEMO_CONFIG, '--weights', str(checkpoint), '--out-dir', str(out),
            '--score-thr', '0.0'])
    assert exit_info.value.code == 1
    printed = capsys.readouterr()
    errors = [line for line in printed.err.splitlines() if line.startswith('error: ')]
    assert len(errors) == 3, printed.err
    assert f'{missing}: no such file' in errors[0]
    assert 'none_*.png: no file matches' in errors[1]
    assert 'notes.jpg: not an image' in errors[2]
    assert '2 image(s) done, 3 error(s)' in printed.out

    for stem in ('000001', '000002'):
        assert (out / 'vis' / f'{stem}.jpg').stat().st_size > 1000
        preds = json.loads((out / 'preds' / f'{stem}.json').read_text())
        assert set(preds) == {'labels', 'scores', 'bboxes'}  # DetInferencer's format
        assert len(preds['labels']) == len(preds['scores']) == len(preds['bboxes'])
        assert all(len(box) == 4 for box in preds['bboxes'])
    assert sorted(p.name for p in (out / 'vis').iterdir()) == ['000001.jpg', '000002.jpg']
    assert not (out / 'attention').exists()


def test_folder_input_and_same_name_clash(tmp_path):
    tool = load_tool('infer.py')
    for folder in ('a', 'b'):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / 'x.jpg').write_bytes(b'')
    (tmp_path / 'a' / 'y.png').write_bytes(b'')
    (tmp_path / 'a' / 'readme.txt').write_text('')
    paths, errors = tool.expand_inputs([str(tmp_path / 'a'), str(tmp_path / 'b' / 'x.jpg')])
    assert paths == [str(tmp_path / 'a' / 'x.jpg'), str(tmp_path / 'a' / 'y.png'),
                     str(tmp_path / 'b' / 'x.jpg')] and not errors
    kept, clashes = tool.drop_name_clashes(paths)
    assert kept == paths[:2]
    assert len(clashes) == 1 and 'b/x.jpg: skipped' in clashes[0] and 'a/x.jpg' in clashes[0]


def test_attention_without_checkout_experiments_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'experiments.demo.attention_figure', None)  # not importable
    with pytest.raises(SystemExit, match='experiments/ is not part of the installed package'):
        load_tool('infer.py').attention_tools()


def test_checkpoint_for_another_model_is_an_error(tmp_path):
    """mmdet's DetInferencer only warns and leaves mismatching layers random."""
    import torch
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    demo = MODELS.build(load_config(DEMO_CONFIG).model)  # AW-ResNet-18, 128-channel FPN
    checkpoint = tmp_path / 'demo.pth'
    torch.save({'state_dict': demo.state_dict(), 'meta': {}}, checkpoint)
    (tmp_path / 'x.jpg').write_bytes(b'')
    with pytest.raises(SystemExit, match='does not fit the model') as exit_info:
        load_tool('infer.py').main([str(tmp_path / 'x.jpg'), '--config',
                                    f'{ROOT}/configs/faster_rcnn_r50_aw_fpn.py',
                                    '--weights', str(checkpoint)])
    assert str(checkpoint) in str(exit_info.value)
