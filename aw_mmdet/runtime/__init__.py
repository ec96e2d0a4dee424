from .cpu_malloc import tune_glibc_malloc

__all__ = ['tune_glibc_malloc']
