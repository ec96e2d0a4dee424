"""Markdown table of a benchmark run: ratios AW/stock first, absolute numbers second."""


def _ms(stats):
    return f"{stats['median'] * 1e3:.1f} ({stats['min'] * 1e3:.1f}-{stats['max'] * 1e3:.1f})"


def markdown_report(r):
    env = r['env']
    lines = [f"# AW vs stock benchmark{' (quick)' if env['quick'] else ''}", '',
             f"device {env['device']}{' ' + env['gpu'] if env.get('gpu') else ''}, "
             f"CPU {env['cpu_model']}, {env['threads']} threads, torch {env['torch']}; "
             f"median of interleaved repetitions, (min-max) in brackets; {r['seconds']} s in all.",
             '']
    if 'detector' in r or 'memory' in r:
        lines += ['## Detector: Faster R-CNN R101-FPN, AW config vs stock mmdet config', '',
                  '| measure | AW / stock | stock | AW |', '|---|---|---|---|']
        if 'detector' in r:
            d = r['detector']
            size = 'x'.join(map(str, d['inference_size']))
            lines.append(f"| inference, batch 1, {size} (ms) | **{d['inference_ratio']:.3f}** | "
                         f"{_ms(d['inference']['stock'])} | {_ms(d['inference']['aw'])} |")
            size = 'x'.join(map(str, d['train_size']))
            lines.append(f"| training step, batch {d['train_batch']}, {size} (ms) | "
                         f"**{d['train_step_ratio']:.3f}** | {_ms(d['train_step']['stock'])} | "
                         f"{_ms(d['train_step']['aw'])} |")
        for mode, m in r.get('memory', {}).items():
            unit = 'max allocated' if env['device'].startswith('cuda') else 'peak RSS'
            lines.append(f"| {mode} {unit} (MiB) | **{m['aw'] / m['stock']:.3f}** | "
                         f"{m['stock']:.0f} | {m['aw']:.0f} |")
        if 'size' in r:
            z = r['size']
            lines.append(f"| parameters | **{z['aw']['params'] / z['stock']['params']:.4f}** | "
                         f"{z['stock']['params'] / 1e6:.2f} M | {z['aw']['params'] / 1e6:.2f} M |")
            flops = z['aw']['backbone_neck_flops'] / z['stock']['backbone_neck_flops']
            lines.append(f"| backbone+FPN FLOPs | **{flops:.4f}** | "
                         f"{z['stock']['backbone_neck_flops'] / 1e9:.1f} G | "
                         f"{z['aw']['backbone_neck_flops'] / 1e9:.1f} G |")
        lines.append('')
    if 'op' in r:
        lines += ['## Op: nn.Conv2d vs AWConv2d at ResNet-101 3x3 shapes', '',
                  '| C | input | stride | batch | fwd AW/stock | fwd+bwd AW/stock | '
                  'fwd stock (ms) | fwd AW (ms) | fwd+bwd stock (ms) | fwd+bwd AW (ms) |',
                  '|---|---|---|---|---|---|---|---|---|---|']
        for o in r['op']:
            lines.append(
                f"| {o['channels']} | {o['input'][0]}x{o['input'][1]} | {o['stride']} | "
                f"{o['batch']} | "
                f"**{o['forward_ratio']:.3f}** | **{o['forward_backward_ratio']:.3f}** | "
                f"{_ms(o['forward']['stock'])} | {_ms(o['forward']['aw'])} | "
                f"{_ms(o['forward_backward']['stock'])} | {_ms(o['forward_backward']['aw'])} |")
        lines.append('')
    return '\n'.join(lines)
