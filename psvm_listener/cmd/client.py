"""psvm: manage psvm-api's switches, credentials, bindings and pending plans from a shell.

The same commands as ``openstack psvm ...``, for hosts without
OpenStackClient; with it, prefer ``openstack`` (clouds.yaml, the keystone
catalog).
"""

import os
import sys
import types

from cliff import app
from cliff import commandmanager

from psvm_listener import version
from psvm_listener.client import commands
from psvm_listener.client import http


class PsvmApp(app.App):
    def __init__(self):
        manager = commandmanager.CommandManager('psvm_listener.client')
        for name, command_class in commands.COMMANDS.items():
            manager.add_command(name, command_class)
        super().__init__(description=__doc__.splitlines()[0],
                         version=version.version_string(),
                         command_manager=manager, deferred_help=True)
        self.client_manager = types.SimpleNamespace(psvm=None)

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version, argparse_kwargs)
        env = os.environ.get
        parser.add_argument('--os-url', '--os-endpoint', dest='os_url',
                            default=env('PSVM_URL'),
                            help='psvm-api endpoint, e.g. http://127.0.0.1:9797/v2 '
                                 '(env PSVM_URL); with --os-auth-url and none '
                                 'given, the keystone catalog\'s "psvm" service')
        parser.add_argument('--timeout', type=float, default=60,
                            help='seconds to wait for psvm-api (default 60)')
        parser.add_argument('--os-auth-url', default=env('OS_AUTH_URL'),
                            help='keystone v3 URL; with it, authenticate by token '
                                 '(env OS_AUTH_URL)')
        parser.add_argument('--os-username', default=env('OS_USERNAME'))
        parser.add_argument('--os-password', default=env('OS_PASSWORD'))
        parser.add_argument('--os-project-name', default=env('OS_PROJECT_NAME'))
        parser.add_argument('--os-user-domain-name',
                            default=env('OS_USER_DOMAIN_NAME', 'Default'))
        parser.add_argument('--os-project-domain-name',
                            default=env('OS_PROJECT_DOMAIN_NAME', 'Default'))
        parser.add_argument('--os-region-name', default=env('OS_REGION_NAME'))
        parser.add_argument('--os-interface', default=env('OS_INTERFACE', 'public'))
        parser.add_argument('--basic-user', default=env('PSVM_USERNAME'),
                            help='HTTP basic user, for auth_strategy http_basic '
                                 '(env PSVM_USERNAME)')
        parser.add_argument('--basic-password', default=env('PSVM_PASSWORD'),
                            help='HTTP basic password (env PSVM_PASSWORD)')
        return parser

    def initialize_app(self, argv):
        options = self.options
        if not (options.os_url or options.os_auth_url):
            return
        self.client_manager.psvm = http.Api(http.make_adapter(
            http.make_session(options), options.os_url, options.os_region_name,
            options.os_interface))

    def prepare_to_run_command(self, cmd):
        if self.client_manager.psvm is None and isinstance(cmd, commands.ApiCommand):
            raise http.ApiError('no psvm-api endpoint: give --os-url or set PSVM_URL')


def main(argv=None):
    return PsvmApp().run(sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
