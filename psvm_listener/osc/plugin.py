"""The OpenStackClient plugin of psvm-api (entry point ``openstack.cli.extension``).

OpenStackClient authenticates (clouds.yaml, OS_* variables, --os-*), and
finds psvm-api in the keystone catalog under service type ``psvm``, or at
``--os-endpoint`` / ``psvm_endpoint_override``; the commands are
``psvm_listener.client.commands``, as the standalone ``psvm`` runs them.
"""

from psvm_listener.client import http

API_NAME = 'psvm'
API_VERSION_OPTION = 'os_psvm_api_version'
API_VERSIONS = {'2': 'psvm_listener.osc.plugin'}
DEFAULT_API_VERSION = '2'


def make_client(instance):
    """The psvm-api client of OpenStackClient's ClientManager ``instance``."""
    endpoint = instance.get_endpoint_for_service_type(
        http.SERVICE_TYPE, region_name=instance.region_name,
        interface=instance.interface)
    return http.Api(http.make_adapter(instance.session, endpoint, instance.region_name,
                                      instance.interface))


def build_option_parser(parser):
    parser.add_argument('--os-psvm-api-version', metavar='<psvm-api-version>',
                        default=DEFAULT_API_VERSION,
                        help=f'psvm API version, default {DEFAULT_API_VERSION} '
                             f'(only 2)')
    return parser
