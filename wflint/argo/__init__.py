"""Argo Workflows: the model of a workflow (templates, calls), the project index,
variable scopes, the schema, the permissions a workflow needs, and Argo versions.
Imports `source`, `lang`, `k8s` and the core modules.
"""
