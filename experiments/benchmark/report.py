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
    if 'small' in r:
        lines += _small_maps_lines(r['small'])
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


def _small_maps_lines(rows):
    lines = ['## Small maps: training step, AW vs stock', '',
             '| model | input, batch | AW / stock | stock (ms) | AW (ms) |',
             '|---|---|---|---|---|']
    for row in rows:
        lines.append(f"| {row['what']} | {row['size'][0]}x{row['size'][1]}, {row['batch']} | "
                     f"**{row['ratio']:.3f}** | {_ms(row['times']['stock'])} | "
                     f"{_ms(row['times']['aw'])} |")
    lines.append('')
    for row in rows:
        if 'breakdown' not in row:
            continue
        b = row['breakdown']
        lines += [f"Where the time goes, {row['what']} ({row['size'][0]}x{row['size'][1]}, batch "
                  f"{row['batch']}): self CPU ms per step by kind of op (torch.profiler)", '',
                  '| kind of op | stock | AW | AW - stock |', '|---|---|---|---|']
        for kind in b['stock']:
            lines.append(f"| {kind} | {b['stock'][kind]:.1f} | {b['aw'][kind]:.1f} | "
                         f"{b['aw'][kind] - b['stock'][kind]:+.1f} |")
        total = {side: sum(b[side].values()) for side in ('stock', 'aw')}
        lines += [f"| total | {total['stock']:.1f} | {total['aw']:.1f} | "
                  f"{total['aw'] - total['stock']:+.1f} |", '']
    return lines


def _cell(value, fmt='{:.2f}'):
    return '-' if value is None else fmt.format(value)


def _peer_names(rows):
    names = []
    for row in rows:
        names += [n for n in row['peers'] if n not in names]
    return names


def _op_peer_table(rows, title, key, base_value, base_unit):
    """Rows = shapes, columns = the baseline's absolute value, then each peer's ratio ``key``."""
    baseline, *peers = _peer_names(rows)
    lines = [f'### {title}', '',
             f"| image, batch | C | input | stride | {baseline} ({base_unit}) | "
             + ' | '.join(peers) + ' |',
             '|---|---|---|---|---|' + '---|' * len(peers)]
    for r in rows:
        cells = []
        for name in peers:
            entry = r['peers'].get(name, {})
            cells.append('skipped' if 'skipped' in entry else _cell(entry.get(key)))
        lines.append(f"| {r['image'][0]}x{r['image'][1]}, {r['batch']} | {r['channels']} | "
                     f"{r['input'][0]}x{r['input'][1]} | {r['stride']} | "
                     f"{_cell(base_value(r['peers'][baseline]), '{:.1f}')} | "
                     + ' | '.join(cells) + ' |')
    return lines + ['']


