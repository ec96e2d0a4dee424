from .atomic_checkpoint_hook import AtomicCheckpointHook
from .finite_loss_hook import FiniteLossHook, NonFiniteLossError
from .param_checksum_hook import ParamChecksumHook, parameter_checksums
from .rng_state_hook import RngStateHook

__all__ = ['AtomicCheckpointHook', 'FiniteLossHook', 'NonFiniteLossError', 'ParamChecksumHook',
           'RngStateHook', 'parameter_checksums']
