"""Configuration: `.wflint.yaml` or `[tool.wflint]` in pyproject.toml.

Found from the working directory upward (the first folder holding either
wins; `.wflint.yaml` before `pyproject.toml`), or named with `--config`.
Every key is checked: an unknown key, rule, option or value is a ConfigError,
which the CLI turns into exit 2 naming the file and the reason.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional

from ..slots import Record
from ..argo.version import SUPPORTED
from ..finding import SEVERITIES
from ..escape import shown
from ..suggest import did_you_mean

CONFIG_FILES = (".wflint.yaml", ".wflint.yml")
ARGO_VERSIONS = SUPPORTED
# Limits a configuration file may set (the command line is trusted and is not
# held to them): below the floor nothing real would be linted.
MIN_MAX_FILE_SIZE = 0.1        # megabytes
MAX_MAX_FILE_SIZE = 1024.0
# Rules that say a file was not read or linted whole. A configuration file may
# come with the pull request it checks, so it cannot turn them off, lower their
# severity or hide them with its baseline (naming one is a configuration error;
# a group, `select` or `ignore` leaves them on); only the command line can.
PROTECTED = frozenset({"input-limit", "internal-error", "read-error", "yaml-syntax"})
KEYS = ("rules", "select", "extend-select", "ignore", "exclude", "argo-version", "fail-on", "max-file-size",
        "template-paths", "templates", "stubs", "cache", "baseline", "show-info")


class ConfigError(Exception):
    """``path`` and ``reason`` are escaped here, once for every message: the
    configuration may come from a pull request, and a key or value holding a
    line break or an ESC must not forge a line on stderr (`::error::...`)."""

    def __init__(self, path: str, reason: str):
        path, reason = shown(path), shown(reason)
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class RuleSetting(Record):
    """One rule's entry in the configuration."""

    __slots__ = ("enabled", "severity", "options")

    enabled: Optional[bool]
    severity: Optional[str]
    options: Dict[str, Any]

    def __init__(self, enabled=None, severity=None, options=None):
        self.enabled = enabled
        self.severity = severity
        self.options = {} if options is None else options


class Config(Record):
    """A configuration file's settings (the defaults where there is none)."""

    __slots__ = ("path", "root", "rules", "select", "extend_select", "ignore", "exclude", "argo_version", "fail_on",
                 "max_file_size", "template_paths", "stubs", "templates", "cache", "show_info", "baseline")

    path: Optional[str]                  # the file it came from, if any
    root: str                            # the folder paths in it are relative to
    rules: Dict[str, RuleSetting]
    select: Optional[List[str]]
    extend_select: List[str]             # rules or groups added to the selection
    ignore: List[str]
    exclude: List[str]
    argo_version: Optional[str]
    fail_on: Optional[str]
    max_file_size: Optional[float]       # megabytes
    template_paths: List[str]
    stubs: List[str]                     # WorkflowTemplate signature files
    templates: List["DeclaredTemplate"]  # templates living elsewhere
    cache: bool
    show_info: bool                      # text output: show info-level findings too
    baseline: Optional[str]              # a baseline file, relative to the config's folder

    def __init__(self, path=None, root=".", rules=None, select=None, extend_select=None, ignore=None, exclude=None,
                 argo_version=None, fail_on=None, max_file_size=None, template_paths=None, stubs=None, templates=None,
                 cache=True, show_info=False, baseline=None):
        self.path = path
        self.root = root
        self.rules = {} if rules is None else rules
        self.select = select
        self.extend_select = [] if extend_select is None else extend_select
        self.ignore = [] if ignore is None else ignore
        self.exclude = [] if exclude is None else exclude
        self.argo_version = argo_version
        self.fail_on = fail_on
        self.max_file_size = max_file_size
        self.template_paths = [] if template_paths is None else template_paths
        self.stubs = [] if stubs is None else stubs
        self.templates = [] if templates is None else templates
        self.cache = cache
        self.show_info = show_info
        self.baseline = baseline


class DeclaredTemplate(Record):
    """A WorkflowTemplate or ClusterWorkflowTemplate that exists outside the
    project (another repository, a Helm release, the cluster)."""

    __slots__ = ("name", "kind", "namespace", "templates")

    name: str
    kind: str
    namespace: Optional[str]
    templates: Optional[List[str]]  # None: accept any template name

    def __init__(self, name, kind="WorkflowTemplate", namespace=None, templates=None):
        self.name = name
        self.kind = kind
        self.namespace = namespace
        self.templates = templates


