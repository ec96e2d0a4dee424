"""The attention ablations of protocol v3 (5.7) against the independent per-sample reference
(tests/aw_reference.py): ``off`` is the plain conv, ``mean`` the conv with W * mean(A),
``shuffled`` the per-sample conv with another image's A (next in the batch, or the previous
image of the stream); the variation measure against numpy."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from aw_mmdet import AWConv2d, recording_attention
from aw_reference import randomise_attention, reference_attention, reference_aw_conv
from experiments.harness.ablation import AttentionMoments, ablated

ATOL = 1e-5


def _conv(cin=8, cout=16, seed=0, **kwargs):
    torch.manual_seed(seed)
    conv = AWConv2d(cin, cout, 3, padding=1, reduction=2, min_hidden=4, **kwargs)
    randomise_attention(conv, torch.Generator().manual_seed(seed))
    return conv.eval()


def _per_sample(conv, x, attention, order):
    """y[n] = conv2d(x[n], W * attention[order[n]]) as a loop (zero padding)."""
    return torch.cat([F.conv2d(x[n:n + 1], conv.weight * attention[order[n]], conv.bias,
                               conv.stride, conv.padding) for n in range(len(x))])


def _under(model, x, *args, **kwargs):
    """model(x) under ``ablated(model, *args, **kwargs)``."""
    with ablated(model, *args, **kwargs):
        return model(x)


@torch.no_grad()
def test_off_is_the_plain_conv_and_the_model_is_restored_after():
    model = nn.Sequential(_conv())
    x = torch.randn(3, 8, 9, 7)
    out = _under(model, x, 'off')
    assert torch.allclose(out, F.conv2d(x, model[0].weight, model[0].bias, padding=1), atol=ATOL)
    assert 'forward' not in model[0].__dict__
    assert torch.allclose(model(x), reference_aw_conv(model[0], x), atol=ATOL)
    assert not torch.allclose(out, model(x), atol=1e-3)  # the attention is far from 1


@torch.no_grad()
def test_mean_is_the_conv_with_the_mean_attention_of_the_training_images():
    model = nn.Sequential(_conv())
    train = torch.randn(10, 8, 6, 6)
    moments = AttentionMoments()
    with recording_attention(model, moments):
        for batch in train.split(4):  # 4 + 4 + 2 images: every image counts once
            model(batch)
    mean = reference_attention(model[0], train).mean(0)
    assert moments.images == 10
    assert torch.allclose(moments.mean_maps()['0'], mean, atol=1e-6)
    x = torch.randn(3, 8, 9, 7)
    out = _under(model, x, 'mean', moments.mean_maps())
    assert torch.allclose(out, F.conv2d(x, model[0].weight * mean, model[0].bias, padding=1),
                          atol=ATOL)
    with pytest.raises(ValueError, match='no mean map'):
        with ablated(model, 'mean', {}):
            pass


@torch.no_grad()
def test_shuffled_next_gives_each_image_the_next_images_attention():
    model = nn.Sequential(_conv())
    out = _under(model, x := torch.randn(4, 8, 9, 7), 'shuffled')
    expected = _per_sample(model[0], x, reference_attention(model[0], x), [1, 2, 3, 0])
    assert torch.allclose(out, expected, atol=ATOL)


@torch.no_grad()
def test_shuffled_next_in_a_deeper_model_uses_the_other_images_own_features():
    # conv b's shuffled attention comes from the other image's features as they reach b (out of
    # the ablated conv a), which is what a roll inside the batch computes
    a, b = _conv(seed=1), _conv(16, 8, seed=2)
    model = nn.Sequential(a, nn.ReLU(), b)
    out = _under(model, x := torch.randn(4, 8, 6, 6), 'shuffled')
    order = [1, 2, 3, 0]
    hidden = F.relu(_per_sample(a, x, reference_attention(a, x), order))
    assert torch.allclose(out, _per_sample(b, hidden, reference_attention(b, hidden), order),
                          atol=1e-4)


@torch.no_grad()
def test_shuffled_next_pads_as_the_conv_does():
    conv = _conv(padding_mode='reflect')
    out = _under(conv, x := torch.randn(3, 8, 7, 7), 'shuffled')
    attention = reference_attention(conv, x)  # from the unpadded input
    padded = F.pad(x, (1, 1, 1, 1), mode='reflect')
    expected = torch.cat([F.conv2d(padded[n:n + 1], conv.weight * attention[(n + 1) % 3],
                                   conv.bias) for n in range(3)])
    assert torch.allclose(out, expected, atol=ATOL)


@torch.no_grad()
def test_shuffled_previous_gives_each_image_of_the_stream_the_one_before():
    model = nn.Sequential(_conv())
    images = torch.randn(5, 8, 6, 6)
    with ablated(model, 'shuffled', shuffle='previous'):
        model(images[-1:])  # primed with the last image, as the evaluation does
        out = torch.cat([model(images[i:i + 1]) for i in range(5)])
    expected = _per_sample(model[0], images, reference_attention(model[0], images),
                           [4, 0, 1, 2, 3])
    assert torch.allclose(out, expected, atol=ATOL)
    with ablated(model, 'shuffled', shuffle='previous'):  # batches of 2 continue the stream
        out = torch.cat([model(images[:2]), model(images[2:4])])
    expected = _per_sample(model[0], images[:4], reference_attention(model[0], images[:4]),
                           [1, 0, 1, 2])  # unprimed: the first image gets its batch's last
    assert torch.allclose(out, expected, atol=ATOL)


def test_variation_against_numpy():
    gen = torch.Generator().manual_seed(0)
    maps = {'backbone.layer2.0.conv2': [1 + 0.1 * torch.randn(3, 4, 2, 3, 3, generator=gen)
                                        for _ in range(2)],
            'backbone.layer2.1.conv2': [1 + 0.3 * torch.randn(3, 6, 4, 3, 3, generator=gen)
                                        + 0.2 for _ in range(2)],
            'backbone.layer3.0.conv2': [torch.ones(3, 5, 5, 3, 3) for _ in range(2)]}
    moments = AttentionMoments()
    for name, batches in maps.items():
        for batch in batches:
            moments(name, batch)
    stage = [torch.cat(maps[k]).double().numpy() for k in sorted(maps)[:2]]
    sd = np.concatenate([a.std(0).ravel() for a in stage])  # population std over the 6 images
    second = np.concatenate([((a - 1) ** 2).mean(0).ravel() for a in stage])
    dev = np.concatenate([np.abs(a - 1).mean(0).ravel() for a in stage])
    out = moments.variation()
    assert out['layer2']['num_images'] == 6
    assert out['layer2']['between_sd'] == pytest.approx(sd.mean(), rel=1e-6)
    assert out['layer2']['mean_abs_dev'] == pytest.approx(dev.mean(), rel=1e-6)
    assert out['layer2']['between_share'] == pytest.approx(
        (sd ** 2).sum() / second.sum(), rel=1e-6)
    assert 0.5 < out['layer2']['between_share'] < 1  # the second conv's offset is not variance
    assert out['layer3'] == dict(between_sd=0.0, mean_abs_dev=0.0, between_share=None,
                                 num_images=6)
    # how far A moved: mean and max |A - 1| over every value of the stage's convs, and overall
    attention = moments.attention()
    pooled = np.concatenate([np.abs(a - 1).ravel() for a in stage])
    assert attention['stages']['layer2'] == pytest.approx(dict(mean=pooled.mean(),
                                                                max=pooled.max()))
    assert attention['stages']['layer3'] == dict(mean=0.0, max=0.0)
    everything = np.concatenate([pooled, np.zeros(6 * 5 * 5 * 9)])
    assert attention['mean_abs_dev'] == pytest.approx(everything.mean(), rel=1e-6)
    assert attention['max_abs_dev'] == pytest.approx(pooled.max())
    assert (attention['num_aw_convs'], attention['num_images']) == (3, 6)
