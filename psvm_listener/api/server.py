"""psvm-api's HTTP server: cheroot, threads, no eventlet."""

from cheroot import wsgi

from psvm_listener import rpc
from psvm_listener import transport
from psvm_listener.api import app
from psvm_listener.api import auth
from psvm_listener.api import policy
from psvm_listener.api import resync
from psvm_listener.db import api as db_api


def application(conf, database=None, resync_client=None):
    """The WSGI stack as ``conf`` describes it (auth strategy, policy file,
    database, transport for resync casts)."""
    database = database or db_api.Database.from_config(conf)
    resync_client = resync_client or rpc.client(conf, transport.rpc_transport(conf))
    return app.build(database, policy.enforcer(conf),
                     resync.Resyncer(resync_client).request,
                     lambda wsgi_app: auth.protect(wsgi_app, conf),
                     lif_limit=conf.psvm_lif_limit)


def make_server(conf, wsgi_app):
    """A bound cheroot server on ``[api] bind_host``/``bind_port``;
    ``bound_port(server)`` says which port it got (bind_port 0: any)."""
    server = wsgi.Server((conf.api.bind_host, conf.api.bind_port), wsgi_app,
                         numthreads=conf.api.threads, server_name='psvm-api')
    server.max_request_body_size = conf.api.max_request_body_size
    server.prepare()
    return server


def bound_port(server):
    return server.bind_addr[1]
