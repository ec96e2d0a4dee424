"""The demo data's test split (docs/evidence_protocol.md section 5.2): adding it left train and
val byte for byte as the generator wrote them before (SHA-256 recorded from the code before the
change, at the default parameters: 300 / 100 images of 160 px, seed 0); test has its own images.

JPEG bytes depend on the encoder too: the hashes hold for the Pillow/libjpeg this project pins.
"""
import hashlib
import json

from experiments.demo import make_demo_data

BEFORE = {
    'annotations/instances_train.json':
        'cfc088e1bbe18da96580bf15b61174e4ecf090c3e97ed3a5228791466f972b1e',
    'annotations/instances_val.json':
        '0ee577562de148c966776010517ea59738c3465257c1b8c3117873386971ca59',
    'train/000300.jpg': 'ea35eacc93868ec0d6caddc64cc5f50e2440db930458a6bf6067ad828abebbd9',
    'val/000100.jpg': '5ca6b6a4ed52ca3f4d47f82d44ecb612762aca0493fb29a289ddd477ca21ed8d',
}
#: every train image, then every val image, in file-name order
ALL_IMAGES = '54d66a210c2aa729343a0ecd21e0dcee83b6efb2895d3abb4c19bcb350a98e52'


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_train_and_val_are_unchanged_and_test_is_its_own_split(tmp_path):
    paths = make_demo_data(str(tmp_path))
    assert sorted(paths) == ['test', 'train', 'val']
    assert {name: _sha(tmp_path / name) for name in BEFORE} == BEFORE
    images = hashlib.sha256()
    for split in ('train', 'val'):
        for path in sorted((tmp_path / split).glob('*.jpg')):
            images.update(path.read_bytes())
    assert images.hexdigest() == ALL_IMAGES

    test = json.loads((tmp_path / 'annotations' / 'instances_test.json').read_text())
    assert len(test['images']) == 200 and len(list((tmp_path / 'test').glob('*.jpg'))) == 200
    assert {a['category_id'] for a in test['annotations']} == set(range(1, 11))
    val = {_sha(p) for p in (tmp_path / 'val').glob('*.jpg')}
    assert not val & {_sha(p) for p in (tmp_path / 'test').glob('*.jpg')}


def test_a_missing_split_is_made_alone_and_equals_a_fresh_one(tmp_path):
    make_demo_data(str(tmp_path / 'a'), num_train=3, num_val=2, num_test=3)
    train = tmp_path / 'a' / 'annotations' / 'instances_train.json'
    stamp = train.stat().st_mtime_ns
    (tmp_path / 'a' / 'annotations' / 'instances_test.json').unlink()
    make_demo_data(str(tmp_path / 'a'), num_train=3, num_val=2, num_test=3)
    assert train.stat().st_mtime_ns == stamp  # train was not written again
    make_demo_data(str(tmp_path / 'b'), num_train=1, num_val=1, num_test=3)
    for name in ('annotations/instances_test.json', 'test/000003.jpg'):
        assert _sha(tmp_path / 'a' / name) == _sha(tmp_path / 'b' / name)
