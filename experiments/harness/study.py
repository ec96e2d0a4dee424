"""What a comparison varies and measures: a base config, its variants as config transforms, the
pairs the report compares and the metrics it reads. Everything else (runs, cache, statistics,
report, plot) is the harness's, the same for every study."""
import copy

#: protocol v3's ValidationRngHook
HOOKS_MODULE = 'experiments.harness.validation_rng_hook'


class Study:
    """A study; subclasses set the attributes and may override the methods that do nothing here."""

    title = ''  # what the report calls the study
    tool = ''  # the command that runs it
    name = ''  # what the verdict calls the study
    config = ''  # the default base config
    backbone = ''  # model.backbone.type every variant expects in the base config
    variants = {}  # name -> transforms fn(cfg), each editing a Config in place (or ValueError)
    metrics = {}  # key -> label; the first is the primary, plotted per seed
    percent = False  # metrics are fractions, reported in points (x100)
    defaults = {}  # command-line defaults (val_interval)
    quick = {}  # what --quick puts in their place (a smoke run)
    final = {}  # protocol v3's final runs (docs/evidence_protocol.md 5): variants, seeds, iters
    primary = ()  # (variant, baseline) pairs with a verdict (harness/verdict.py)
    secondary = ()  # (variant, baseline) pairs reported as exploratory
    ablation = {}  # batch_size, mean_images (None: all), shuffle of the AW runs' ablations (5.7)

    def add_arguments(self, parser):
        """Command-line options of this study only."""

    def prepare(self, cfg, args):
        """Change the base config for this study's own options (after the schedule is set)."""

    def train_images(self, cfg):
        """Train-image dataset config for the test loader (the ablations' mean attention)."""
        raise NotImplementedError

    def use_test_split(self, cfg):
        """Point the test loader and evaluator at the test split (protocol v3)."""

    def protocol_v3(self, cfg):
        """Protocol v3's final-run settings (5.1) in ``cfg.harness`` for harness/run.py: the test
        split read once and AW runs ablated; a checkpoint per validation, so a cut run resumes as
        the uncut one went on (ValidationRngHook)."""
        self.use_test_split(cfg)
        cfg.default_hooks.checkpoint.update(interval=cfg.train_cfg.val_interval,
                                            max_keep_ckpts=1, save_last=True)
        cfg.custom_imports.imports = list(cfg.custom_imports.imports) + [HOOKS_MODULE]
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [dict(type='ValidationRngHook')]
        cfg.harness = dict(phase='final', test=True, ablation=dict(
            self.ablation, mean_dataset=self.train_images(cfg)))

    def seed(self, cfg, seed):
        """Seed the run: model init and data order."""
        cfg.randomness = dict(seed=seed, deterministic=False)

    def base_config(self, args):
        """The base config with what every run shares, from harness/compare.py's ``args``."""
        from mmengine.config import Config
        cfg = Config.fromfile(args.config, import_custom_modules=False)
        if args.iters is not None:  # protocol v3 keeps the warm-up (5.3); smoke runs stretch
            (stretch_schedule if args.quick else extend_schedule)(cfg, args.iters)
        if args.val_interval is not None:
            cfg.train_cfg.val_interval = args.val_interval
            cfg.train_cfg.pop('val_begin', None)
        if args.batch_size:
            cfg.train_dataloader.batch_size = args.batch_size
        self.prepare(cfg, args)
        self.protocol_v3(cfg)
        cfg.merge_from_dict(args.cfg_options)
        if not 1 <= cfg.train_cfg.val_interval <= cfg.train_cfg.max_iters:
            raise ValueError(f'val_interval {cfg.train_cfg.val_interval} must be within '
                             f'1..max_iters ({cfg.train_cfg.max_iters})')
        return cfg

    def apply(self, cfg, variant):
        """Turn ``cfg`` into ``variant`` in place and return it (ValueError where it cannot)."""
        if variant not in self.variants:
            raise ValueError(f'unknown variant {variant!r}; choose from {sorted(self.variants)}')
        found = cfg.model.backbone.get('type')
        if found != self.backbone:
            raise ValueError(f'variant {variant!r}: expected model.backbone.type='
                             f'{self.backbone!r} in the config, found {found!r}')
        for transform in self.variants[variant]:
            try:
                transform(cfg)
            except ValueError as err:
                raise ValueError(f'variant {variant!r}: {err}') from None
        return cfg

    def run_config(self, base, variant, seed):
        """A copy of ``base`` turned into ``variant`` (:meth:`apply`) and seeded."""
        cfg = self.apply(copy.deepcopy(base), variant)
        self.seed(cfg, seed)
        return cfg


def stretch_schedule(cfg, iters):
    """Train ``iters`` iterations with every scheduler's begin/end scaled (the lr's shape stays);
    ``cfg`` is an iteration-based config, changed in place."""
    old = cfg.train_cfg.max_iters
    for sched in cfg.param_scheduler:
        for key in ('begin', 'end'):
            if key in sched:
                sched[key] = max(0, min(iters, round(sched[key] * iters / old)))
        if sched.get('end', 1) <= sched.get('begin', 0):
            sched['end'] = sched.get('begin', 0) + 1
    cfg.train_cfg.max_iters = iters


def extend_schedule(cfg, iters):
    """Train ``iters`` iterations: same warm-up, then what ran to the end (cosine) to ``iters``;
    ValueError where that would cut the warm-up. ``cfg`` is changed in place."""
    old = cfg.train_cfg.max_iters
    for sched in cfg.param_scheduler:
        if sched.get('end', old) >= old:
            sched['end'] = iters
        elif sched['end'] >= iters:
            raise ValueError(f'--iters {iters} cuts the {sched.type} scheduler, which ends at '
                             f"{sched['end']}")
        if sched.get('begin', 0) >= iters:
            raise ValueError(f'--iters {iters}: the {sched.type} scheduler begins at '
                             f"{sched['begin']}")
    cfg.train_cfg.max_iters = iters
