"""Argument and input checks for AWConv2d: every failure is a ValueError naming the field."""
from torch.nn.modules.utils import _pair


def _positive_ints(name, value, minimum):
    values = _pair(value)
    if len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValueError(f'AWConv2d: {name} must be an int or a pair of ints, got {value!r}')
    if any(v < minimum for v in values):
        raise ValueError(f'AWConv2d: {name} must be >= {minimum}, got {value!r}')


def _positive_int(name, value, minimum=1):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f'AWConv2d: {name} must be an int >= {minimum}, got {value!r}')


PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')


def check_aw_args(*, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                  padding_mode, reduction, min_hidden, attention, modes):
    _positive_int('in_channels', in_channels)
    _positive_int('out_channels', out_channels)
    _positive_int('groups', groups)
    if in_channels % groups:
        raise ValueError(f'AWConv2d: in_channels ({in_channels}) must be divisible by groups '
                         f'({groups})')
    if out_channels % groups:
        raise ValueError(f'AWConv2d: out_channels ({out_channels}) must be divisible by groups '
                         f'({groups})')
    _positive_ints('kernel_size', kernel_size, 1)
    _positive_ints('stride', stride, 1)
    _positive_ints('dilation', dilation, 1)
    if isinstance(padding, str):
        if padding not in ('same', 'valid'):
            raise ValueError(f"AWConv2d: padding must be 'same', 'valid' or ints, got {padding!r}")
        if padding == 'same' and any(s != 1 for s in _pair(stride)):
            raise ValueError("AWConv2d: padding='same' needs stride 1")
    else:
        _positive_ints('padding', padding, 0)
    if padding_mode not in PADDING_MODES:
        raise ValueError(f'AWConv2d: padding_mode must be one of {PADDING_MODES}, '
                         f'got {padding_mode!r}')
    _positive_int('reduction', reduction)
    _positive_int('min_hidden', min_hidden)
    if attention not in modes:
        raise ValueError(f'AWConv2d: attention must be one of {modes}, got {attention!r}')


def check_conv_input(conv, x):
    """Reject inputs the conv cannot take with a ValueError instead of a deep RuntimeError."""
    if x.dim() != 4:
        raise ValueError(f'AWConv2d: input must be 4-D (N, C, H, W), got shape {tuple(x.shape)}')
    if x.shape[1] != conv.in_channels:
        raise ValueError(f'AWConv2d: input has {x.shape[1]} channels, in_channels is '
                         f'{conv.in_channels}')
    if conv.padding == 'same':
        return
    padding = (0, 0) if conv.padding == 'valid' else conv.padding
    for axis, size in (('height', x.shape[2]), ('width', x.shape[3])):
        i = 0 if axis == 'height' else 1
        span = conv.dilation[i] * (conv.kernel_size[i] - 1) + 1
        if size + 2 * padding[i] < span:
            raise ValueError(f'AWConv2d: input {axis} {size} (+2*padding {padding[i]}) is '
                             f'smaller than the dilated kernel ({span})')
