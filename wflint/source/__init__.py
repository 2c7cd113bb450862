"""Files to documents with positions: reading, discovery, YAML loading, scalars.

Knows YAML and the Kubernetes document header (kind, apiVersion, metadata), not Argo's
fields. Imports nothing of wflint but `finding` and `suggest`.
"""
