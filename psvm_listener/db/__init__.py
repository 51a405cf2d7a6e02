"""psvm-listener's own database: switches, their credentials, switchport bindings.

``api.Database`` is the only way in; every row leaves it as a plain dict.
"""
