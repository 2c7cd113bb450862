#!/usr/bin/env python3
"""Generate wflint's JSON Schemas (draft-07) for Argo Workflows manifests.

The schemas are derived from the pydantic v2 models that the PyPI package
``hera-workflows`` ships in ``hera.workflows.models`` (those models are
generated from Argo Workflows' OpenAPI document; each model file names the
argo-workflows release in its first lines).  This script asks pydantic for the
JSON Schema of the four manifest kinds and then applies wflint's corrections,
all mechanically, in code (see the ``correct_*`` functions below).  Facts that
hera lacks (field names and types) are kept here as data.

hera is NEVER a dependency of wflint: run this script with the Python of a
throwaway virtualenv that has the pinned hera release installed.

How to re-run (from the root of the repository):

  Argo 4.1 -> schemas/argo-4.1.json
    python3 -m venv /tmp/hera71
    /tmp/hera71/bin/pip install hera-workflows==7.1.0
    /tmp/hera71/bin/python scripts/gen_schemas.py 4.1

  Argo 3.7 -> schemas/argo-3.7.json
    python3 -m venv /tmp/hera60
    /tmp/hera60/bin/pip install hera-workflows==6.0.0
    /tmp/hera60/bin/python scripts/gen_schemas.py 3.7

Each run rewrites schemas/argo-<version>.json and the generated block for that
version in schemas/PROVENANCE.md (counts of every correction and the sha256 of
the file).  Then check the result with the project's own interpreter:

    python3 scripts/check_schemas.py /work/shared/corpus/argo-examples/
    python3 scripts/check_schemas.py --probes

Options: ``--out FILE`` writes elsewhere, ``--no-provenance`` leaves
PROVENANCE.md alone, ``--stats`` prints the counts as JSON.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import re
import sys
from collections import OrderedDict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"

KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")

# Which hera release feeds which Argo schema.  "additions" names the set of
# hand-written field additions (facts hera's models do not have yet).
PROFILES = {
    "4.1": {"hera": "7.1.0", "argo_models": "4.0.", "additions": "argo-4.1", "removed_in_v4": True},
    "3.7": {"hera": "6.0.0", "argo_models": "3.7.", "additions": None, "removed_in_v4": False},
}

# Prefixes used when two different classes share a name (pydantic then names
# the definition after the full module path).
MODULE_PREFIX = {
    "io.argoproj.workflow.v1alpha1": "Argo",
    "io.k8s.api.core.v1": "CoreV1",
    "io.k8s.api.policy.v1": "PolicyV1",
    "io.k8s.apimachinery.pkg.apis.meta.v1": "MetaV1",
    "io.k8s.apimachinery.pkg.api.resource": "Resource",
    "io.k8s.apimachinery.pkg.util.intstr": "IntStr",
}

# --- correction 2: IntOrString --------------------------------------------
# Fields that Kubernetes/Argo type as intstr.IntOrString.  Fields that hera
# already models as IntOrString (or as Union[str, int]) are found
# mechanically; this list is the cross-check, and the fields of it that hera
# models as a plain integer or string are re-typed.
INT_OR_STRING_FIELDS = [
    ("RetryStrategy", "limit"),
    ("Backoff", "factor"),
    ("Template", "activeDeadlineSeconds"),
    ("Sequence", "count"),
    ("Sequence", "start"),
    ("Sequence", "end"),
    ("ContainerSetRetryStrategy", "retries"),
    ("HTTPGetAction", "port"),
    ("TCPSocketAction", "port"),
    ("PodDisruptionBudgetSpec", "minAvailable"),
    ("PodDisruptionBudgetSpec", "maxUnavailable"),
]
# Looked at and deliberately NOT int-or-string (reported in PROVENANCE.md):
#   WorkflowSpec.activeDeadlineSeconds is *int64 in Argo's Go types (only the
#   template-level field is IntOrString); GRPCAction.port is int32 in k8s.
NOT_INT_OR_STRING = [("WorkflowSpec", "activeDeadlineSeconds"), ("GRPCAction", "port")]

INT_OR_STRING = {"type": ["integer", "string"]}
QUANTITY = {"type": ["number", "string"]}
ANY_STRING = {"type": ["string", "number", "boolean"]}

# --- correction 4: Argo's AnyString ---------------------------------------
ANY_STRING_FIELDS = [
    ("Parameter", "value"),
    ("Parameter", "default"),
    ("Parameter", "description"),
    ("ValueFrom", "default"),
]
ANY_STRING_ARRAY_FIELDS = [("Parameter", "enum")]

# --- correction 6: definitions kept permissive -----------------------------
# hera models these schemaless JSON values as empty models (properties: {})
# or as Any; they must accept any object/value.
PERMISSIVE_OBJECTS = ["Plugin", "FieldsV1"]

# --- correction 7: relaxed `required` ---------------------------------------
RELAX_REQUIRED = [
    ("Gauge", "realtime"),
    ("Container", "image"),
    ("ScriptTemplate", "image"),
    ("UserContainer", "image"),
    ("ContainerNode", "image"),
    ("ScriptTemplate", "source"),
] + [(k, "metadata") for k in KINDS]

# --- correction 9: fields removed in Argo v4 --------------------------------
REMOVED_IN_V4 = [
    ("CronWorkflowSpec", "schedule"),
    ("Synchronization", "mutex"),
    ("Synchronization", "semaphore"),
]


def _ref(name):
    return {"$ref": "#/definitions/" + name}


def _array(item):
    return {"type": "array", "items": item}


def _obj(props, required=(), strict=True):
    out = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    if not strict:
        out["additionalProperties"] = True
    return out


STR = {"type": "string"}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}

# --- correction 8: Argo 4.1 additions (facts, written by hand) --------------
# New definitions, then new fields.  Objects written with strict=False are
# those whose full field set could not be confirmed: they stay permissive.
ADDITIONS = {
    "argo-4.1": {
        "definitions": {
            # k8s core/v1 PodResourceClaim
            "PodResourceClaim": _obj(
                {"name": STR, "resourceClaimName": STR, "resourceClaimTemplateName": STR},
                required=["name"],
            ),
            # k8s core/v1 ContainerRestartRule and ContainerRestartRuleOnExitCodes
            "ContainerRestartRule": _obj(
                {"action": STR, "exitCodes": _ref("ContainerRestartRuleOnExitCodes")},
                required=["action"],
            ),
            "ContainerRestartRuleOnExitCodes": _obj(
                {"operator": STR, "values": _array(INT)}, required=["operator"]
            ),
            # k8s core/v1 FileKeySelector (EnvVarSource.fileKeyRef)
            "FileKeySelector": _obj(
                {"key": STR, "optional": BOOL, "path": STR, "volumeName": STR},
                required=["key", "path", "volumeName"],
            ),
            # k8s core/v1 PodCertificateProjection: kept permissive.
            "PodCertificateProjection": _obj(
                {
                    "certificateChainPath": STR,
                    "credentialBundlePath": STR,
                    "keyPath": STR,
                    "keyType": STR,
                    "maxExpirationSeconds": INT,
                    "signerName": STR,
                    "userAnnotations": {"type": "object", "additionalProperties": STR},
                },
                strict=False,
            ),
            # Argo's workflow-level executor plugin (same shape as the
            # ExecutorPlugin manifest): metadata + spec.sidecar.  Only the
            # sidecar container (a k8s Container) is checked strictly.
            "ExecutorPlugin": _obj(
                {
                    "apiVersion": STR,
                    "kind": STR,
                    "metadata": _ref("ObjectMeta"),
                    "spec": _ref("ExecutorPluginSpec"),
                },
                strict=False,
            ),
            "ExecutorPluginSpec": _obj({"sidecar": _ref("ExecutorPluginSidecar")}, strict=False),
            "ExecutorPluginSidecar": _obj(
                {
                    "automountServiceAccountToken": BOOL,
                    "automountWorkflowServiceAccountToken": BOOL,
                    "container": _ref("Container"),
                },
                strict=False,
            ),
        },
        "fields": [
            ("Template", "pendingTimeout", STR),  # metav1.Duration, serialised as a string
            ("Template", "podResources", _ref("ResourceRequirements")),
            ("WorkflowSpec", "podResources", _ref("ResourceRequirements")),
            ("Template", "resourceClaims", _array(_ref("PodResourceClaim"))),
            ("WorkflowSpec", "resourceClaims", _array(_ref("PodResourceClaim"))),
            ("WorkflowSpec", "executorPlugins", _array(_ref("ExecutorPlugin"))),
            ("Container", "restartPolicyRules", _array(_ref("ContainerRestartRule"))),
            ("ScriptTemplate", "restartPolicyRules", _array(_ref("ContainerRestartRule"))),
            ("UserContainer", "restartPolicyRules", _array(_ref("ContainerRestartRule"))),
            ("ContainerNode", "restartPolicyRules", _array(_ref("ContainerRestartRule"))),
            ("EnvVarSource", "fileKeyRef", _ref("FileKeySelector")),
            ("S3Artifact", "addressingStyle", {"type": "string", "enum": ["", "path", "virtual-hosted"]}),
            (
                "S3ArtifactRepository",
                "addressingStyle",
                {"type": "string", "enum": ["", "path", "virtual-hosted"]},
            ),
            ("HTTPArtifact", "saveStreamViaFile", BOOL),
            ("VolumeProjection", "podCertificate", _ref("PodCertificateProjection")),
        ],
    }
}


# ----------------------------------------------------------------------------
# generic helpers


def walk_schemas(node, fn, path="#"):
    """Call fn(schema, path) on every subschema (post-order), never on the
    maps whose keys are names (properties, definitions)."""
    if isinstance(node, dict):
        for key, val in list(node.items()):
            if key in ("properties", "definitions", "$defs", "patternProperties"):
                if isinstance(val, dict):
                    for name, sub in val.items():
                        walk_schemas(sub, fn, f"{path}/{key}/{name}")
            elif key in ("items", "additionalProperties", "not", "if", "then", "else"):
                if isinstance(val, dict):
                    walk_schemas(val, fn, f"{path}/{key}")
                elif isinstance(val, list):
                    for i, sub in enumerate(val):
                        walk_schemas(sub, fn, f"{path}/{key}/{i}")
            elif key in ("anyOf", "oneOf", "allOf"):
                for i, sub in enumerate(val):
                    walk_schemas(sub, fn, f"{path}/{key}/{i}")
        fn(node, path)


def walk_defs(defs, fn):
    for name, schema in defs.items():
        walk_schemas(schema, fn, name)


def refs_in(node):
    found = []

    def fn(schema, _path):
        if "$ref" in schema:
            found.append(schema["$ref"].rsplit("/", 1)[1])

    walk_schemas(node, fn)
    return found


def refs_in_defs(defs):
    found = []
    for schema in defs.values():
        found.extend(refs_in(schema))
    return found


def prop(defs, model, field):
    return defs[model].get("properties", {}).get(field)


class Stats:
    def __init__(self):
        self.counts = OrderedDict()
        self.details = OrderedDict()

    def add(self, key, n=1, detail=None):
        self.counts[key] = self.counts.get(key, 0) + n
        if detail is not None:
            self.details.setdefault(key, []).append(detail)


# ----------------------------------------------------------------------------
# the steps


def raw_schema(models):
    from pydantic.json_schema import models_json_schema

    kinds = [getattr(models, k) for k in KINDS]
    _, schema = models_json_schema(
        [(m, "validation") for m in kinds], ref_template="#/definitions/{model}"
    )
    return schema["$defs"]


def disambiguate_names(defs, stats):
    """pydantic names a definition after its module path when two classes
    share a name; turn those into short unique names."""
    renames = {}
    for name in defs:
        if "__" not in name:
            continue
        module, cls = name.rsplit("__", 1)
        module = module.replace("__", ".")
        module = re.sub(r"^hera\.workflows\.models\.", "", module)
        prefix = MODULE_PREFIX.get(module)
        if prefix is None:
            parts = module.split(".")[-2:]
            prefix = "".join(p[:1].upper() + p[1:] for p in parts)
        renames[name] = prefix + cls
    if len(set(renames.values())) != len(renames) or set(renames.values()) & set(defs):
        raise SystemExit(f"definition names still collide after renaming: {renames}")
    for old, new in renames.items():
        defs[new] = defs.pop(old)
        stats.add("renamed definitions", detail=f"{old} -> {new}")

    def fn(schema, _path):
        if "$ref" in schema:
            target = schema["$ref"].rsplit("/", 1)[1]
            if target in renames:
                schema["$ref"] = "#/definitions/" + renames[target]

    walk_defs(defs, fn)
    return renames


def strip_noise(defs, stats):
    def fn(schema, _path):
        for key in ("description", "title"):
            if key in schema:
                del schema[key]
                stats.add(f"removed `{key}` keywords")

    walk_defs(defs, fn)


def correct_optional(defs, stats):
    """anyOf [T, null] (+ default null) -> T."""

    def fn(schema, path):
        branches = schema.get("anyOf")
        if branches and {"type": "null"} in branches:
            rest = [b for b in branches if b != {"type": "null"}]
            del schema["anyOf"]
            if len(rest) == 1:
                clash = set(rest[0]) & set(schema) - {"default"}
                if clash:
                    raise SystemExit(f"cannot merge {rest[0]} into {schema} at {path}")
                schema.update(rest[0])
            else:
                schema["anyOf"] = rest
            stats.add("optional fields: null branch dropped")
        if "default" in schema and schema["default"] is None:
            del schema["default"]
            stats.add("optional fields: `default: null` dropped")

    walk_defs(defs, fn)


def correct_int_or_string(defs, stats):
    # a Union[str, int] written inline, not through the IntOrString model
    def inline(schema, path):
        branches = schema.get("anyOf")
        if branches and sorted(b.get("type", "") for b in branches) == ["integer", "string"] and all(
            len(b) == 1 for b in branches
        ):
            del schema["anyOf"]
            schema.update(_ref("IntOrString"))
            stats.add("IntOrString: inline str-or-int unions turned into refs", detail=path)

    walk_defs({k: v for k, v in defs.items() if k != "IntOrString"}, inline)
    defs["IntOrString"] = copy.deepcopy(INT_OR_STRING)
    stats.add("IntOrString: definition set to integer or string")
    stats.add("IntOrString: refs (fields typed int-or-string)", len([r for r in refs_in_defs(defs) if r == "IntOrString"]))
    for model, field in INT_OR_STRING_FIELDS:
        if model not in defs:
            stats.add("IntOrString: listed fields absent from this schema", detail=f"{model}.{field}")
            continue
        p = prop(defs, model, field)
        if p is None:
            stats.add("IntOrString: listed fields absent from this schema", detail=f"{model}.{field}")
        elif p != _ref("IntOrString"):
            old = json.dumps(p, sort_keys=True)
            p.clear()
            p.update(_ref("IntOrString"))
            stats.add("IntOrString: fields re-typed by hand", detail=f"{model}.{field} (was {old})")
    stats.add(
        "IntOrString: refs after correction", len([r for r in refs_in_defs(defs) if r == "IntOrString"])
    )


def correct_quantity(defs, stats):
    if "Quantity" not in defs:
        raise SystemExit("no Quantity definition in hera's schema")
    defs["Quantity"] = copy.deepcopy(QUANTITY)
    stats.add("Quantity: definition set to number or string")
    stats.add("Quantity: refs (fields/map values typed Quantity)", len([r for r in refs_in_defs(defs) if r == "Quantity"]))


def correct_any_string(defs, stats):
    defs["AnyString"] = copy.deepcopy(ANY_STRING)
    for model, field in ANY_STRING_FIELDS:
        p = prop(defs, model, field)
        if p != STR:
            raise SystemExit(f"{model}.{field} is not a plain string in hera: {p}")
        p.clear()
        p.update(_ref("AnyString"))
        stats.add("AnyString: fields re-typed", detail=f"{model}.{field}")
    for model, field in ANY_STRING_ARRAY_FIELDS:
        p = prop(defs, model, field)
        if p != _array(STR):
            raise SystemExit(f"{model}.{field} is not an array of strings in hera: {p}")
        p["items"] = _ref("AnyString")
        stats.add("AnyString: fields re-typed", detail=f"{model}.{field} (items)")


def correct_kinds(defs, stats):
    for kind in KINDS:
        props = defs[kind]["properties"]
        props["apiVersion"] = {"type": "string", "pattern": "^argoproj\\.io/"}
        props["kind"] = {"const": kind}
        stats.add("apiVersion/kind pinned", 2, detail=kind)


def add_fields(defs, additions, stats):
    spec = ADDITIONS[additions]
    for name, schema in spec["definitions"].items():
        if name in defs:
            raise SystemExit(f"addition {name} already defined by hera: update the script")
        defs[name] = copy.deepcopy(schema)
        stats.add("additions: new definitions", detail=name)
    for model, field, schema in spec["fields"]:
        props = defs[model].setdefault("properties", {})
        if field in props:
            raise SystemExit(f"addition {model}.{field} already in hera's model: update the script")
        props[field] = copy.deepcopy(schema)
        stats.add("additions: new fields", detail=f"{model}.{field}")


def check_removed(defs, removed_in_v4, stats):
    """Report (and for v4 assert) the fields that Argo 4 removed."""
    cache_ref = prop(defs, "Cache", "configMap") or {}
    cache_target = cache_ref.get("$ref", "").rsplit("/", 1)[-1]
    present = {
        "CronWorkflowSpec.schedule": prop(defs, "CronWorkflowSpec", "schedule") is not None,
        "Synchronization.mutex": prop(defs, "Synchronization", "mutex") is not None,
        "Synchronization.semaphore": prop(defs, "Synchronization", "semaphore") is not None,
        "Memoize.cache.configMap.key": "key" in defs.get(cache_target, {}).get("properties", {}),
    }
    for field, is_there in present.items():
        stats.add("v3-only fields present" if is_there else "v3-only fields absent", detail=field)
    if removed_in_v4 and any(present.values()):
        raise SystemExit(f"fields removed in Argo v4 are still in hera's models: {present}")


def relax_required(defs, stats):
    for model, field in RELAX_REQUIRED:
        req = defs.get(model, {}).get("required", [])
        if field in req:
            req.remove(field)
            if not req:
                del defs[model]["required"]
            stats.add("required relaxed: removed", detail=f"{model}.{field}")
        else:
            stats.add("required relaxed: already optional in hera", detail=f"{model}.{field}")


def make_strict(defs, stats):
    for name in PERMISSIVE_OBJECTS:
        if name in defs:
            schema = defs[name]
            if schema.get("properties"):
                raise SystemExit(f"{name} has properties now; review PERMISSIVE_OBJECTS")
            schema.pop("properties", None)
            schema["type"] = "object"
            schema["additionalProperties"] = True
            stats.add("additionalProperties: kept permissive (schemaless objects)", detail=name)

    def fn(schema, path):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
            stats.add("additionalProperties: false added")
            if not schema["properties"]:
                stats.add("additionalProperties: false on empty structs", detail=path.rsplit("/", 1)[-1])

    walk_defs(defs, fn)


def prune(defs, stats):
    keep, todo = set(), list(KINDS)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        if name not in defs:
            raise SystemExit(f"dangling $ref to {name}")
        keep.add(name)
        todo.extend(refs_in(defs[name]))
    for name in sorted(set(defs) - keep):
        del defs[name]
        stats.add("unreachable definitions dropped", detail=name)
    return {k: defs[k] for k in sorted(defs)}


# ----------------------------------------------------------------------------


def models_argo_version(models_module):
    src = Path(inspect.getsourcefile(models_module))
    head = src.read_text(encoding="utf-8")[:400]
    m = re.search(r"argo-workflows-(\d+\.\d+\.\d+)\.json", head)
    if not m:
        raise SystemExit(f"no argo-workflows version in the header of {src}")
    return m.group(1)


def generate(argo, stats):
    profile = PROFILES[argo]
    hera_version = importlib.metadata.version("hera-workflows")
    if hera_version != profile["hera"]:
        raise SystemExit(
            f"Argo {argo} is generated from hera-workflows {profile['hera']}, "
            f"but this Python has {hera_version}: see the top of this script"
        )
    models = importlib.import_module("hera.workflows.models")
    v1alpha1 = importlib.import_module("hera.workflows.models.io.argoproj.workflow.v1alpha1")
    models_from = models_argo_version(v1alpha1)
    if not models_from.startswith(profile["argo_models"]):
        raise SystemExit(f"hera {hera_version} models track argo-workflows {models_from}")

    defs = raw_schema(models)
    stats.add("definitions in hera's schema", len(defs))
    disambiguate_names(defs, stats)
    strip_noise(defs, stats)
    correct_optional(defs, stats)
    correct_int_or_string(defs, stats)
    correct_quantity(defs, stats)
    correct_any_string(defs, stats)
    correct_kinds(defs, stats)
    check_removed(defs, profile["removed_in_v4"], stats)
    if profile["additions"]:
        add_fields(defs, profile["additions"], stats)
    relax_required(defs, stats)
    make_strict(defs, stats)
    defs = prune(defs, stats)
    stats.add("definitions written", len(defs))

    source = f"hera-workflows {hera_version} (models generated from argo-workflows {models_from})"
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "x-wflint": {
            "argo-version": argo,
            "source": source,
            "generator": "scripts/gen_schemas.py",
        },
        "kinds": {k: "#/definitions/" + k for k in KINDS},
        "definitions": defs,
    }


def self_check(schema):
    try:
        import jsonschema
    except ImportError:  # the throwaway venv may lack it; check_schemas.py validates anyway
        return
    jsonschema.Draft7Validator.check_schema(schema)


def provenance_block(argo, schema, stats, path, sha):
    lines = [
        f"### schemas/{path.name}",
        "",
        f"- source: {schema['x-wflint']['source']}",
        f"- pydantic: {importlib.metadata.version('pydantic')}",
        f"- sha256: `{sha}`",
        "",
        "| step | count |",
        "| --- | ---: |",
    ]
    for key, n in stats.counts.items():
        lines.append(f"| {key} | {n} |")
    lines.append("")
    for key, items in stats.details.items():
        if key.startswith("unreachable"):
            lines.append(f"- {key}: {len(items)} (hera defines them for other resources or for fields Argo marks read-only)")
            continue
        lines.append(f"- {key}: " + ", ".join(f"`{i}`" for i in items))
    return "\n".join(lines) + "\n"


def update_provenance(argo, block):
    prov = SCHEMAS / "PROVENANCE.md"
    begin = f"<!-- BEGIN GENERATED argo-{argo} (scripts/gen_schemas.py rewrites this block) -->"
    end = f"<!-- END GENERATED argo-{argo} -->"
    text = prov.read_text(encoding="utf-8") if prov.exists() else "# Provenance of the schemas\n"
    new = f"{begin}\n{block}{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + new + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    prov.write_text(text, encoding="utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("argo", choices=sorted(PROFILES), help="Argo Workflows minor version")
    ap.add_argument("--out", type=Path, help="output file (default schemas/argo-<version>.json)")
    ap.add_argument("--no-provenance", action="store_true", help="do not touch schemas/PROVENANCE.md")
    ap.add_argument("--stats", action="store_true", help="print the correction counts as JSON")
    args = ap.parse_args(argv)

    stats = Stats()
    schema = generate(args.argo, stats)
    self_check(schema)
    out = args.out or SCHEMAS / f"argo-{args.argo}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    print(f"wrote {out} ({len(text)} bytes, {len(schema['definitions'])} definitions, sha256 {sha})")
    if not args.no_provenance and args.out is None:
        update_provenance(args.argo, provenance_block(args.argo, schema, stats, out, sha))
        print(f"updated {SCHEMAS / 'PROVENANCE.md'}")
    if args.stats:
        print(json.dumps({"counts": stats.counts, "details": stats.details}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
