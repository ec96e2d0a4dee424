"""The classification data's splits: no scan (and so no stroke shape) in more than one split."""
from experiments.classification.data import split_indices


def test_splits_share_no_scan():
    splits = split_indices(1797, seed=0)
    sets = {name: set(idx.tolist()) for name, idx in splits.items()}
    assert sum(len(s) for s in sets.values()) == 1797
    assert not (sets['train'] & sets['test'] or sets['train'] & sets['val']
                or sets['val'] & sets['test'])
