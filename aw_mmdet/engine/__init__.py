from .hooks import (
    AtomicCheckpointHook,
    CheckpointFitHook,
    FiniteLossHook,
    NonFiniteLossError,
    RngStateHook,
)

__all__ = ['AtomicCheckpointHook', 'CheckpointFitHook', 'FiniteLossHook', 'NonFiniteLossError',
           'RngStateHook']
