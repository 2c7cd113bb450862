"""Artifacts have the paths, locations, sources and archive settings Argo requires where they are used."""

import posixpath

from wflint.argo import callgraph, model
from wflint.finding import WARNING, finding
from wflint.suggest import did_you_mean

from ._helpers import GC_STRATEGIES, gc_strategy, label, tagged, version_flags  # noqa: F401

ID = "artifact"
SEVERITY = "error"
SUMMARY = "Artifacts have the paths, locations, sources and archive settings Argo requires where they are used."

# Artifact locations, in the order Argo picks the first one set
# (ArtifactLocation.Get), with the field that gives each one a key.
LOCATION_KEYS = {"artifactory": "url", "azure": "blob", "git": "repo", "gcs": "key", "hdfs": "path",
                 "http": "url", "oss": "key", "raw": None, "s3": "key", "plugin": "key"}
LOCATIONS = tuple(LOCATION_KEYS)
ARCHIVES = ("tar", "none", "zip")
# Each check has an id of its own (`artifact/<check>`) and a `### ` section in the rule's doc.
CHECKS = {
    "source": "An argument artifact has a source (`from`, a location or a key), not both `from` and "
              "`fromExpression`; a template's input artifact has no `from`.",
    "path": "A leaf template's artifact has a `path`, without `..`; other templates' artifacts have none.",
    "output-location": "An output artifact is not saved to a location Argo can only read from (git, raw).",
    "location-count": "An artifact has at most one location.",
    "location": "git and hdfs artifact locations are complete.",
    "artifact-gc": "An artifact's `artifactGC.strategy` is a known strategy.",
    "mode": "An artifact's `mode` is a file mode between 0 and 0777.",
    "archive": "An artifact's `archive` sets one strategy, and a gzip `compressionLevel` from -2 to 9.",
}


def check(document, context):
    v4 = version_flags(context.argo_version)[0]
    base, spec = model.spec(document)
    holder = None
    if spec.get("workflowTemplateRef") is not None:
        holder = callgraph.graph_of(document, context.index).workflow_template_ref()
    inherited = set()
    if holder is not None:
        if holder.opaque:
            inherited = None   # anything may come from the template
        else:
            inherited = {a.get("name") for a in _artifacts(model.as_dict(holder.spec.get("arguments")))}
    if _lists_artifacts(spec.get("arguments")):
        yield from _arguments(base + ("arguments",), spec.get("arguments"), "workflow argument artifact {}", v4,
                              inherited)
    # Most templates, steps and tasks have no artifacts: each is skipped after a look at its
    # blocks (helpers at the end of the file).
    for at in model.all_templates(document):
        template = at.template
        if ("inputs" in template or "outputs" in template or "archiveLocation" in template) \
                and _has_artifacts(template):
            yield from _template(at, v4)
        # (a template without `steps` or `dag` has no steps or tasks)
        if "steps" in template:
            yield from _call_arguments(model.steps(at), v4)
        if "dag" in template:
            yield from _call_arguments(model.tasks(at), v4)


def _call_arguments(calls, v4):
    """The argument artifacts of steps or tasks."""
    for call in calls:
        arguments = call.body.get("arguments")
        if isinstance(arguments, dict) and arguments.get("artifacts") and _lists_artifacts(arguments):
            yield from _arguments(call.path + ("arguments",), arguments, "argument artifact {} of "
                                  + f"{'step' if call.kind == 'step' else 'task'} `{call.name}`", v4, set())


def _artifacts(block):
    return [a for a in model.as_list(model.as_dict(block).get("artifacts")) if isinstance(a, dict)]


def _indexed(block):
    return [(i, a) for i, a in enumerate(model.as_list(model.as_dict(block).get("artifacts"))) if isinstance(a, dict)]


def _set(value) -> bool:
    return isinstance(value, str) and value != ""


_LOCATION_KEYS = frozenset(LOCATIONS)


def locations(artifact):
    return [key for key in LOCATIONS if artifact.get(key) is not None]