def find(start: Optional[str] = None) -> Optional[str]:
    """The config file that governs ``start`` (default: the working directory)."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_section(pyproject):
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return b"[tool.wflint" in handle.read()
    except OSError:
        return False


def load(path: Optional[str]) -> Config:
    """Read and check a config file; an empty Config when ``path`` is None."""
    if path is None:
        return Config()
    shown = os.path.relpath(path) if not os.path.isabs(path) else path
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ConfigError(shown, f"cannot read: {exc.strerror or exc}")
    if os.path.basename(path) == "pyproject.toml":
        data = _toml(shown, raw).get("tool", {}).get("wflint", {})
    else:
        data = _yaml(shown, raw)
    return parse(data, shown, root=os.path.dirname(os.path.abspath(path)))


def _toml(shown: str, raw: bytes) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, f"not valid TOML: {' '.join(str(exc).split())}")
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ConfigError(shown, "not valid TOML: nested too deeply")


def _yaml(shown: str, raw: bytes):
    import yaml
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, f"not valid YAML: {' '.join(str(exc).split())}")
    except RecursionError:  # PyYAML's Python loader recurses once per level of nesting
        raise ConfigError(shown, "not valid YAML: nested too deeply")
    return {} if data is None else data


def _str_list(shown: str, key: str, value) -> List[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(shown, f"`{key}` must be a list of strings")
    return list(value)


def parse(data, shown: str = "<config>", root: str = ".") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(shown, "the configuration must be a mapping of keys to values")
    config = Config(path=shown, root=root)
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(shown, f"unknown key `{key}`{did_you_mean(str(key), KEYS)}")
        if key == "rules":
            config.rules = _rules(shown, value)
        elif key == "select":
            config.select = _str_list(shown, key, value)
        elif key == "extend-select":
            config.extend_select = _str_list(shown, key, value)
        elif key == "ignore":
            config.ignore = _str_list(shown, key, value)
        elif key == "exclude":
            config.exclude = _str_list(shown, key, value)
            from ..source.globmatch import GitIgnore, PatternError
            try:
                GitIgnore(config.exclude)
            except PatternError as exc:
                raise ConfigError(shown, f"`exclude`: {exc}")
        elif key == "template-paths":
            config.template_paths = _inside(shown, key, _str_list(shown, key, value), root)
        elif key == "stubs":
            config.stubs = _inside(shown, key, _str_list(shown, key, value), root)
        elif key == "templates":
            config.templates = _declared(shown, value)
        elif key == "baseline":
            if not isinstance(value, str) or not value:
                raise ConfigError(shown, "`baseline` must be the path of a baseline file")
            config.baseline = _inside(shown, key, [value], root)[0]
        elif key == "show-info":
            if not isinstance(value, bool):
                raise ConfigError(shown, "`show-info` must be true or false")
            config.show_info = value
        elif key == "cache":
            if not isinstance(value, bool):
                raise ConfigError(shown, "`cache` must be true or false")
            config.cache = value
        elif key == "argo-version":
            value = str(value)
            if value not in ARGO_VERSIONS:
                raise ConfigError(shown, f"`argo-version` must be one of {', '.join(ARGO_VERSIONS)}, not {value!r}")
            config.argo_version = value
        elif key == "fail-on":
            if value not in ("error", "warning"):
                raise ConfigError(shown, f"`fail-on` must be error or warning, not {value!r}")
            config.fail_on = value
        elif key == "max-file-size":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise ConfigError(shown, "`max-file-size` must be a positive number of megabytes")
            if not MIN_MAX_FILE_SIZE <= value <= MAX_MAX_FILE_SIZE:
                raise ConfigError(shown, f"`max-file-size` must be between {MIN_MAX_FILE_SIZE} and "
                                  f"{MAX_MAX_FILE_SIZE:g} megabytes in a configuration file, not {value!r} "
                                  "(--max-file-size on the command line is not limited)")
            config.max_file_size = float(value)
    return config


def _inside(shown: str, key: str, paths: List[str], root: Optional[str] = None) -> List[str]:
    """Paths in the configuration stay inside the folder that holds it: the
    file may come from a pull request, and must not send wflint reading (or
    walking) anywhere else on the machine. Checked on the text and, with
    ``root``, on the real path (symlinks followed, so a committed link to `/`
    is refused). `--template-path` is not limited."""
    real_root = os.path.realpath(root) if root is not None else None
    for path in paths:
        normal = os.path.normpath(path)
        outside = os.path.isabs(path) or normal == os.pardir or normal.startswith(os.pardir + os.sep)
        if not outside and real_root is not None:
            real = os.path.realpath(os.path.join(root, path))
            outside = os.path.commonpath([real, real_root]) != real_root
        if outside:
            raise ConfigError(shown, f"`{key}`: {path!r} is outside the folder of the configuration file "
                              "(symbolic links are followed); use a path inside it (or --template-path "
                              "on the command line)")
    return paths


def _declared(shown: str, value) -> List[DeclaredTemplate]:
    if not isinstance(value, list):
        raise ConfigError(shown, "`templates` must be a list of template names or mappings")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(DeclaredTemplate(name=item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(shown, "each entry of `templates` is a name, or a mapping with at least `name`")
        unknown = set(item) - {"name", "kind", "namespace", "templates"}
        if unknown:
            raise ConfigError(shown, f"`templates` entry {item['name']!r}: unknown key `{sorted(unknown)[0]}` "
                              "(use name, kind, namespace, templates)")
        kind = item.get("kind", "WorkflowTemplate")
        if kind not in ("WorkflowTemplate", "ClusterWorkflowTemplate"):
            raise ConfigError(shown, f"`templates` entry {item['name']!r}: kind must be WorkflowTemplate "
                              "or ClusterWorkflowTemplate")
        names = item.get("templates")
        if names is not None:
            names = _str_list(shown, f"templates[{item['name']}].templates", names)
        namespace = item.get("namespace")
        if namespace is not None and not isinstance(namespace, str):
            raise ConfigError(shown, f"`templates` entry {item['name']!r}: namespace must be a string")
        out.append(DeclaredTemplate(name=item["name"], kind=kind, namespace=namespace, templates=names))
    return out


def _rules(shown: str, value) -> Dict[str, RuleSetting]:
    if not isinstance(value, dict):
        raise ConfigError(shown, "`rules` must map rule ids to settings")
    settings = {}
    for rule_id, setting in value.items():
        rule_id = str(rule_id)
        if setting is True or setting in ("on", "enable", "enabled"):
            settings[rule_id] = RuleSetting(enabled=True)
        elif setting is False or setting in ("off", "disable", "disabled"):
            settings[rule_id] = RuleSetting(enabled=False)
        elif isinstance(setting, str):
            if setting not in SEVERITIES:
                raise ConfigError(shown, f"rule `{rule_id}`: {setting!r} is not one of on, off, "
                                  f"{', '.join(SEVERITIES)}")
            settings[rule_id] = RuleSetting(severity=setting)
        elif isinstance(setting, dict):
            item = RuleSetting()
            for key, option in setting.items():
                if key == "enabled":
                    if not isinstance(option, bool):
                        raise ConfigError(shown, f"rule `{rule_id}`: `enabled` must be true or false")
                    item.enabled = option
                elif key == "severity":
                    if option not in SEVERITIES:
                        raise ConfigError(shown, f"rule `{rule_id}`: severity {option!r} is not one of "
                                          f"{', '.join(SEVERITIES)}")
                    item.severity = option
                else:
                    item.options[str(key)] = option
            settings[rule_id] = item
        else:
            raise ConfigError(shown, f"rule `{rule_id}`: use on, off, a severity, or a mapping of settings")
    return settings


def check_against_rules(config: Config, rules: Mapping[str, Any]) -> None:
    """Rule ids and options must exist; option values must have the default's type."""
    from .registry import groups, known_names
    shown = config.path or "<config>"
    ids = known_names(rules)
    for rule_id in list(config.rules) + list(config.select or []) + list(config.extend_select) + list(config.ignore):
        if rule_id not in ids:
            raise ConfigError(shown, f"no rule `{rule_id}`{did_you_mean(rule_id, ids)}")
    for rule_id in [r for r, s in config.rules.items() if r in PROTECTED]:
        setting = config.rules[rule_id]
        if setting.enabled is False or setting.severity not in (None, "error"):
            raise ConfigError(shown, f"rule `{rule_id}` cannot be turned off or downgraded in a configuration "
                              "file (it says a file was not read or linted whole); use --ignore on the "
                              "command line")
    for rule_id in PROTECTED.intersection(config.ignore):
        raise ConfigError(shown, f"rule `{rule_id}` cannot be ignored in a configuration file (it says a file "
                          "was not read or linted whole); use --ignore on the command line")
    by_group = groups(rules)
    for name in [n for n in config.rules if n in by_group and n not in rules]:
        # A group's setting is each of its rules' (a rule's own setting wins).
        setting = config.rules.pop(name)
        if setting.options:
            raise ConfigError(shown, f"group `{name}`: options belong to a rule, not a group")
        for rule_id in by_group[name]:
            config.rules.setdefault(rule_id, RuleSetting(enabled=setting.enabled, severity=setting.severity))
    for rule_id, setting in config.rules.items():
        if rule_id not in rules:   # a rule's check (`rule/check`): on, off or a severity
            if setting.options:
                raise ConfigError(shown, f"`{rule_id}`: options belong to the rule "
                                  f"`{rule_id.partition('/')[0]}`, not to one of its checks")
            continue
        defaults = rules[rule_id].options
        for key, value in setting.options.items():
            if key not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                raise ConfigError(shown, f"rule `{rule_id}` has no option `{key}`"
                                  f"{did_you_mean(key, list(defaults))} (its options: {known})")
            default = defaults[key]
            if default is not None and not _same_type(default, value):
                raise ConfigError(shown, f"rule `{rule_id}`: option `{key}` must be "
                                  f"{type(default).__name__}, like its default {default!r}")


def _same_type(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))
