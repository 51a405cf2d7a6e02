"""Who may do what: oslo.policy rules, admin-only unless the operator's
policy file says otherwise.

``psvm:<kind>:<action>`` for kind in credential, switch, binding and action
in list, show, create, update, delete; ``psvm:plan:<action>`` for the
pending plans (list, show, approve, discard); ``psvm:status:show`` for the
status page.  ``oslopolicy-sample-generator``
writes etc/psvm/policy.yaml.sample from ``list_rules``.
"""

from oslo_policy import policy

from psvm_listener import records
from psvm_listener.api import plans

ADMIN = 'role:admin'
STATUS_RULE = 'psvm:status:show'
ACTIONS = {
    'list': ('GET', '', 'List {kinds}.'),
    'show': ('GET', '/{id}', 'Show one {kind}.'),
    'create': ('POST', '', 'Create a {kind}.'),
    'update': ('PUT', '/{id}', 'Change a {kind}.'),
    'delete': ('DELETE', '/{id}', 'Delete a {kind}.'),
}
PLAN_ACTIONS = {
    'list': ('GET', '', 'List the pending plans (syncs a guard refused).'),
    'show': ('GET', '/{id}', 'Show one pending plan, pending or decided.'),
    'approve': ('POST', '/{id}/approve', 'Apply a pending plan to its switch, once.'),
    'discard': ('POST', '/{id}/discard', 'Discard a pending plan unapplied.'),
}


def rule_name(kind, action):
    return f'psvm:{kind}:{action}'


def list_rules():
    """Every rule with its default, for the enforcer and the sample generator."""
    rules = [policy.RuleDefault('admin_api', ADMIN,
                                description='Default rule of every PSVM API call.')]
    for resource in records.ALL:
        for action, (method, suffix, description) in ACTIONS.items():
            rules.append(policy.DocumentedRuleDefault(
                name=rule_name(resource.name, action),
                check_str='rule:admin_api',
                description=description.format(kind=resource.name, kinds=resource.names),
                operations=[{'method': method,
                             'path': f'/v2/{resource.collection}{suffix}'}]))
    for action, (method, suffix, description) in PLAN_ACTIONS.items():
        rules.append(policy.DocumentedRuleDefault(
            name=rule_name(plans.NAME, action), check_str='rule:admin_api',
            description=description,
            operations=[{'method': method, 'path': f'/v2/{plans.COLLECTION}{suffix}'}]))
    rules.append(policy.DocumentedRuleDefault(
        name=STATUS_RULE, check_str='rule:admin_api',
        description='Show the status page: every switch, its LIF usage, last sync, '
                    'drift and refusals.',
        operations=[{'method': 'GET', 'path': '/status'}]))
    return rules


def enforcer(conf):
    """An enforcer reading ``[oslo_policy] policy_file`` over the defaults."""
    enforcing = policy.Enforcer(conf)
    enforcing.register_defaults(list_rules())
    return enforcing
