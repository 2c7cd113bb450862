"""A value from outside the author's control is not spliced into code: a
script's source, a shell string (`sh -c`, `bash -c`, `python -c`, `node -e`...)
or a `podSpecPatch`."""


from wflint.finding import finding
from wflint.argo.model import as_dict, as_list
from wflint.lazyre import lazy_compile

ID = "template-injection"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-78", "CWE-94")
SECURITY_SEVERITY = 9.0
SUMMARY = ("A value from outside (workflow arguments, event payloads, annotations, the outputs built from them) "
           "is not spliced into a script, a shell string or a podSpecPatch.")

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "fish"})
# Interpreters that run code given on the command line, and the flags that take it.
CODE_FLAGS = {
    "python": ("-c",), "node": ("-e", "--eval", "-p", "--print"), "perl": ("-e", "-E"), "ruby": ("-e",),
    "php": ("-r",), "pwsh": ("-c", "-command", "-Command"), "deno": ("eval",),
}
_WRAPPERS = frozenset({"env", "busybox", "exec", "nohup", "tini", "dumb-init", "--"})
GAIN = ("a crafted value runs as code in the pod, with its service account, its secrets and its network "
        "access")


_PYTHON = lazy_compile(r"python[\d.]*")
_SHELL_CODE_FLAG = lazy_compile(r"-[A-Za-z]+")
_SHELL_OPTION_FLAG = lazy_compile(r"[-+][A-Za-z]*o")


def _program(word: str):
    base = word.rsplit("/", 1)[-1]
    if _PYTHON.fullmatch(base):
        return "python"
    if base == "nodejs":
        return "node"
    if base == "powershell":
        return "pwsh"
    return base


def code_element(argv):
    """(index of the argument holding code, how it runs) for an argv, or None:
    `sh -c CODE`, `bash -ec CODE`, `python3 -c CODE`, `node -e CODE`..."""
    i = 0
    while i < len(argv) and (_program(argv[i]) in _WRAPPERS or (argv[i].startswith("-") and i > 0
                                                                 and _program(argv[0]) == "env")):
        i += 1
    if i >= len(argv):
        return None
    program = _program(argv[i])
    j = i + 1
    if program in SHELLS:
        while j < len(argv):
            flag = argv[j]
            if _SHELL_CODE_FLAG.fullmatch(flag) and "c" in flag:
                return (j + 1, f"the shell command run by `{program} {flag}`") if j + 1 < len(argv) else None
            if _SHELL_OPTION_FLAG.fullmatch(flag):   # `-euo pipefail`: `o` takes the next argument
                j += 2
                continue
            if flag.startswith(("-", "+")):
                j += 1
                continue
            return None
        return None
    flags = CODE_FLAGS.get(program)
    if flags is None:
        return None
    while j < len(argv):
        flag = argv[j]
        if flag in flags:
            return (j + 1, f"the code run by `{program} {flag}`") if j + 1 < len(argv) else None
        if not flag.startswith("-"):
            return None
        j += 1
    return None


def _code_argument(body, at, placeholders_only):
    """(path, text, what) of the argument of a container that holds code, or None.
    The arguments are its `command` then its `args` (without a `command`, `args`
    replace the image's command only when they start with a shell or
    interpreter, which `code_element` sees). With ``placeholders_only``, None as
    well when no argument holds a `{{...}}` tag, without reading the command line."""
    command, args = as_list(body.get("command")), as_list(body.get("args"))
    texts = command + args
    if not all(isinstance(v, str) for v in texts):
        return None
    if placeholders_only and not any("{{" in v for v in texts):
        return None
    found = code_element(texts)
    if found is None:
        return None
    index, what = found
    path = at + ("command", index) if index < len(command) else at + ("args", index - len(command))
    return path, texts[index], what


