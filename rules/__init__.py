"""wflint's built-in rules, registered through the `wflint.rules` entry point
like any plugin's. Each rule is a module here (or, for rules the engine itself
reports, a declaration in `core.py`), with its documentation beside it."""

from . import (core, cron, dag_cycle, dag_dependency, duplicate_template, parameter, schema,
               template_name, template_ref, unknown_template)
from . import resource_template
from . import variable
from . import template_structure, artifact, metrics, workflow_spec
from . import rbac
from . import redundant_dependency, unused_template

RULES = [
    *core.RULES,
    schema,
    template_name,
    duplicate_template,
    unknown_template,
    dag_dependency,
    dag_cycle,
    parameter,
    template_ref,
    cron,
    resource_template,
    variable,
    template_structure,
    artifact,
    metrics,
    workflow_spec,
    rbac,
    redundant_dependency,
    unused_template,
]
