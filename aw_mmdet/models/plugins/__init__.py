from .cbam_block import CBAMBlock
from .se_block import SEBlock

__all__ = ['CBAMBlock', 'SEBlock']
