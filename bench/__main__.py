"""Run benchmark scenarios; print their figures as JSON, then as a table."""

import argparse
import importlib
import json
import platform
import sys
import time

from bench import SCENARIOS


def run(names):
    figures = {}
    for name in names:
        module = importlib.import_module(f'bench.{name}')
        started = time.perf_counter()
        figures[name] = module.run()
        figures[name]['scenario_seconds'] = round(time.perf_counter() - started, 2)
    return figures


def table(figures):
    rows = [(scenario, key, value)
            for scenario, values in figures.items()
            for key, value in values.items()]
    width = max((len(f'{s}.{k}') for s, k, _ in rows), default=10)
    return '\n'.join(f'{s + "." + k:<{width}}  {v}' for s, k, v in rows)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench')
    parser.add_argument('scenarios', nargs='*', metavar='SCENARIO',
                        help='scenarios to run (default: all)')
    args = parser.parse_args(argv)
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f'unknown scenario(s) {unknown}; known: {list(SCENARIOS)}')
    figures = run(args.scenarios or SCENARIOS)
    document = {'python': platform.python_version(), 'scenarios': figures}
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write('\n\n' + table(figures) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
