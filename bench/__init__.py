"""Benchmark harness: ``python -m bench [SCENARIO ...]`` prints one JSON document.

Each module named in SCENARIOS has ``run() -> dict`` returning its figures.
"""

SCENARIOS = ('lab_switch', 'psvm_db', 'sync', 'inventory', 'nova_watch', 'events', 'baseline',
             'api', 'several_listeners', 'scale', 'targeted')
