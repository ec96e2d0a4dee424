"""AW against its published peers (tools/benchmark.py --peers): time, peak memory, and at detector
level parameters and FLOPs, each as a ratio to the baseline measured with it (``nn.Conv2d`` in the
same interleaved loop at op level, the stock detector at detector level)."""
from .detector_bench import bench_detector_peers, build_detector
from .memory_probe import probe_peaks_mib
from .model_size import detector_size
from .op_bench import bench_op_peers, resnet101_3x3_shapes
from .op_memory_probe import probe_op_peaks
from .peers import BASELINE as OP_BASELINE
from .peers import OP_PEERS
from .rss import release_free_heap


def _ratio(value, baseline):
    """value / baseline, or None where the baseline is not positive (a memory peak below the
    probe's resolution at tiny shapes)."""
    return value / baseline if baseline > 0 else None


def op_cases(images):
    """(channels, H, W, stride, batch, image) of every ResNet-101 3x3 shape of each input image.

    Args:
        images (list): [H, W, batch] per input image size.
    """
    return [(c, h, w, stride, batch, [height, width])
            for height, width, batch in images
            for c, h, w, stride in resnet101_3x3_shapes(height, width)]


def bench_op_table(images, device='cpu', reps=5, threads=2, memory=True, peers=OP_PEERS):
    """The op table: every peer at every case, time (and peak memory) as ratios to the conv.

    Args:
        images (list): [H, W, batch] per input image size (see ``op_cases``).
        device (str): Defaults to 'cpu'.
        reps (int): Timed repetitions per peer. Defaults to 5.
        threads (int): CPU threads of the memory probe's process. Defaults to 2.
        memory (bool): Measure peak memory too (one extra process). Defaults to True.
        peers (Sequence[str]): Defaults to all of ``OP_PEERS``.

    Returns:
        list[dict]: per case, the shape, the image it comes from, and ``peers``: name ->
        ``bench_op_peers``'s entry plus {forward,forward_backward}_{peak_mib,memory_ratio}.
    """
    cases = op_cases(images)
    names = list(dict.fromkeys((OP_BASELINE, *peers)))
    rows = []
    for c, h, w, stride, batch, image in cases:
        row = bench_op_peers(c, h, w, stride, batch, names, device=device, reps=reps)
        rows.append(dict(image=image, **row))
    if memory:
        peaks = probe_op_peaks([case[:5] for case in cases], names, device, threads)
        for row, case_peaks in zip(rows, peaks):
            base = case_peaks[OP_BASELINE]
            for name, peak in case_peaks.items():
                if 'skipped' in peak:
                    continue
                entry = row['peers'][name]
                for mode in ('forward', 'forward_backward'):
                    entry[f'{mode}_peak_mib'] = peak[f'{mode}_peak_mib']
                    entry[f'{mode}_memory_ratio'] = _ratio(peak[f'{mode}_peak_mib'],
                                                           base[f'{mode}_peak_mib'])
    return rows


def bench_detector_table(peers, infer_size, train_size, train_batch=2, reps=3, device='cpu',
                         threads=2, timing=True, memory=True, size=True):
    """The detector table: every detector peer's inference and training-step time, peak memory
    (a fresh process per detector: inference, then a training step; see ``memory_probe``),
    parameters and backbone+FPN FLOPs, as ratios to the stock detector. Training steps run SGD
    at lr 0 (``bench_detector_peers``).

    Args:
        peers (dict): name -> (config path, model overrides or None), stock first
            (``detector_peers.detector_peers``).
        infer_size, train_size (tuple[int, int]): Input (H, W) of inference (batch 1) and of a
            training step (``train_batch`` images).
        train_batch (int): Defaults to 2.
        reps (int): Timed repetitions per detector. Defaults to 3.
        device (str): Defaults to 'cpu'.
        threads (int): CPU threads of each memory probe. Defaults to 2.
        timing, memory, size (bool): Which measurements to take. Default to True.

    Returns:
        dict: the sizes, and ``peers``: name -> the ``bench_detector_peers`` entry,
        {inference,train}_{peak_mib,memory_ratio}, ``detector_size``'s entry, params_ratio and
        flops_ratio.
    """
    baseline = next(iter(peers))
    table = dict(inference_size=list(infer_size), train_size=list(train_size),
                 train_batch=train_batch, peers={name: {} for name in peers})
    if timing or size:
        models = {name: build_detector(cfg, device, overrides)
                  for name, (cfg, overrides) in peers.items()}
        if timing:
            timed = bench_detector_peers(models, infer_size, train_size, train_batch, reps, device)
            for name, row in timed.items():
                table['peers'][name].update(row)
        if size:
            sizes = {name: detector_size(model, infer_size) for name, model in models.items()}
            for name, s in sizes.items():
                table['peers'][name].update(
                    s, params_ratio=s['params'] / sizes[baseline]['params'],
                    flops_ratio=s['backbone_neck_flops'] / sizes[baseline]['backbone_neck_flops'])
        del models
        release_free_heap()  # the probes build their own; do not hold these models' heap meanwhile
    if memory:
        steps = [dict(mode='inference', size=list(infer_size), batch=1),
                 dict(mode='train', size=list(train_size), batch=train_batch, lr=0.0)]
        peaks = {name: probe_peaks_mib(cfg, steps, device, threads, overrides)
                 for name, (cfg, overrides) in peers.items()}
        for name, (inference_peak, train_peak) in peaks.items():
            table['peers'][name].update(
                inference_peak_mib=inference_peak, train_peak_mib=train_peak,
                inference_memory_ratio=_ratio(inference_peak, peaks[baseline][0]),
                train_memory_ratio=_ratio(train_peak, peaks[baseline][1]))
    return table
