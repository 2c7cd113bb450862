"""Kubernetes facts: resource kinds and scopes, and the RBAC authorizer. Imports only
`source`, `lang` and the top-level core modules.
"""
