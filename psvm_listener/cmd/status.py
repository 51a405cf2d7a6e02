"""psvm-status upgrade check: the preconditions of the services, checked."""

import sys

from oslo_config import cfg
from oslo_upgradecheck import upgradecheck

from psvm_listener import conf as config
from psvm_listener import upgrade_checks
from psvm_listener import version


def main(argv=None):
    """Own ConfigOpts: psvm-manage registers a ``command`` option of its own
    on the global one, and both may run in one interpreter (tests)."""
    argv = sys.argv[1:] if argv is None else argv
    if '--version' in argv:  # oslo.upgradecheck's parser has no --version
        print(version.version_string())
        return 0
    conf = cfg.ConfigOpts()
    config.register(conf)
    return upgradecheck.main(conf, project='psvm',
                             upgrade_command=upgrade_checks.Checks(conf), argv=argv)


if __name__ == '__main__':
    sys.exit(main())
