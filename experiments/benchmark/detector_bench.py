"""Detector level: stock Faster R-CNN R101-FPN vs the AW config, same inputs, same process."""
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.utils import register_all_modules
from mmengine.config import Config
from mmengine.structures import InstanceData

from .shared_weights import init_by_name
from .timing import ratio, time_pair


def build_detector(config_path, device='cpu'):
    """Model of a config without downloading pretrained weights (init_cfg dropped), with weights
    keyed by parameter name so stock and AW share every common weight (see shared_weights)."""
    register_all_modules()
    cfg = Config.fromfile(config_path)
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    init_by_name(model)
    return model.to(device)


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


def train_step_fn(model, data):
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-5,
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
