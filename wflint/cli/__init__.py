"""The command line: `wflint check`, `wflint rbac`, and the other commands. The top layer.
"""
