"""psvm-api's HTTP server: cheroot, threads, no eventlet."""

import functools
import os

from cheroot import wsgi
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id

from psvm_listener import pending_plans
from psvm_listener import rpc
from psvm_listener import transport
from psvm_listener.api import app
from psvm_listener.api import auth
from psvm_listener.api import body_limit
from psvm_listener.api import policy
from psvm_listener.api import request_log
from psvm_listener.api import resync
from psvm_listener.db import api as db_api


def application(conf, database=None, resync_client=None):
    """The WSGI stack as ``conf`` describes it (auth strategy, policy file,
    database, transport for resync casts; nova's database and the switches
    for approving a pending plan), inside oslo.middleware's
    http_proxy_to_wsgi, request_id and /healthcheck, as other OpenStack
    APIs are."""
    database = database or db_api.Database.from_config(conf)
    resync_client = resync_client or rpc.client(conf, transport.rpc_transport(conf))
    stack = app.build(database, policy.enforcer(conf),
                      resync.Resyncer(resync_client).request,
                      lambda wsgi_app: auth.protect(wsgi_app, conf),
                      lif_limit=conf.psvm_lif_limit,
                      health=healthcheck.Healthcheck(None, conf),
                      approve_plan=functools.partial(
                          pending_plans.approve, conf, database,
                          member_id=f'psvm-api-{conf.host}-{os.getpid()}'))
    stack = body_limit.BodyLimit(stack, conf.api.max_request_body_size)
    stack = request_log.RequestLog(stack)
    stack = request_id.RequestId(stack)
    return http_proxy_to_wsgi.HTTPProxyToWSGI(stack, conf)


def make_server(conf, wsgi_app):
    """A bound cheroot server on ``[api] bind_host``/``bind_port``;
    ``bound_port(server)`` says which port it got (bind_port 0: any)."""
    server = wsgi.Server((conf.api.bind_host, conf.api.bind_port), wsgi_app,
                         numthreads=conf.api.threads, server_name='psvm-api')
    server.max_request_body_size = 0    # body_limit answers 413 in JSON
    server.prepare()
    return server


def bound_port(server):
    return server.bind_addr[1]
