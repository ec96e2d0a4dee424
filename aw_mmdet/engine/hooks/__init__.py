"""Runner hooks (registered in mmengine's HOOKS on import): crash-safe checkpoints, a stop at the
first non-finite loss, random generator state across resume, and the checkpoint fit check."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .checkpoint_fit_hook import CheckpointFitHook
from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .rng_state_hook import RngStateHook

__all__ = ['AtomicCheckpointHook', 'CheckpointFitHook', 'FiniteLossHook', 'NonFiniteLossError',
           'RngStateHook']
