"""The OpenAPI 3.1 document of the API, built from the same schemas that
validate requests, so the two cannot disagree."""

from psvm_listener import records
from psvm_listener.api import plans
from psvm_listener.api import resources
from psvm_listener.api import schemas

ROW_FIELDS = {
    'id': schemas.ID,
    'created_at': schemas.DATE_TIME,
    'updated_at': schemas.OPTIONAL_DATE_TIME,
    'deleted': {'type': 'boolean', 'description': 'false while live'},
    'deleted_at': schemas.OPTIONAL_DATE_TIME,
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
    '413': 'The body is over [api] max_request_body_size.',
    '503': 'The database does not answer.',
}
PLAN_FAULTS = {
    '404': 'No pending plan with that id, ever.',
    '409': 'The plan was applied, discarded or expired already; or it is no longer '
           'the same plan (nova or the switch changed: it expires, nothing applied); '
           'or [DEFAULT] psvm is False.',
    '502': 'The switch refused the plan or the login; the plan is pending again.',
    '503': "The database, nova's database, the coordination backend or the switch "
           'does not answer; the plan is pending again.',
}


def document():
    paths = {}
    for prefix, parameters in (('/v2', []), ('/v2/{project_id}', [_project_id()])):
        for resource in records.ALL:
            base = f'{prefix}/{resource.collection}'
            paths[base] = _collection(resource, parameters)
            paths[base + '/{id}'] = _item(resource, parameters + [_id(resource.name)])
        paths.update(_plan_paths(prefix, parameters))
    return {
        'openapi': '3.1.0',
        'info': {'title': 'psvm-api', 'version': '2.0',
                 'description': 'Switches, switch credentials and switchport '
                                'bindings of psvm-listener, and the pending plans '
                                '(syncs a guard refused) an operator approves or '
                                'discards.'},
        'paths': paths,
        'components': {'securitySchemes': {
            'keystone': {'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'},
            'http_basic': {'type': 'http', 'scheme': 'basic'},
        }},
        'security': [{'keystone': []}, {'http_basic': []}, {}],
    }


def _row_schema(resource):
    properties = dict(ROW_FIELDS)
    properties.update({f.name: _shown(f) for f in resource.fields})
    properties.update({s.name: s.schema for s in resource.status})
    return {'type': 'object', 'properties': properties,
            'required': list(ROW_FIELDS) + list(resource.required)}


def _collection(resource, parameters):
    row = _row_schema(resource)
    listing = {'type': 'object', 'required': [resource.plural],
               'properties': {resource.plural: {'type': 'array', 'items': row}}}
    list_parameters = list(parameters) + [_filter(each) for each in resource.filters]
    return {
        'get': _operation(f'List {resource.names}', list_parameters, listing,
                          ('400', '401', '403', '503')),
        'post': _operation(f'Create a {resource.name}', parameters,
                           _one(resource, row), ('400', '401', '403', '409', '413', '503'),
                           schemas.create_body(resource)),
    }


def _item(resource, parameters):
    row = _one(resource, _row_schema(resource))
    return {
        'get': _operation(f'Show a {resource.name}', parameters, row,
                          ('401', '403', '404', '503')),
        'put': _operation(f'Update a {resource.name}', parameters, row,
                          ('400', '401', '403', '404', '409', '413', '503'),
                          schemas.update_body(resource)),
        'delete': _operation(f'Delete a {resource.name}', parameters, None,
                             ('401', '403', '404', '409', '503')),
    }


def _plan_paths(prefix, parameters):
    """List, show, and the two actions (POST, no body) of the pending plans."""
    base = f'{prefix}/{plans.COLLECTION}'
    one = parameters + [_id('pending plan')]
    row = {'type': 'object', 'required': [plans.SINGULAR],
           'properties': {plans.SINGULAR: plans.ROW}}
    approved = {'type': 'object', 'required': [plans.SINGULAR, plans.SYNC],
                'properties': {plans.SINGULAR: plans.ROW, plans.SYNC: plans.SYNC_RESULT}}
    listing = {'type': 'object', 'required': [plans.PLURAL],
               'properties': {plans.PLURAL: {'type': 'array', 'items': plans.ROW}}}
    return {
        base: {'get': _operation(
            'List the pending plans', parameters + [_filter(f) for f in plans.FILTERS],
            listing, ('400', '401', '403', '503'))},
        base + '/{id}': {'get': _operation(
            'Show a pending plan, pending or decided (outcome)', one, row,
            ('401', '403', '404', '503'))},
        base + '/{id}/approve': {'post': _operation(
            'Apply a pending plan to its switch, once, exactly as kept', one, approved,
            ('401', '403', '404', '409', '502', '503'), descriptions=PLAN_FAULTS)},
        base + '/{id}/discard': {'post': _operation(
            'Discard a pending plan unapplied', one, row,
            ('401', '403', '404', '409', '503'), descriptions=PLAN_FAULTS)},
    }


def _one(resource, row):
    return {'type': 'object', 'required': [resource.singular],
            'properties': {resource.singular: row}}


def _operation(summary, parameters, result, faults, request_schema=None, descriptions=None):
    ok = {'description': 'OK'}
    if result is not None:
        ok['content'] = {'application/json': {'schema': result}}
    responses = {'200': ok}
    for code in faults:
        responses[code] = {'description': {**FAULTS, **(descriptions or {})}[code],
                           'content': {'application/json': {'schema': FAULT}}}
    operation = {'summary': summary, 'parameters': parameters, 'responses': responses}
    if request_schema is not None:
        operation['requestBody'] = {
            'required': True,
            'content': {'application/json': {'schema': request_schema}}}
    return operation


def _shown(field):
    """A field as responses show it: an id as the integer, a secret masked,
    a switch port normalised."""
    if field.secret:
        return {'const': resources.MASKED_PASSWORD}
    if field.schema is schemas.ID_IN_BODY:
        return schemas.ID
    return field.schema


def _filter(each):
    schema = {'type': 'array', 'items': schemas.ID} if each.repeat else schemas.ID
    return {'name': each.field, 'in': 'query', 'required': False, 'schema': schema,
            'explode': True}


def _project_id():
    return {'name': 'project_id', 'in': 'path', 'required': True,
            'schema': {'type': 'string', 'pattern': '^[A-Za-z0-9_-]+$',
                       'minLength': 1, 'maxLength': 64}}


def _id(kind):
    return {'name': 'id', 'in': 'path', 'required': True,
            'description': f'id of the {kind}', 'schema': schemas.ID}
