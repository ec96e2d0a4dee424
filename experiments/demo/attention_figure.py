"""Figure of what AW multiplies the weights by, for a few layers and one image."""
import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as ticker  # noqa: E402
import torch  # noqa: E402

from aw_mmdet.ops import aw_convs, recording_attention  # noqa: E402

from ..harness.ablation import stage_of  # noqa: E402


def capture_attention(model, run, layers=None):
    """{layer: A (D, C/g, Kh, Kw)} of ``run()``'s first sample; default: each AW stage's ends."""
    convs = aw_convs(model.backbone)
    if layers is None:  # first and last AW conv of every AW stage
        stages = {}
        for name in convs:
            stages.setdefault(stage_of(name), []).append(name)
        layers = [n for names in stages.values() for n in (names[0], names[-1])]
    maps = {}

    def keep_first_sample(name, attention):
        maps[name] = attention[0].float().cpu()

    with recording_attention(model.backbone, keep_first_sample, layers), torch.no_grad():
        run()
    return maps


def plot_attention(maps, out_file, title=''):
    """Row per layer: kernel-position mean, per-output-channel spread, out x in map. A stays near
    1, so the first column is (A - 1) % and colour bars take no offset label (it hid the titles)."""
    fig, axes = plt.subplots(len(maps), 3, figsize=(12, 3.2 * len(maps)), squeeze=False)
    for row, (name, a) in enumerate(maps.items()):
        kernel_mean = (a.mean((0, 1)) - 1) * 100
        im = axes[row, 0].imshow(kernel_mean, cmap='viridis')
        axes[row, 0].set_title(f'{name}: mean (A - 1) % per kernel pos.', fontsize=9)
        _plain_colorbar(fig, im, axes[row, 0])
        per_out = a.flatten(1)
        axes[row, 1].fill_between(range(a.shape[0]), per_out.min(1).values, per_out.max(1).values,
                                  alpha=0.3, label='min-max')
        axes[row, 1].plot(per_out.mean(1), lw=1, label='mean')
        axes[row, 1].axhline(1.0, color='k', ls=':', lw=0.8)
        axes[row, 1].set_title('A per output channel (over in-channels x kernel)')
        axes[row, 1].set_xlabel('output channel')
        axes[row, 1].legend(fontsize=7)
        mean_map = a.mean((2, 3))
        spread = max(float((mean_map - 1).abs().max()), 1e-6)  # centre the colours on 1.0
        im = axes[row, 2].imshow(mean_map, cmap='coolwarm', vmin=1 - spread, vmax=1 + spread,
                                 aspect='auto')
        axes[row, 2].set_title('A averaged over kernel (out x in)')
        axes[row, 2].set_xlabel('input channel')
        axes[row, 2].set_ylabel('output channel')
        _plain_colorbar(fig, im, axes[row, 2])
        axes[row, 1].ticklabel_format(axis='y', useOffset=False)
    fig.suptitle(title or 'AW attention (1.0 = unchanged weight; range 0..2)')
    fig.tight_layout(rect=(0, 0, 1, 0.98))  # keep the suptitle clear of the first row
    fig.savefig(out_file, dpi=80)
    plt.close(fig)
    return out_file


def _plain_colorbar(fig, image, ax):
    bar = fig.colorbar(image, ax=ax, fraction=0.046)
    bar.formatter = ticker.ScalarFormatter(useOffset=False)
    bar.update_ticks()
    return bar
