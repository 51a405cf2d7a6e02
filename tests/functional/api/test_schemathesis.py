"""schemathesis drives the served OpenAPI document against the real server:
valid and invalid requests alike must never get a 5xx, and every response
must match the document."""

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi import checks

from psvm_listener.api import openapi
from tests import databases
from tests.functional.api import serving

SEED = 20141201  # fixed, so that a failure replays
CHECKS = [not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]

schemathesis.openapi.format('ip-address', st.ip_addresses().map(str))
schemathesis.openapi.format('switch-port', st.from_regex(
    r'\A(e|eth|ethernet|po|port-channel)\d{1,3}(/\d{1,3}){0,2}\Z'))


@pytest.fixture(scope='module', params=databases.KINDS)
def served_api(request, tmp_path_factory):
    """One server per database for the whole module: schemathesis sends
    thousands of requests, and rows left by one help the next find conflicts."""
    tmp_path = tmp_path_factory.mktemp('schemathesis')
    options = serving.config(tmp_path, auth_strategy='noauth')
    with databases.fresh_database(request.param, tmp_path) as db_url:
        with serving.running(options, db_url, tmp_path) as api:
            yield api


# Negative cases need an input to break: list routes under /v2 have none.
CASES = [(method, path, mode)
         for path, item in openapi.document()['paths'].items()
         for method, operation in item.items()
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE or operation['parameters']
         or 'requestBody' in operation]


@pytest.fixture(scope='module')
def served_schema(served_api):
    """The document as the server serves it, which is what clients see."""
    schema = schemathesis.openapi.from_url(served_api.url + '/v2/openapi.json')
    schema.config.generation.update(allow_x00=True)
    return schema


@pytest.mark.parametrize('method, path, mode', CASES)
def test_no_request_gets_a_server_error(served_api, served_schema, method, path, mode):
    operation = served_schema[path][method]

    @hypothesis.seed(SEED)
    @hypothesis.settings(max_examples=15, deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(base_url=served_api.url, checks=CHECKS)

    check()
