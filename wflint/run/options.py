"""The one place that turns a configuration file and command-line flags into
the options of a run.

Every command (`wflint check`, `wflint rbac`, `wflint graph`, the language
server) calls :func:`resolve`: a flag given on the command line wins over the
configuration file, which wins over wflint's defaults. Nothing else merges the
two, so a setting means the same thing in every command.
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence

from ..slots import Record
from ..source import files as sources
from ..argo.version import DEFAULT as DEFAULT_VERSION
from .config import Config
from ..source.discovery import Excluder


class Options(Record):
    """Everything that shapes a run: the configuration file, then command-line
    flags on top of it (see :func:`resolve`)."""

    __slots__ = ("argo_version", "max_file_size", "exclude", "select", "extend_select", "ignore", "quiet", "config",
                 "template_paths", "use_cache", "baseline", "baseline_trusted", "jobs", "show_info", "fail_on")

    argo_version: str
    max_file_size: int
    exclude: Sequence[str]           # --exclude patterns, relative to the working directory
    select: Optional[Sequence[str]]  # --select: run only these rules
    extend_select: Sequence[str]     # --extend-select: run these as well as the selection
    ignore: Sequence[str]            # --ignore: never run these
    quiet: bool
    config: Config
    template_paths: Sequence[str]    # --template-path: where the index looks instead
    use_cache: bool                  # --no-cache turns the index cache off
    baseline: Optional[str]          # --baseline: hide the findings this file records
    baseline_trusted: bool           # False: the baseline came from a configuration file
    jobs: int                        # processes for many files; 0: one per available core
    show_info: bool                  # text output shows info-level findings (never with quiet)
    fail_on: str                     # exit 1 on a finding of this severity or worse

    def __init__(self, argo_version=DEFAULT_VERSION, max_file_size=sources.DEFAULT_MAX_FILE_SIZE, exclude=(),
                 select=None, extend_select=(), ignore=(), quiet=False, config=None, template_paths=(),
                 use_cache=True, baseline=None, baseline_trusted=True, jobs=0, show_info=False, fail_on="error"):
        self.argo_version = argo_version
        self.max_file_size = max_file_size
        self.exclude = exclude
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.quiet = quiet
        self.config = Config() if config is None else config
        self.template_paths = template_paths
        self.use_cache = use_cache
        self.baseline = baseline
        self.baseline_trusted = baseline_trusted
        self.jobs = jobs
        self.show_info = show_info
        self.fail_on = fail_on

    def excluder(self) -> Excluder:
        excluder = Excluder(self.exclude)
        excluder.add(self.config.exclude, self.config.root)
        # Stub files describe templates that live elsewhere: index them, never lint them.
        return excluder.add(self.config.stubs, self.config.root)

    @property
    def caching(self) -> bool:
        """Caches may be read and written: neither --no-cache nor the config's `cache: false`."""
        return bool(self.use_cache and self.config.cache)


def resolve(config: Optional[Config] = None, *, argo_version: Optional[str] = None,
            max_file_size: Optional[int] = None, exclude: Sequence[str] = (),
            select: Optional[Sequence[str]] = None, extend_select: Optional[Sequence[str]] = None,
            ignore: Optional[Sequence[str]] = None, quiet: bool = False, show_info: bool = False,
            template_paths: Sequence[str] = (), no_cache: bool = False, jobs: int = 0,
            baseline: Optional[str] = None, baseline_if_present: bool = False,
            fail_on: Optional[str] = None) -> Options:
    """The options of a run: ``config`` (the loaded configuration file, or
    defaults), then each flag given (None or empty: not given).

    - ``argo_version``: the flag, else the config's `argo-version`, else the default;
    - ``max_file_size`` (bytes): the flag, else the config's `max-file-size` (megabytes), else 10 MB;
    - ``select``/``extend_select``/``ignore``: kept apart from the config's
      (``active_rules`` combines them: --select replaces the config's selection,
      the others add to it);
    - ``baseline``: the flag, else the config's `baseline` (relative to its folder);
      with ``baseline_if_present``, the config's baseline is used only when it exists
      (the language server must not fail on a missing one; `check` reports it);
    - ``show_info``: the flag or the config's `show-info`, never with ``quiet``;
    - ``fail_on``: the flag, else the config's `fail-on`, else `error`;
    - ``no_cache``: --no-cache (the config's `cache: false` is read through ``Options.caching``).
    """
    config = config if config is not None else Config()
    if max_file_size is None and config.max_file_size is not None:
        max_file_size = int(config.max_file_size * 1024 * 1024)
    baseline_trusted = baseline is not None
    if baseline is None and config.baseline:
        baseline = os.path.join(config.root, config.baseline)
        if baseline_if_present and not os.path.isfile(baseline):
            baseline = None
    options = Options(argo_version=argo_version or config.argo_version or DEFAULT_VERSION,
                   max_file_size=max_file_size or sources.DEFAULT_MAX_FILE_SIZE,
                   exclude=list(exclude), select=select, extend_select=list(extend_select or []),
                   ignore=list(ignore or []), quiet=quiet, config=config,
                   template_paths=list(template_paths), use_cache=not no_cache, jobs=jobs, baseline=baseline,
                   show_info=bool(show_info or config.show_info) and not quiet,
                   fail_on=fail_on or config.fail_on or "error")
    # A baseline named by a configuration file (which may come from a pull
    # request) cannot hide the findings that say a file was not linted whole.
    options.baseline_trusted = baseline_trusted or options.baseline is None
    return options


def enabled_for(rules, options: Options):
    """The rule ids and sub-ids a run reports (``ruleids.enabled_ids`` over the
    configuration, then the command line). A configuration file cannot turn off
    the rules that say a file was not read or linted whole (config.PROTECTED):
    only the command line can."""
    from .config import PROTECTED
    from ..ruleids import enabled_ids
    config = options.config
    enabled = enabled_ids(rules, config, options.select,
                          list(getattr(config, "extend_select", ())) + list(options.extend_select),
                          list(config.ignore) + list(options.ignore))
    by_command_line = enabled_ids(rules, Config(), options.select, list(options.extend_select),
                                  list(options.ignore))
    return enabled | (PROTECTED & by_command_line)


def active_rules(options: Options) -> List:
    """The rules a run uses: defaults, then the config's `rules`, `select` and
    `ignore`, then --select (which replaces any selection), the config's and
    the command line's `extend-select` (which add to it) and --ignore. A group
    name (`security`) stands for every rule of the group."""
    from .registry import load_rules
    from ..ruleids import rule_runs
    rules = load_rules()
    enabled = enabled_for(rules, options)
    return [rule for rule in rules.values() if rule_runs(rule, enabled)]
