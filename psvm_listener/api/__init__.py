"""psvm-api: the REST API over PSVM's switches, credentials and bindings.

The seed served these as nova API extensions (os-psvm, os-psvmcred,
os-psvmpbind); their paths and JSON shapes are kept, under ``/v2`` and
``/v2/{project_id}``.
"""
