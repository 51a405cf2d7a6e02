"""psvm: the client CLI of psvm-api (switches, credentials, bindings)."""
