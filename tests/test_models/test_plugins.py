"""SEBlock and CBAMBlock against their formulas written out independently."""
import torch
import torch.nn.functional as F

from aw_mmdet import CBAMBlock, SEBlock


def test_se_block_matches_formula():
    torch.manual_seed(0)
    se = SEBlock(32, reduction=4)
    x = torch.randn(2, 32, 5, 7)
    s = x.mean((2, 3))
    s = torch.sigmoid(F.linear(F.relu(F.linear(s, se.fc1.weight[:, :, 0, 0], se.fc1.bias)),
                               se.fc2.weight[:, :, 0, 0], se.fc2.bias))
    torch.testing.assert_close(se(x), x * s[:, :, None, None])
    assert se.fc1.out_channels == 8


def test_cbam_block_matches_formula():
    torch.manual_seed(0)
    cbam = CBAMBlock(32, reduction=16, kernel_size=7)
    x = torch.randn(2, 32, 9, 6)
    fc1, fc2 = cbam.mlp[0], cbam.mlp[2]

    def mlp(v):
        hidden = F.relu(F.linear(v, fc1.weight[:, :, 0, 0], fc1.bias))
        return F.linear(hidden, fc2.weight[:, :, 0, 0], fc2.bias)

    ch = torch.sigmoid(mlp(x.flatten(2).mean(2)) + mlp(x.flatten(2).max(2).values))
    y = x * ch[:, :, None, None]
    maps = torch.stack([y.mean(1), y.max(1).values], 1)
    sp = torch.sigmoid(F.conv2d(maps, cbam.spatial.weight, cbam.spatial.bias, padding=3))
    torch.testing.assert_close(cbam(x), y * sp)
    assert cbam.spatial.kernel_size == (7, 7) and fc1.out_channels == 2
