"""Sphinx configuration of psvm-listener's release notes (reno)."""

project = 'psvm-listener Release Notes'
copyright = 'psvm-listener contributors'
extensions = ['reno.sphinxext']
exclude_patterns = ['_build']
html_theme = 'alabaster'
html_static_path = []