# The fields `_common` looks at, besides a second location.
_COMMON_KEYS = frozenset({"git", "hdfs", "artifactGC", "mode", "archive"})


def _may_fault(artifact) -> bool:
    """Whether `_common` may find anything wrong with ``artifact`` (most have one location or none)."""
    return not _COMMON_KEYS.isdisjoint(artifact) or len(_LOCATION_KEYS.intersection(artifact)) > 1


def has_location_or_key(artifact) -> bool:
    """What Argo's `HasLocationOrKey` accepts: a location with its key field
    (`s3.key`, `git.repo`, `http.url`, ...), or a `raw` artifact."""
    for key in locations(artifact):
        body = artifact.get(key)
        field = LOCATION_KEYS[key]
        if field is None:
            return True
        if isinstance(body, dict) and (body.get(field) not in (None, "", [])):
            return True
    return False


def _name(artifact) -> str:
    name = artifact.get("name")
    return f"`{name}`" if isinstance(name, str) and name else "(unnamed)"


def _arguments(path, arguments, label, v4, inherited):
    for i, artifact in _indexed(arguments):
        here = path + ("artifacts", i)
        source = artifact.get("from")
        expression = artifact.get("fromExpression")
        what = label.format(_name(artifact)) if not _set(source) or _set(expression) or _may_fault(artifact) else None
        if _set(source) and _set(expression):
            yield finding(here + ("fromExpression",),
                          f"{what} has both `from` and `fromExpression`; Argo rejects it",
                          hint="keep one of them", on_key=True, check="source")
        elif not _set(source) and not has_location_or_key(artifact):
            name = artifact.get("name")
            if inherited is None or (isinstance(name, str) and name in inherited):
                pass  # the referenced WorkflowTemplate supplies it
            elif _set(expression):
                yield finding(here, f"{what} has only `fromExpression`; Argo's validator still requires `from`, "
                                    "a location or a key on an argument artifact and rejects it",
                              hint="pass the artifact with `from: \"{{steps.x.outputs.artifacts.y}}\"`, or put the "
                                   "choice in the called template's `outputs` with `fromExpression`", on_key=True, check="source")
            else:
                yield finding(here, f"{what} has no source: Argo requires `from`, a location (s3, gcs, git, "
                                    "http, artifactory, oss, azure, hdfs, raw, plugin) or a key",
                              hint="add `from: \"{{steps.x.outputs.artifacts.y}}\"` or a location such as "
                                   "`s3: {key: path/in/bucket}`", on_key=True, check="source")
        if what is not None:
            yield from _common(here, artifact, what, v4, validated_location=False)


def _template(at, v4):
    template = at.template
    types = model.template_types(template)
    ttype = types[0] if len(types) == 1 else None
    leaf = ttype in model.LEAF_TYPES
    for direction in ("inputs", "outputs"):
        block = template.get(direction)
        for i, artifact in _indexed(block):
            here = at.path + (direction, "artifacts", i)
            path = artifact.get("path")
            if ttype is not None:
                if leaf:
                    if not _set(path):
                        need = "where to put the file" if direction == "inputs" else "which file to save"
                        yield finding(here, f"{_what(direction, artifact, at)} has no `path`; Argo rejects it (\"did "
                                            f"not specify a path\"): it needs to know {need}",
                                      hint="add `path: /tmp/...`", on_key=True, check="path")
                    else:
                        problem = traversal(path)
                        if problem:
                            yield finding(here + ("path",), f"{_what(direction, artifact, at)}: {problem}; Argo "
                                                            "rejects it",
                                          hint="use a path without `..`", check="path")
                elif _set(path):
                    yield finding(here + ("path",), f"{_what(direction, artifact, at)} has a `path`, which only "
                                                    "container, script and other leaf templates have; Argo rejects "
                                                    f"it on a {ttype} template",
                                  hint="remove `path:`; the templates this one calls load and save the files",
                                  on_key=True, check="path")
            if direction == "inputs" and _set(artifact.get("from")):
                yield finding(here + ("from",), f"{_what(direction, artifact, at)} has `from`, which only arguments "
                                                "have; Argo rejects it",
                              hint="pass it from the calling step's `arguments.artifacts`", on_key=True, check="source")
            if direction == "outputs":
                for key in ("git", "raw"):
                    if artifact.get(key) is not None:
                        yield finding(here + (key,), f"{_what(direction, artifact, at)} is saved to a `{key}` "
                                                     "location, which Argo can only read from: the step fails when "
                                                     "it saves its outputs",
                                      hint="save it to s3, gcs, azure, oss, artifactory, http or hdfs, or leave the "
                                           "location out to use the artifact repository", on_key=True,
                                      severity=WARNING, check="output-location")
            if _may_fault(artifact):
                yield from _common(here, artifact, _what(direction, artifact, at), v4,
                                   validated_location=direction == "inputs")
    archive_location = template.get("archiveLocation")
    if isinstance(archive_location, dict):
        yield from _location(at.path + ("archiveLocation",), archive_location, f"`archiveLocation` of {label(at)}",
                             validated=True)


