"""The OpenAPI 3.1 document of the API, built from the same schemas that
validate requests, so the two cannot disagree."""

from psvm_listener.api import resources
from psvm_listener.api import schemas

# As nova shows them: UTC, ISO 8601 without a zone ("2014-05-01T12:00:00").
DATE_TIME = {'type': 'string', 'pattern': r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$',
             'description': 'UTC time, ISO 8601 without a zone, as nova shows it'}
OPTIONAL_DATE_TIME = {'anyOf': [DATE_TIME, {'type': 'null'}]}
OPTIONAL_COUNT = {'anyOf': [{'type': 'integer', 'minimum': 0}, {'type': 'null'}]}
ROW_FIELDS = {
    'id': schemas.ID,
    'created_at': DATE_TIME,
    'updated_at': OPTIONAL_DATE_TIME,
    'deleted': {'type': 'integer', 'minimum': 0,
                'description': '0 while live, the row id once deleted'},
    'deleted_at': OPTIONAL_DATE_TIME,
}
READ_ONLY = {
    'switch': {
        'last_sync_at': OPTIONAL_DATE_TIME,
        'last_sync_result': {'anyOf': [{'type': 'string'}, {'type': 'null'}]},
        'lif_usage': OPTIONAL_COUNT,
        'drift': OPTIONAL_COUNT,
    },
    'credential': {'password': {'const': resources.MASKED_PASSWORD}},
}
FAULT = {'type': 'object', 'minProperties': 1, 'maxProperties': 1,
         'additionalProperties': {
             'type': 'object', 'required': ['code', 'message'],
             'properties': {'code': {'type': 'integer'},
                            'message': {'type': 'string'}}}}
FAULTS = {
    '400': 'Bad input; the message names the field.',
    '401': 'Not authenticated.',
    '403': 'Not allowed by policy.',
    '404': 'No such row (never created, or deleted).',
    '409': 'Conflicts with other rows.',
    '503': 'The database does not answer.',
}


def document():
    paths = {}
    for resource in resources.ALL:
        for prefix, parameters in (('/v2', []), ('/v2/{project_id}', [_project_id()])):
            base = f'{prefix}/{resource.collection}'
            paths[base] = _collection(resource, parameters)
            paths[base + '/{id}'] = _item(resource, parameters + [_id(resource)])
    return {
        'openapi': '3.1.0',
        'info': {'title': 'psvm-api', 'version': '2.0',
                 'description': 'Switches, switch credentials and switchport '
                                'bindings of psvm-listener.'},
        'paths': paths,
        'components': {'securitySchemes': {
            'keystone': {'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'},
            'http_basic': {'type': 'http', 'scheme': 'basic'},
        }},
        'security': [{'keystone': []}, {'http_basic': []}, {}],
    }


def _row_schema(resource):
    properties = dict(ROW_FIELDS)
    properties.update(resource.fields)
    properties.update(READ_ONLY.get(resource.kind, {}))
    return {'type': 'object', 'properties': properties,
            'required': list(ROW_FIELDS) + list(resource.required)}


def _collection(resource, parameters):
    row = _row_schema(resource)
    listing = {'type': 'object', 'required': [resource.plural],
               'properties': {resource.plural: {'type': 'array', 'items': row}}}
    list_parameters = list(parameters)
    if resource is resources.BINDING:
        list_parameters.append({'name': 'switch_id', 'in': 'query', 'required': False,
                                'schema': schemas.ID})
    return {
        'get': _operation(f'List {resource.kind}s', list_parameters, listing,
                          ('400', '401', '403', '503')),
        'post': _operation(f'Create a {resource.kind}', parameters,
                           _one(resource, row), ('400', '401', '403', '409', '503'),
                           resource.create_schema),
    }


def _item(resource, parameters):
    row = _one(resource, _row_schema(resource))
    return {
        'get': _operation(f'Show a {resource.kind}', parameters, row,
                          ('401', '403', '404', '503')),
        'put': _operation(f'Update a {resource.kind}', parameters, row,
                          ('400', '401', '403', '404', '409', '503'),
                          resource.update_schema),
        'delete': _operation(f'Delete a {resource.kind}', parameters, None,
                             ('401', '403', '404', '409', '503')),
    }


def _one(resource, row):
    return {'type': 'object', 'required': [resource.singular],
            'properties': {resource.singular: row}}


def _operation(summary, parameters, result, faults, request_schema=None):
    ok = {'description': 'OK'}
    if result is not None:
        ok['content'] = {'application/json': {'schema': result}}
    responses = {'200': ok}
    for code in faults:
        responses[code] = {'description': FAULTS[code],
                           'content': {'application/json': {'schema': FAULT}}}
    operation = {'summary': summary, 'parameters': parameters, 'responses': responses}
    if request_schema is not None:
        operation['requestBody'] = {
            'required': True,
            'content': {'application/json': {'schema': request_schema}}}
    return operation


def _project_id():
    return {'name': 'project_id', 'in': 'path', 'required': True,
            'schema': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]+$',
                       'minLength': 1, 'maxLength': 64}}


def _id(resource):
    return {'name': 'id', 'in': 'path', 'required': True,
            'description': f'id of the {resource.kind}', 'schema': schemas.ID}
