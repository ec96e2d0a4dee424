from .param_checksum_hook import ParamChecksumHook, parameter_checksums

__all__ = ['ParamChecksumHook', 'parameter_checksums']