def _detector_peer_tables(d, env):
    peers = d['peers']
    unit = 'max allocated' if env['device'].startswith('cuda') else 'peak RSS'
    ratio_cols = (('inference_ratio', 'inference time'), ('train_step_ratio', 'train step time'),
                  ('inference_memory_ratio', f'inference {unit}'),
                  ('train_memory_ratio', f'train {unit}'), ('params_ratio', 'parameters'),
                  ('flops_ratio', 'backbone+FPN FLOPs'))
    lines = [f"Inference batch 1 at {'x'.join(map(str, d['inference_size']))}, training step "
             f"batch {d['train_batch']} at {'x'.join(map(str, d['train_size']))}; ratios to the "
             'stock detector, measured with it (times: one interleaved loop, training steps '
             'as SGD at lr 0; memory: a fresh process per detector, inference then a training '
             'step).', '',
             '| detector | ' + ' | '.join(t for _, t in ratio_cols) + ' |',
             '|---|' + '---|' * len(ratio_cols)]
    for name, p in peers.items():
        lines.append(f'| {name} | ' + ' | '.join(f'**{_cell(p.get(k), "{:.3f}")}**'
                                                for k, _ in ratio_cols) + ' |')
    lines += ['', '| detector | inference (ms) | train step (ms) | inference (MiB) | '
              'train (MiB) | parameters | backbone+FPN FLOPs |', '|---|---|---|---|---|---|---|']
    for name, p in peers.items():
        lines.append(
            f"| {name} | {_ms(p['inference']) if 'inference' in p else '-'} | "
            f"{_ms(p['train_step']) if 'train_step' in p else '-'} | "
            f"{_cell(p.get('inference_peak_mib'), '{:.0f}')} | "
            f"{_cell(p.get('train_peak_mib'), '{:.0f}')} | "
            f"{_cell(p['params'] / 1e6 if 'params' in p else None, '{:.2f} M')} | "
            f"{_cell(p['backbone_neck_flops'] / 1e9 if 'params' in p else None, '{:.1f} G')} |")
    untraced = {name: p['untraced_ops'] for name, p in peers.items() if p.get('untraced_ops')}
    lines += ['', 'FLOPs: mmengine\'s FlopAnalyzer (1 multiply-add = 1 FLOP) plus AWConv2d\'s '
              'elementwise gate and modulation (experiments/benchmark/flops.py). Custom autograd '
              'ops are counted as mmengine counts them, i.e. not at all'
              + (': ' + '; '.join(f'{n}: ' + ', '.join(f'{op} x{k}' for op, k in ops.items())
                                   for n, ops in untraced.items())
                 + ' (for DCN only its offset/mask convs are counted, not the deformable 3x3 '
                 'convs themselves: its FLOPs are an undercount)' if untraced else '') + '.', '']
    return lines


def peers_markdown_report(r):
    """Markdown of a ``tools/benchmark.py --peers`` run: op tables (one per measure, peers as
    columns, ratios to nn.Conv2d) and the detector tables (ratios to stock, then absolutes)."""
    env = r['env']
    lines = [f"# AW and its peers{' (quick)' if env['quick'] else ''}", '',
             f"device {env['device']}{' ' + env['gpu'] if env.get('gpu') else ''}, "
             f"CPU {env['cpu_model']}, {env['threads']} threads, torch {env['torch']}; "
             f"medians of interleaved repetitions; {r['seconds']} s in all.", '']
    if env.get('condconv'):
        lines += [f"condconv4: CondConv2d from {env['condconv']}.", '']
    if 'peers_detector' in r:
        lines += ['## Detector: Faster R-CNN R101-FPN peers vs stock', '']
        lines += _detector_peer_tables(r['peers_detector'], env)
    rows = r.get('peers_op')
    if rows:
        lines += ['## Op: each peer / nn.Conv2d at ResNet-101 3x3 shapes', '',
                  'One 3x3 conv replaced by each peer (block-level attentions: the conv plus the '
                  'module after it); all peers and the conv timed in one interleaved loop per '
                  'shape. Memory: what one step adds at its peak over what is resident before it, '
                  'measured in a separate process (CPU: VmHWM reset per step; CUDA: '
                  'max_memory_allocated); "-" where the conv\'s peak is below the resolution.', '']
        tables = [('Forward time / conv', 'forward_ratio', 'forward', 'ms'),
                  ('Forward+backward time / conv', 'forward_backward_ratio', 'forward_backward',
                   'ms')]
        if any('forward_peak_mib' in row['peers'][_peer_names(rows)[0]] for row in rows):
            tables += [('Forward peak memory / conv', 'forward_memory_ratio', 'forward_peak_mib',
                        'MiB'),
                       ('Forward+backward peak memory / conv', 'forward_backward_memory_ratio',
                        'forward_backward_peak_mib', 'MiB')]
        for title, key, base_key, unit in tables:
            def base_value(entry, base_key=base_key, unit=unit):
                value = entry.get(base_key)
                return value['median'] * 1e3 if unit == 'ms' and value else value
            lines += _op_peer_table(rows, title, key, base_value, unit)
        skipped = {n: e['skipped'] for row in rows for n, e in row['peers'].items()
                   if 'skipped' in e}
        lines += [f'- {n} skipped: {why}' for n, why in skipped.items()] + ([''] if skipped else [])
    return '\n'.join(lines)