def sinks(template, path, patch_label="the template's `podSpecPatch`", placeholders_only=False):
    """(path, text, what) of every place of a template where a value becomes code
    (with ``placeholders_only``, only those holding a `{{...}}` tag)."""
    script = as_dict(template.get("script"))
    if isinstance(script.get("source"), str):
        yield path + ("script", "source"), script["source"], "the script's source"
    bodies = []
    for key in ("container", "script"):
        if isinstance(template.get(key), dict):
            bodies.append((template[key], path + (key,)))
    for i, body in enumerate(as_list(as_dict(template.get("containerSet")).get("containers"))):
        if isinstance(body, dict):
            bodies.append((body, path + ("containerSet", "containers", i)))
    for key in ("initContainers", "sidecars"):
        for i, body in enumerate(as_list(template.get(key))):
            if isinstance(body, dict):
                bodies.append((body, path + (key, i)))
    for body, at in bodies:
        found = _code_argument(body, at, placeholders_only)
        if found is not None:
            yield found
    if isinstance(template.get("podSpecPatch"), str):
        yield path + ("podSpecPatch",), template["podSpecPatch"], patch_label


def _hint(what: str) -> str:
    if what.startswith("the shell command"):
        return ("pass the value in `env` (name: VALUE, value: the placeholder) and write \"$VALUE\" in the command, "
                "or as an argument of its own (`sh -c 'echo \"$1\"' sh '{{...}}'`); or restrict the parameter "
                "with an `enum`")
    if what.startswith("the code") or what.startswith("the script"):
        return ("pass the value in `env` and read it from the environment (\"$VALUE\" in a shell, "
                "os.environ['VALUE'] in Python, process.env.VALUE in Node.js); or restrict the parameter with "
                "an `enum`")
    return ("write the patch from fixed values; if a setting must vary, restrict the parameter with an `enum` "
            "of safe values")


def _message(tag, what, origin, elsewhere=None):
    gain = GAIN if "podSpecPatch" not in what else (
        "a crafted value can rewrite the pod (run it privileged, mount the node's files, change its image)")
    where = f" in {elsewhere}" if elsewhere else ""
    return (f"`{{{{{tag.text}}}}}` is spliced into {what}{where} before the pod starts, and its value can come "
            f"from outside: {origin.text}; {gain}")


def check(document, context):
    from wflint.argo import taint   # only when the (opt-in) rule runs
    analysis = taint.analysis(document, context.index)
    reported = set()
    for key, (holder, path, template) in list(analysis.templates.items()):
        anchor = None
        if not holder.own:
            anchor = analysis.anchors.get(key)
            if anchor is None:
                continue      # the WorkflowTemplate's own lint reports what its arguments reach
        env = None   # worked out for the few templates with a `{{...}}` in a sink
        for at, text, what in sinks(template, path, placeholders_only=True):
            if "{{" not in text:
                continue
            if env is None:
                env = analysis.env(key)
            for tag, origin in env.tainted_tags(text):
                if anchor is None:
                    yield finding(at, _message(tag, what, origin), span=(tag.start, tag.end), hint=_hint(what))
                    continue
                name = template.get("name")
                label = f"template `{name}` of {holder.label}" if isinstance(name, str) else holder.label
                seen = (anchor, label, tag.text, what)
                if seen in reported:
                    continue
                reported.add(seen)
                entry = holder.entry
                where = f" ({entry.path}, document {entry.document + 1})" if entry is not None else ""
                yield finding(anchor, _message(tag, what, origin, elsewhere=label + where) +
                              "; the value is passed there from here", hint=_hint(what))
    # The workflow's own podSpecPatch, and `templateDefaults` (merged into every
    # template, reported once where it is written): only workflow-level values reach them.
    base_env = taint.Env(analysis)
    base, spec = analysis.graph.base, analysis.graph.spec
    places = [(base + ("podSpecPatch",), spec.get("podSpecPatch"), "the workflow's `podSpecPatch`")]
    defaults = spec.get("templateDefaults")
    if isinstance(defaults, dict):
        places.extend(sinks(defaults, base + ("templateDefaults",), "the `podSpecPatch` of `templateDefaults`"))
    for at, text, what in places:
        for tag, origin in base_env.tainted_tags(text):
            yield finding(at, _message(tag, what, origin), span=(tag.start, tag.end), hint=_hint(what))
