"""Shipping lamtrace to functions: the Lambda layer builder and ``lamtrace doctor``.

Offline tooling: nothing here runs inside a function, and none of it goes into the layer.
"""
