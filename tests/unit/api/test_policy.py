import pathlib
import subprocess
import sys

import pytest
from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from psvm_listener.api import policy

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def enforcer():
    options = cfg.ConfigOpts()
    options([], default_config_files=[], default_config_dirs=[])
    return policy.enforcer(options)


@pytest.mark.parametrize('roles, allowed', [(['admin'], True), (['member', 'reader'], False),
                                            ([], False)])
def test_every_rule_is_admin_only_by_default(enforcer, roles, allowed):
    creds = {'roles': roles, 'project_id': 'p', 'user_id': 'u'}
    names = [rule.name for rule in policy.list_rules() if rule.name.startswith('psvm:')]
    assert len(names) == 20  # 3 resources x 5 actions, 4 on plans, the status page
    for name in names:
        assert enforcer.authorize(name, {}, creds) is allowed, name


def test_unknown_rule_is_an_error_not_an_open_door(enforcer):
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        enforcer.authorize('psvm:switch:reboot', {}, {'roles': ['admin']})


def test_sample_policy_is_fresh(tmp_path):
    """etc/psvm/policy.yaml.sample must be what oslopolicy-sample-generator writes now."""
    out = tmp_path / 'policy.yaml'
    subprocess.run([sys.executable, '-c',
                    'import sys; from oslo_policy.generator import generate_sample; '
                    'sys.exit(generate_sample())',
                    '--namespace', 'psvm_listener', '--output-file', str(out)],
                   check=True, capture_output=True)
    committed = (ROOT / 'etc/psvm/policy.yaml.sample').read_text()
    assert '"psvm:switch:delete": "rule:admin_api"' in committed
    assert out.read_text() == committed, 'policy.yaml.sample is stale: run "make genconfig"'
