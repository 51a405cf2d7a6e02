"""Table and JSON output shared by every psvm-manage command."""

import json
import sys


def add_format_argument(parser):
    parser.add_argument('-f', '--format', choices=('table', 'json'), default='table',
                        help='output format (default: table)')


def print_json(document, stream=None):
    stream = stream or sys.stdout
    json.dump(document, stream, indent=2, sort_keys=True, default=str)
    stream.write('\n')


def print_table(columns, rows, stream=None):
    """Rows (sequences) under column headings, columns padded to fit."""
    stream = stream or sys.stdout
    cells = [[str(c) for c in columns]] + [
        ['' if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    rule = '+-' + '-+-'.join('-' * w for w in widths) + '-+'
    lines = [rule, _line(cells[0], widths), rule]
    lines += [_line(row, widths) for row in cells[1:]]
    lines.append(rule)
    stream.write('\n'.join(lines) + '\n')


def _line(row, widths):
    return '| ' + ' | '.join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + ' |'


def emit(fmt, columns, rows, document=None):
    """Print rows as a table, or ``document`` (default: rows as dicts) as JSON."""
    if fmt == 'json':
        if document is None:
            document = [dict(zip(columns, row, strict=True)) for row in rows]
        print_json(document)
    else:
        print_table(columns, rows)
