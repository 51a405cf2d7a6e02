"""psvm-manage: operate psvm-listener's database and switches directly."""

import sys

from oslo_config import cfg

from psvm_listener import conf
from psvm_listener import errors
from psvm_listener import manage


def _command_opt():
    return cfg.SubCommandOpt('command', title='commands',
                             handler=manage.add_parsers,
                             help='run "psvm-manage COMMAND --help"')


def main(argv=None):
    if 'command' not in conf.CONF:
        conf.CONF.register_cli_opt(_command_opt())
    try:
        conf.load(sys.argv[1:] if argv is None else argv,
                  description=__doc__.splitlines()[0])
        return conf.CONF.command.func(conf.CONF.command) or 0
    except (conf.ConfigError, cfg.Error, errors.PsvmError, ValueError, OSError) as exc:
        print(f'psvm-manage: error: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
