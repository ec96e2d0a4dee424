"""Detector level: stock Faster R-CNN R101-FPN vs the AW config (or vs AW's peers), same inputs,
same process."""
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.utils import register_all_modules
from mmengine.config import Config
from mmengine.structures import InstanceData

from ..bn_stats import calibrate_backbone_bn
from .shared_weights import init_by_name
from .timing import ratio, ratios_to, time_many, time_pair

#: (H, W) of the synthetic batch that sets the benchmark detectors' BN statistics
CALIBRATION_SIZE = (320, 320)


def build_detector(config_path, device='cpu', model_overrides=None):
    """Model of a config without downloading pretrained weights (init_cfg dropped), with weights
    keyed by parameter name so stock and AW share every common weight (see shared_weights), and
    backbone BN statistics that normalise, as a pretrained backbone's do (see experiments/bn_stats).

    Args:
        config_path (str): An mmdet config file.
        device (str): Defaults to 'cpu'.
        model_overrides (dict, optional): Merged into ``cfg.model`` (mmengine's merge, as a
            config inheriting this one would do). Defaults to None.
    """
    register_all_modules()
    cfg = Config.fromfile(config_path)
    if model_overrides:
        cfg.merge_from_dict(dict(model=model_overrides))
    return build_detector_from_cfg(cfg, device)


def build_detector_from_cfg(cfg, device='cpu'):
    """``build_detector`` for a loaded config (``cfg.model`` is used)."""
    register_all_modules()
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    init_by_name(model)
    model = model.to(device)
    calibrate_backbone_bn(model, [synthetic_batch(2, *CALIBRATION_SIZE, device=device)])
    return model


def synthetic_batch(batch, height, width, device='cpu', seed=0):
    """Images and a few ground-truth boxes, already in the data preprocessor's input format."""
    gen = torch.Generator().manual_seed(seed)
    inputs = [(torch.rand(3, height, width, generator=gen) * 255).to(torch.uint8)
              for _ in range(batch)]
    samples = []
    for _ in range(batch):
        s = DetDataSample(metainfo=dict(img_shape=(height, width), ori_shape=(height, width),
                                        scale_factor=(1.0, 1.0)))
        xy = torch.rand(4, 2, generator=gen) * torch.tensor([width * 0.6, height * 0.6])
        wh = 32 + torch.rand(4, 2, generator=gen) * torch.tensor([width * 0.3, height * 0.3])
        s.gt_instances = InstanceData(bboxes=torch.cat([xy, xy + wh], 1),
                                      labels=torch.randint(0, 80, (4,), generator=gen))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def inference_fn(model, data):
    def run():
        model.eval()
        with torch.no_grad():
            model.test_step(data)
    return run


def train_step_fn(model, data, lr=1e-5):
    """One SGD step (forward, losses, backward, update). ``lr=0`` does the same work and leaves
    the weights as they are, so every repetition times the same model."""
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr,
                                momentum=0.9)

    def run():
        model.train()
        batch = model.data_preprocessor(data, True)
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return run


def bench_detectors(stock_cfg, aw_cfg, infer_size, train_size, train_batch=2, reps=3,
                    device='cpu'):
    stock, aw = build_detector(stock_cfg, device), build_detector(aw_cfg, device)
    infer_data = synthetic_batch(1, *infer_size, device=device)
    train_data = synthetic_batch(train_batch, *train_size, device=device)
    infer = time_pair(inference_fn(stock, infer_data), inference_fn(aw, infer_data), reps=reps,
                      device=device)
    train = time_pair(train_step_fn(stock, train_data), train_step_fn(aw, train_data), reps=reps,
                      device=device)
    return dict(inference=infer, inference_ratio=ratio(infer), inference_size=list(infer_size),
                train_step=train, train_step_ratio=ratio(train), train_size=list(train_size),
                train_batch=train_batch)


def bench_detector_peers(models, infer_size, train_size, train_batch=2, reps=3, device='cpu'):
    """Inference and training-step time of every detector peer in one interleaved loop each, as
    ratios to the first (the stock detector). The training step runs SGD at lr 0: the same work,
    and the weights stay as ``init_by_name`` set them (DCN's offsets included; shared_weights).

    Args:
        models (dict): name -> detector (``build_detector``), the baseline first.
        infer_size, train_size (tuple[int, int]): Input (H, W) of inference (batch 1) and of a
            training step.
        train_batch (int): Images per training step. Defaults to 2.
        reps (int): Timed repetitions per detector. Defaults to 3.
        device (str): Defaults to 'cpu'.

    Returns:
        dict: name -> {inference, train_step (time stats in s), inference_ratio,
        train_step_ratio}.
    """
    baseline = next(iter(models))
    infer_data = synthetic_batch(1, *infer_size, device=device)
    train_data = synthetic_batch(train_batch, *train_size, device=device)
    infer = time_many({n: inference_fn(m, infer_data) for n, m in models.items()}, reps=reps,
                      device=device)
    train = time_many({n: train_step_fn(m, train_data, lr=0.0) for n, m in models.items()},
                      reps=reps, device=device)
    infer_ratio, train_ratio = ratios_to(infer, baseline), ratios_to(train, baseline)
    return {n: dict(inference=infer[n], inference_ratio=infer_ratio[n], train_step=train[n],
                    train_step_ratio=train_ratio[n])
            for n in models}
