"""A hook of protocol v3's run configs (Study.protocol_v3 imports this module through
``custom_imports``)."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from aw_mmdet.engine.hooks.rng_state_hook import capture_rng_state, restore_rng_state


@HOOKS.register_module()
class ValidationRngHook(Hook):
    """Validation leaves the random generators as it found them.

    A checkpoint is written before its iteration's validation, which draws random numbers (a
    DataLoader iterator draws its seed). Without this hook, a run resumed from it (``RngStateHook``
    restores the generators as saved) would sample other proposals than the uncut run, which
    validated in between; with it, training draws do not depend on when or how often the model
    validates, and a resumed run continues exactly as the uncut one.
    """

    priority = 'LOWEST'  # after_val: restore after every other hook

    def __init__(self):
        self._state = None

    def before_val(self, runner):
        self._state = capture_rng_state()

    def after_val(self, runner):
        restore_rng_state(self._state)
        self._state = None
