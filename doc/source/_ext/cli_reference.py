"""``.. cli-reference:: PROGRAM``: the help of a console script and of every
subcommand, from the parsers the program itself builds, so the page cannot
drift from the code.

psvm-manage and psvm-status build argparse trees (through oslo.config's
sub-command option); psvm is a cliff application, whose commands each build
their own parser.
"""

import argparse

from docutils import nodes
from docutils.parsers.rst import Directive


def _argparse_sections(prog, parser):
    """(title, help text) for ``parser`` and each subcommand under it."""
    yield prog, parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _argparse_sections(f'{prog} {name}', child)


def _psvm_manage():
    from psvm_listener import manage
    parser = argparse.ArgumentParser(
        prog='psvm-manage', description="Operate psvm-listener's database and "
        'switches directly (oslo.config options such as --config-file come first).')
    manage.add_parsers(parser.add_subparsers(dest='command', metavar='COMMAND'))
    return _argparse_sections('psvm-manage', parser)


def _psvm_status():
    """The parsers oslo.upgradecheck adds, through its own option handler."""
    from oslo_config import cfg
    from oslo_upgradecheck import upgradecheck

    from psvm_listener import upgrade_checks
    conf = cfg.ConfigOpts()
    upgradecheck.register_cli_options(conf, upgrade_checks.Checks(conf))
    parser = argparse.ArgumentParser(prog='psvm-status')
    conf._opts['command']['opt'].handler(
        parser.add_subparsers(dest='command', metavar='COMMAND'))
    return _argparse_sections('psvm-status', parser)


def _psvm():
    from psvm_listener.cmd import client
    app = client.PsvmApp()
    yield 'psvm', app.parser.format_help()
    for name, entry in sorted(app.command_manager):
        command = entry.load()(app, None)
        yield f'psvm {name}', command.get_parser(f'psvm {name}').format_help()


PROGRAMS = {'psvm-manage': _psvm_manage, 'psvm-status': _psvm_status, 'psvm': _psvm}


class CliReference(Directive):
    required_arguments = 1

    def run(self):
        result = []
        for title, text in PROGRAMS[self.arguments[0]]():
            section = nodes.section(ids=[nodes.make_id(f'command {title}')])
            section += nodes.title(text=title)
            section += nodes.literal_block(text=text.rstrip(), language='text')
            result.append(section)
        return result


def setup(app):
    app.add_directive('cli-reference', CliReference)
    return {'parallel_read_safe': True}
