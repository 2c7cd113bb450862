"""Each Argo document must match the schema of its kind: no unknown fields,
no wrong types, nothing required missing."""

from wflint.argo import schema

ID = "schema"
SEVERITY = "error"
SUMMARY = "Fields, types and required values match Argo's API types for the target Argo version."


def check(document, context):
    yield from schema.check(document.data, document.kind, context.argo_version)
