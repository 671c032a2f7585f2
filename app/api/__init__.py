"""The HTTP layer: one module per resource. Routers parse, call the domain, render.

Nothing below this package imports it (tests/project/test_layers.py).
"""
