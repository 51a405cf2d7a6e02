import jsonschema

from psvm_listener import records
from psvm_listener.api import openapi


def test_every_operation_of_every_collection_is_described_under_both_prefixes():
    paths = openapi.document()['paths']
    for resource in records.ALL:
        for prefix in ('/v2', '/v2/{project_id}'):
            assert set(paths[f'{prefix}/{resource.collection}']) == {'get', 'post'}
            assert set(paths[f'{prefix}/{resource.collection}/{{id}}']) == {
                'get', 'put', 'delete'}


def test_every_schema_in_the_document_is_valid_json_schema():
    for path in openapi.document()['paths'].values():
        for operation in path.values():
            bodies = [operation.get('requestBody', {}).get('content', {})]
            bodies += [r.get('content', {}) for r in operation['responses'].values()]
            for content in bodies:
                for media in content.values():
                    jsonschema.Draft202012Validator.check_schema(media['schema'])
