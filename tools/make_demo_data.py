"""Write the embedded demo dataset (COCO format, sklearn handwritten digits) to data/aw_demo/.

Usage: python tools/make_demo_data.py [--out data/aw_demo] [--seed 0] [--train 300] [--val 100]
                                     [--test 200] [--force]
"""
import argparse

from experiments.demo import CLASSES, make_demo_data

__all__ = ['CLASSES', 'make_demo_data', 'main']


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/aw_demo')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train', type=int, default=300, help='number of train images')
    parser.add_argument('--val', type=int, default=100, help='number of val images')
    parser.add_argument('--test', type=int, default=200,
                        help="number of test images (from the val split's scans)")
    parser.add_argument('--force', action='store_true', help='regenerate even if present')
    args = parser.parse_args(argv)
    paths = make_demo_data(args.out, args.train, args.val, args.seed, args.force,
                           num_test=args.test)
    print('demo data ready:', ', '.join(f'{k}: {v}' for k, v in paths.items()))


if __name__ == '__main__':
    main()
