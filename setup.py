"""aw_mmdet: AW-convolution (attention on weights) for MMDetection 3.x.

Installs the plugin only (``aw_mmdet/``: what a config's ``custom_imports`` needs).
``experiments/``, ``tools/``, ``configs/`` and ``tests/`` stay in the repository: ``package_dir``
maps the top level to the repository root, so an editable install (``make setup``,
``pip install -e .``) puts the root on ``sys.path`` and ``python tools/demo.py`` imports
``experiments`` from the checkout, while a wheel ships ``aw_mmdet`` alone.
"""
from setuptools import find_packages, setup

setup(
    name='aw_mmdet',
    version='0.1.0',
    description='AW-convolution (attention on convolution weights) plugin for MMDetection 3.x',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    package_dir={'': '.'},
    packages=find_packages(include=['aw_mmdet', 'aw_mmdet.*']),
    # the fused CPU kernel's source: compiled on first use (aw_mmdet/ops/fused_kernel.py)
    package_data={'aw_mmdet.ops': ['csrc/*.cpp']},
    python_requires='>=3.8',
    install_requires=[
        'torch>=2.1',
        'mmengine>=0.10.7,<0.11',
        'mmcv>=2.0.0,<2.2.0',
        'mmdet>=3.3.0,<3.4',
        'pycocotools',
        'numpy',
    ],
    # tools/export_onnx.py: `pip install -e .[export]`
    extras_require={'export': ['onnx>=1.17', 'onnxruntime>=1.19']},
    license='Apache-2.0',
)