def _what(direction, artifact, at) -> str:
    """How a message names a template's artifact (worked out only for a finding)."""
    return f"{direction[:-1]} artifact {_name(artifact)} of {label(at)}"


def _common(here, artifact, what, v4, validated_location):
    found = locations(artifact)
    if len(found) > 1:
        shown = ", ".join(f"`{k}`" for k in found)
        if v4:
            yield finding(here + (found[1],), f"{what} has more than one location ({shown}); the CRD Argo 4 installs "
                                              "allows at most one", hint="keep one location", on_key=True, check="location-count")
        else:
            yield finding(here + (found[1],), f"{what} has more than one location ({shown}); Argo uses only "
                                              f"`{found[0]}`", hint="keep one location", on_key=True, severity=WARNING, check="location-count")
    yield from _location(here, artifact, what, validated=validated_location)
    gc = model.as_dict(artifact.get("artifactGC")).get("strategy")
    if isinstance(gc, str) and gc and gc not in GC_STRATEGIES:
        yield from tagged("artifact-gc", gc_strategy(here + ("artifactGC", "strategy"), gc, v4))
    mode = artifact.get("mode")
    if v4 and isinstance(mode, int) and not isinstance(mode, bool) and not 0 <= mode <= 0o777:
        yield finding(here + ("mode",), f"`mode: {mode}` of {what} is not a file mode between 0 and 0777 (511); the "
                                        "CRD Argo 4 installs rejects it",
                      hint="write it in octal with a leading 0, e.g. `0755` (YAML reads it as 493)", check="mode")
    archive = artifact.get("archive")
    if isinstance(archive, dict):
        chosen = [k for k in ARCHIVES if archive.get(k) is not None]
        if len(chosen) > 1:
            yield finding(here + ("archive", chosen[1]),
                          f"`archive` of {what} sets more than one strategy ({', '.join(chosen)}); Argo applies "
                          "only one of them", hint="keep one of `tar`, `none` and `zip`", on_key=True,
                          severity=WARNING, check="archive")
        level = model.as_dict(archive.get("tar")).get("compressionLevel")
        if isinstance(level, int) and not isinstance(level, bool) and not -2 <= level <= 9:
            yield finding(here + ("archive", "tar", "compressionLevel"),
                          f"`compressionLevel: {level}` of {what} is not a gzip level (-2 to 9): Argo accepts it, "
                          "but the step fails when it compresses the artifact",
                          hint="use 0 (none) to 9 (best), or -1 for the default", severity=WARNING, check="archive")


