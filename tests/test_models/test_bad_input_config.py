"""Bad AW/backbone arguments written in a config file: building the model (Config + MODELS.build,
what tools/train.py's Runner does) is a ValueError naming the field."""

import pytest
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.config import Config

import aw_mmdet  # noqa: F401
from helpers import DEMO_CONFIG, load_tool, make_tiny_data, tiny_options

BAD_BACKBONES = [
    ('aw=dict(reduction=0)', r'reduction must be an int >= 1, got 0'),
    ('aw=dict(min_hidden=-1)', r'min_hidden must be an int >= 1, got -1'),
    ("aw=dict(attention='sparse')", r"attention must be one of .*got 'sparse'"),
    ('aw=dict(ratio=4)', r"unknown key\(s\) in aw: \['ratio'\]"),
    ('stage_with_aw=(True, True)', r'stage_with_aw has 2 entries, num_stages is 4'),
    ("dcn=dict(type='DCNv2', deform_groups=1), stage_with_dcn=(False, True, False, False)",
     r'stage\(s\) \[2\] have both dcn and AW'),
]


def _config_file(tmp_path, backbone_args):
    path = tmp_path / 'bad_backbone.py'
    path.write_text(f"_base_ = {DEMO_CONFIG!r}\nmodel = dict(backbone=dict({backbone_args}))\n")
    return str(path)


@pytest.mark.parametrize('backbone_args,message', BAD_BACKBONES)
def test_bad_backbone_field_in_config_file_is_value_error_naming_it(tmp_path, backbone_args,
                                                                    message):
    register_all_modules()
    cfg = Config.fromfile(_config_file(tmp_path, backbone_args))
    with pytest.raises(ValueError, match=message):
        MODELS.build(cfg.model)


def test_train_tool_reports_bad_aw_field(tmp_path):
    """Through tools/train.py's main (in this process): the Runner's model build raises it."""
    data = tmp_path / 'data'
    make_tiny_data(data, num_train=1, num_val=1)
    tool = load_tool('train.py')
    with pytest.raises(ValueError, match=r'AWConv2d: reduction must be an int >= 1, got 0'):
        tool.main([_config_file(tmp_path, 'aw=dict(reduction=0)'), '--work-dir',
                   str(tmp_path / 'w'), '--cfg-options', *tiny_options(data)])
