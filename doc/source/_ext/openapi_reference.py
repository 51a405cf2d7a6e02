"""``.. openapi-reference::``: the REST API reference, from the OpenAPI
document psvm-api serves at /v2/openapi.json (psvm_listener.api.openapi),
so the page says what the server validates.

Paths under ``/v2/{project_id}/`` repeat those under ``/v2/``; they are
listed once.
"""

import json

from docutils import nodes
from docutils.parsers.rst import Directive

PROJECT_PREFIX = '/v2/{project_id}/'
METHODS = ('get', 'post', 'put', 'delete')


def _paragraph(text):
    return nodes.paragraph(text=text)


def _schema_block(schema):
    return nodes.literal_block(text=json.dumps(schema, indent=2), language='json')


def _operation(method, path, operation):
    title = f'{method.upper()} {path}'
    section = nodes.section(ids=[nodes.make_id(f'operation {title}')])
    section += nodes.title(text=title)
    section += _paragraph(operation.get('summary', ''))
    parameters = operation.get('parameters', [])
    if parameters:
        items = nodes.bullet_list()
        for parameter in parameters:
            items += nodes.list_item('', _paragraph(
                f"{parameter['name']} ({parameter['in']}): "
                f"{parameter.get('description', '')}".rstrip(': ')))
        section += _paragraph('Parameters:')
        section += items
    body = operation.get('requestBody', {}).get('content', {}).get('application/json')
    if body:
        section += _paragraph('Request body:')
        section += _schema_block(body['schema'])
    responses = nodes.bullet_list()
    for status, response in operation.get('responses', {}).items():
        responses += nodes.list_item('', _paragraph(f"{status}: {response['description']}"))
    section += _paragraph('Responses:')
    section += responses
    ok = operation.get('responses', {}).get('200', {}).get('content', {})
    if 'application/json' in ok:
        section += _paragraph('200 body:')
        section += _schema_block(ok['application/json']['schema'])
    return section


class OpenApiReference(Directive):
    def run(self):
        from psvm_listener.api import openapi
        document = openapi.document()
        result = [_paragraph(f"{document['info']['title']} {document['info']['version']}, "
                             f"OpenAPI {document['openapi']}. Every path below is also "
                             f'served under {PROJECT_PREFIX} (the project id is ignored).')]
        for path, operations in document['paths'].items():
            if path.startswith(PROJECT_PREFIX):
                continue
            for method in METHODS:
                if method in operations:
                    result.append(_operation(method, path, operations[method]))
        return result


def setup(app):
    app.add_directive('openapi-reference', OpenApiReference)
    return {'parallel_read_safe': True}
