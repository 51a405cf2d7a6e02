"""Sphinx configuration of psvm-listener's documentation.

The configuration, policy, REST API and CLI references are generated from
the code (oslo.config, oslo.policy, the OpenAPI document, the programs'
own parsers); ``tox -e docs`` and tests/functional/test_docs.py build it
with warnings as errors.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_ext'))

project = 'psvm-listener'
copyright = 'psvm-listener contributors'
extensions = [
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
    'cli_reference',
    'openapi_reference',
]
config_generator_config_file = '../../etc/psvm/psvm-config-generator.conf'
sample_config_basename = '_static/psvm'
policy_generator_config_file = '../../etc/psvm/psvm-policy-generator.conf'
sample_policy_basename = '_static/psvm'
exclude_patterns = ['_build']
html_theme = 'alabaster'
html_static_path = ['_static']
