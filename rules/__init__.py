"""wflint's built-in rules, registered through the `wflint.rules` entry point
like any plugin's. Each rule is a module here (or, for rules the engine itself
reports, a declaration in `core.py`), with its documentation beside it."""

from . import core, schema

RULES = [*core.RULES, schema]