def _location(here, artifact, what, validated):
    """git and hdfs locations: Argo's validator checks these on input artifacts
    and `archiveLocation`; elsewhere they fail when the artifact is used."""
    severity = None if validated else WARNING
    tail = "; Argo rejects it" if validated else ": Argo accepts it, but the step fails when it uses the artifact"
    git = artifact.get("git")
    if isinstance(git, dict) and git.get("repo") == "":
        yield finding(here + ("git", "repo"), f"the git location of {what} has an empty `repo`{tail}",
                      hint="set `repo:` to the repository URL", severity=severity, check="location")
    hdfs = artifact.get("hdfs")
    if isinstance(hdfs, dict):
        for problem, where, hint in hdfs_problems(hdfs):
            yield finding(here + ("hdfs",) + where, f"the hdfs location of {what}: {problem}{tail}", hint=hint,
                          severity=severity, on_key=not where, check="location")


def hdfs_problems(hdfs):
    """Argo's hdfs.ValidateArtifact, in its order."""
    if not model.as_list(hdfs.get("addresses")):
        yield "`addresses` is required", (), "list the name nodes: `addresses: [namenode:8020]`"
        return
    path = hdfs.get("path")
    if not _set(path):
        yield "`path` is required", (), "add `path: /absolute/path/in/hdfs`"
        return
    if not path.startswith("/"):
        yield f"`path` must be absolute (`{path}`)", ("path",), f"write `/{path}`"
        return
    ccache = hdfs.get("krbCCacheSecret") is not None
    keytab = hdfs.get("krbKeytabSecret") is not None
    if not _set(hdfs.get("hdfsUser")) and not ccache and not keytab:
        yield ("one of `hdfsUser`, `krbCCacheSecret` and `krbKeytabSecret` is required", (),
               "add `hdfsUser:` (or Kerberos secrets)")
        return
    if keytab and not (_set(hdfs.get("krbServicePrincipalName")) and hdfs.get("krbConfigConfigMap") is not None
                       and _set(hdfs.get("krbUsername")) and _set(hdfs.get("krbRealm"))):
        yield ("`krbKeytabSecret` needs `krbServicePrincipalName`, `krbConfigConfigMap`, `krbUsername` and `krbRealm`",
               (), "add the missing Kerberos settings")
        return
    if ccache and not (_set(hdfs.get("krbServicePrincipalName")) and hdfs.get("krbConfigConfigMap") is not None):
        yield ("`krbCCacheSecret` needs `krbServicePrincipalName` and `krbConfigConfigMap`", (),
               "add the missing Kerberos settings")


def go_clean(path: str) -> str:
    """Go's `filepath.Clean` on a slash-separated path."""
    if path == "":
        return "."
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def traversal(path: str):
    """Why Argo's `Artifact.CleanPath` rejects ``path``, or None. Argo takes the
    part before the first `/../` (or before a final `/` and two characters:
    its pattern is the regular expression `/..$`, whose dots match anything)
    as a safe directory, and requires the cleaned path to stay strictly inside it."""
    safe = ""
    if "/../" in path:
        safe = path[:path.index("/../")]
    elif len(path) >= 3 and path[-3] == "/":
        safe = path[:-3]
    if not safe:
        return None
    cleaned = go_clean(path)
    prefix = safe + "/"
    if cleaned.startswith(prefix) and len(cleaned) > len(prefix):
        return None
    if ".." in path.split("/"):
        return f"`{path}` climbs out of `{safe}` with `..`"
    return (f"`{path}` is shortened by path cleaning to `{cleaned}`, which Argo's check for `..` reads as leaving "
            f"`{safe}`")


def _lists_artifacts(block) -> bool:
    """Whether an `inputs`, `outputs` or `arguments` block has a non-empty `artifacts` list."""
    if not isinstance(block, dict):
        return False
    artifacts = block.get("artifacts")
    return isinstance(artifacts, list) and len(artifacts) > 0


def _has_artifacts(template) -> bool:
    """Whether `_template` has anything to check in ``template``."""
    return (_lists_artifacts(template.get("inputs")) or _lists_artifacts(template.get("outputs"))
            or isinstance(template.get("archiveLocation"), dict))
