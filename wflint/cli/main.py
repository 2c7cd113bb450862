"""The `wflint` command."""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

import click

from .. import __version__
from ..argo.version import DEFAULT, SUPPORTED
from ..escape import shown

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _shown(text: str) -> str:
    """A path or value from the checkout, safe to print on one line of stderr."""
    return shown(text)


def _quoted(path: str) -> str:
    import shlex
    return shlex.quote(path)


def _reason(exc: BaseException) -> str:
    return str(exc) if not isinstance(exc, OSError) else (exc.strerror or str(exc))


def _usage_error(message: str) -> None:
    click.echo(f"wflint: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _megabytes(ctx, param, value):
    if value is None:
        return None
    if value <= 0:
        raise click.BadParameter("must be a positive number of megabytes")
    return int(value * 1024 * 1024)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wflint")
def cli():
    """Lint Argo Workflows manifests: no cluster, no network.

    Run `wflint check` in a repository, or `wflint check PATH...`.
    """


def _rule_list(ctx, param, value):
    if not value:
        return None
    return [item.strip() for chunk in value for item in chunk.split(",") if item.strip()]


def _existing(ctx, param, value):
    """Paths must exist, as links at least: a link that leads nowhere (dangling,
    or a loop) is named on purpose and becomes a read-error finding, so the
    other files are still linted."""
    for path in value:
        if path != "-" and not os.path.lexists(path):
            raise click.BadParameter(f"Path {click.format_filename(path)!r} does not exist.")
    return value


def _load_config(path: Optional[str], paths: Sequence[str] = ()):
    """The Config for this run (exit 2 on a bad one) and the rules it names:
    the file given, else the one governing the working directory, else the
    one governing the first path linted (so `wflint check ~/repo` from
    elsewhere still reads ~/repo's configuration)."""
    from ..run import config as configuration
    from ..run.registry import PluginError, load_rules
    try:
        rules = load_rules()
    except PluginError as exc:
        click.echo(f"wflint: {shown(exc)}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        if path is None:
            path = configuration.find()
            for start in paths:
                if path is not None:
                    break
                if start != "-":
                    path = configuration.find(start if os.path.isdir(start) else os.path.dirname(start) or ".")
        config = configuration.load(path)
        configuration.check_against_rules(config, rules)
        if config.select is not None and not config.select:
            raise configuration.ConfigError(config.path or path or "<config>",
                                            "`select` is empty, so no rule would run: name the rules to run, "
                                            "or remove `select` to run every enabled rule")
    except configuration.ConfigError as exc:
        click.echo(f"wflint: configuration error in {exc.path}: {exc.reason}", err=True)  # escaped by ConfigError
        sys.exit(EXIT_USAGE)
    return config, rules


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True), callback=_existing)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "junit", "gitlab"]),
              default=None, help="Output format [default: text; github when GITHUB_ACTIONS=true].")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--quiet", "-q", is_flag=True, help="Leave info-level findings out of every format (and out of "
              "the counts).")
@click.option("--show-info", is_flag=True, help="Text output: show info-level findings too (also: config "
              "`show-info: true`); by default they are counted in the summary line only.")
@click.option("--no-color", is_flag=True, help="Never colour the output (also: NO_COLOR=1). "
              "Colour is used only on a terminal.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Exit 1 when a finding of this severity or worse is reported [default: error].")
@click.option("--stdin-filename", default="<stdin>", metavar="NAME", show_default=True,
              help="The name to report for `-` (standard input).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip paths matching this gitignore-style pattern (repeatable).")
@click.option("--select", multiple=True, callback=_rule_list, metavar="RULES",
              help="Run only these rules (comma-separated, repeatable).")
@click.option("--extend-select", multiple=True, callback=_rule_list, metavar="RULES",
              help="Run these rules or groups too, e.g. `security` (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, callback=_rule_list, metavar="RULES",
              help="Never run these rules (comma-separated, repeatable).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Configuration file (default: .wflint.yaml or pyproject.toml [tool.wflint], "
                   "searched from the working directory upward).")
@click.option("--argo-version", type=click.Choice(list(SUPPORTED)), default=None,
              help=f"The Argo Workflows release the manifests target [default: {DEFAULT}].")
@click.option("--template-path", "template_paths", multiple=True, type=click.Path(exists=True),
              help="Where to look for the WorkflowTemplates that templateRefs name (repeatable) "
                   "[default: the project: the config file's folder, else the git work tree].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the template index cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, metavar="N",
              help="At most this many processes [default: 0: as many as the amount of work makes worth starting, up to one per available core; 1: no workers].")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Hide the findings recorded in this baseline; report its stale entries.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False, writable=True), default=None,
              metavar="FILE", help="Record every current finding in FILE (to adopt wflint on an existing "
                                   "repository), then exit 0.")
@click.option("--max-file-size", type=float, default=None, callback=_megabytes, metavar="MB",
              help="Files larger than this are reported instead of parsed [default: 10].")
@click.option("--fix", "fix_files", is_flag=True,
              help="Apply every safe fix in place, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix or --diff: also apply unsafe fixes (renamed references).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff of what --fix would change; write nothing; exit 1 on a change.")
def check(paths: Sequence[str], fmt: Optional[str], output: Optional[str], quiet: bool, show_info: bool,
          no_color: bool, fail_on: Optional[str],
          stdin_filename: str, exclude: Sequence[str], select, extend_select, ignore, config_path: Optional[str],
          argo_version: Optional[str], template_paths: Sequence[str], no_cache: bool,
          jobs: int, baseline_path: Optional[str], write_baseline: Optional[str], max_file_size: Optional[int],
          fix_files: bool = False, unsafe_fixes: bool = False, show_diff: bool = False):
    """Lint the Argo manifests in PATHS (files or folders; default: `.`; `-`: standard input)."""
    if _LEAVING_AT_ONCE:
        # Nothing a check keeps is garbage before the process ends, and what
        # it lets go (each streamed document) is freed by reference counting:
        # the cyclic collector would only walk the live heap again and again.
        import gc
        gc.disable()
    from ..run.engine import Engine, raise_recursion_limit
    from ..run.options import resolve
    from ..suggest import did_you_mean

    if select is not None and not select:
        raise click.BadParameter("names no rule, so nothing would be checked: name the rules to run "
                                 "(`wflint rules` lists them), or leave --select out", param_hint="--select")
    from ..run.registry import known_names
    config, rules = _load_config(config_path, paths)
    names = known_names(rules)
    for rule_id in (select or []) + (extend_select or []) + (ignore or []):
        if rule_id not in names:
            raise click.BadParameter(f"no rule `{rule_id}`{did_you_mean(rule_id, names)}",
                                     param_hint="--select/--extend-select/--ignore")
    from ..source.globmatch import GitIgnore, PatternError
    try:
        GitIgnore(list(exclude))
    except PatternError as exc:
        raise click.BadParameter(str(exc), param_hint="--exclude")
    raise_recursion_limit()
    paths = list(paths) or ["."]
    options = resolve(config, argo_version=argo_version, max_file_size=max_file_size, exclude=exclude,
                      select=select, extend_select=extend_select, ignore=ignore, quiet=quiet, show_info=show_info,
                      template_paths=template_paths, no_cache=no_cache, jobs=jobs, baseline=baseline_path,
                      fail_on=fail_on)
    if write_baseline is not None:
        options.baseline = None  # every current finding is recorded, none hidden
    elif options.baseline is not None:
        if os.path.islink(options.baseline):
            _usage_error(f"baseline {_shown(options.baseline)} is a symbolic link; wflint reads and writes "
                         "baselines only as regular files")
        if not os.path.isfile(options.baseline):
            _usage_error(f"baseline {_shown(options.baseline)} does not exist (create it with: "
                         f"wflint check --write-baseline {_shown(_quoted(options.baseline))})")
    from ..run import safewrite
    for target, flag in ((output, "--output"), (write_baseline, "--write-baseline")):
        if target is not None:
            try:
                safewrite.check_target(target)
            except safewrite.UnsafeTarget as exc:
                _usage_error(f"refusing to write {_shown(target)} ({flag}): {exc}")
    show_info = options.show_info
    engine = Engine(options)
    if fix_files or show_diff or unsafe_fixes:
        _fix_usage(paths, fix_files, show_diff, unsafe_fixes, write_baseline)
    stdin = None
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        stream = sys.stdin
        cap = options.max_file_size + 1  # no further: what is over the cap is reported, not read
        stdin = stream.buffer.read(cap) if hasattr(stream, "buffer") else stream.read(cap).encode("utf-8")
    from ..run.baseline import BaselineError
    try:
        if fix_files or show_diff:
            from ..run import fixer
            outcome = fixer.run(engine, paths, unsafe=unsafe_fixes, write=fix_files and not show_diff)
            if show_diff:
                click.echo(fixer.unified_diff(outcome), nl=False)
                fixer.announce(outcome, click.echo, diff=True)
                sys.exit(EXIT_FINDINGS if outcome.changed else EXIT_OK)
            fixer.announce(outcome, click.echo)
            report = outcome.report
        else:
            report = engine.run(paths, stdin=stdin, stdin_name=stdin_filename)
    except BaselineError as exc:
        _usage_error(_shown(str(exc)))
    protected = list(report.linted) + list(report.sources)
    if write_baseline is not None:
        from ..run import baseline
        try:
            recorded = baseline.write(write_baseline, [f for f in report.findings if f.rule != "internal-error"],
                                      protected)
        except (safewrite.UnsafeTarget, OSError) as exc:
            _usage_error(f"cannot write baseline {_shown(write_baseline)}: {_reason(exc)}")
        click.echo(f"wflint: recorded {recorded} findings in {_shown(write_baseline)}; "
                   f"run with --baseline {_shown(_quoted(write_baseline))} to report only new ones", err=True)
        if report.internal_errors:
            click.echo(f"wflint: {report.internal_errors} rule crash(es) left some files unchecked; "
                       "run without --write-baseline to see them", err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(EXIT_OK)
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    color = output is None and fmt == "text" and _use_color(no_color)
    shown_report, hidden = report, 0
    if fmt == "text" and not show_info:
        kept = [f for f in report.findings if f.severity != "info"]
        hidden = len(report.findings) - len(kept)
        if hidden:
            shown_report = report.replace(findings=kept)
    from ..render import stream as render_stream
    chunks = render_stream(shown_report, fmt, color=color, lines=report.line, hidden_infos=hidden)
    if output is not None:
        def produce(handle):
            for chunk in chunks:
                handle.write(chunk)
        try:
            safewrite.write(output, produce, protected)
        except (safewrite.UnsafeTarget, OSError) as exc:
            _usage_error(f"cannot write {_shown(output)}: {_reason(exc)}")
        if fmt != "text":  # keep a human summary on the terminal
            from ..render.text import summary
            click.echo(summary(report))
    else:
        # Only text output may be stripped of colour: click would also strip
        # escape sequences that are part of a file name in the other formats.
        for chunk in chunks:
            click.echo(chunk, nl=False, color=color if fmt == "text" else True)
    if report.internal_errors:
        sys.exit(EXIT_INTERNAL)
    failing = ("error",) if options.fail_on == "error" else ("error", "warning")
    sys.exit(EXIT_FINDINGS if any(f.severity in failing for f in report.findings) else EXIT_OK)


def _fix_usage(paths, fix_files: bool, show_diff: bool, unsafe_fixes: bool, write_baseline) -> None:
    """--fix, --diff and --unsafe-fixes go together, on files only."""
    problem = None
    if unsafe_fixes and not (fix_files or show_diff):
        problem = "--unsafe-fixes needs --fix or --diff"
    elif "-" in paths:
        problem = "--fix and --diff work on files, not on standard input"
    elif write_baseline is not None:
        problem = "--fix and --diff cannot be combined with --write-baseline"
    if problem:
        click.echo(f"wflint: {problem}", err=True)
        sys.exit(EXIT_USAGE)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Configuration file whose settings to show.")
def list_rules(fmt: str, config_path: Optional[str]):
    """List every rule: id, severity, enabled or not (after the configuration), group, summary."""
    from ..run.options import Options, active_rules
    from ..ruleids import enabled_ids, sub_ids
    config, rules = _load_config(config_path)
    active = {r.id for r in active_rules(Options(config=config))}
    reported = enabled_ids(rules, config, None, config.extend_select, config.ignore)
    if fmt == "json":
        import json
        click.echo(json.dumps([{"id": r.id, "severity": _severity(config, r), "enabled": r.id in active,
                                "group": r.group, "summary": r.summary, "origin": r.origin,
                                "checks": [{"id": sub, "severity": _severity(config, r, sub),
                                            "enabled": sub in reported, "summary": r.checks[sub.split("/", 1)[1]]}
                                           for sub in sub_ids(r)]}
                               for r in rules.values()], indent=2))
        return
    width = max(len(i) for r in rules.values() for i in [r.id] + sub_ids(r))
    group_width = max(len(r.group) for r in rules.values())
    for rule in rules.values():
        state = "on " if rule.id in active else "off"
        origin = "" if rule.origin == "core" else f" ({rule.origin})"
        click.echo(f"{rule.id:<{width}}  {_severity(config, rule):<7}  {state}  {rule.group:<{group_width}}  "
                   f"{rule.summary}{origin}")
        for sub in sub_ids(rule):
            state = "on " if sub in reported else "off"
            click.echo(f"{sub:<{width}}  {_severity(config, rule, sub):<7}  {state}  {rule.group:<{group_width}}  "
                       f"{rule.checks[sub.split('/', 1)[1]]}")


def _severity(config, rule, sub_id: Optional[str] = None) -> str:
    from ..ruleids import lookup
    setting = lookup(config.rules, sub_id or rule.id)
    return (setting.severity if setting is not None and setting.severity else None) or rule.severity


@cli.command()
@click.argument("rule_id", metavar="RULE")
def explain(rule_id: str):
    """Show what RULE checks, why it matters, an example and the fix."""
    from ..suggest import did_you_mean
    from ..ruleids import all_ids, doc_section, is_sub_id, parent
    rules = _rules_or_exit()
    rule = rules.get(parent(rule_id)) if rule_id in rules or is_sub_id(rule_id, rules) else None
    if rule is None:
        click.echo(f"wflint: no rule `{rule_id}`{did_you_mean(rule_id, all_ids(rules))} "
                   "(`wflint rules` lists them)", err=True)
        sys.exit(EXIT_USAGE)
    if rule_id != rule.id:
        # a rule's check: its own section of the rule's doc
        section = doc_section(rule.doc() or "", rule_id)
        summary = rule.checks[rule_id.split("/", 1)[1]]
        click.echo((section or f"### {rule_id}\n\n{summary}\n").rstrip("\n"))
        click.echo(f"\n(One check of `{rule.id}`: `wflint explain {rule.id}` shows the whole rule.)")
        return
    doc = rule.doc()
    if doc is None:
        doc = f"# {rule.id}\n\n{rule.summary}\n\n(This rule has no further documentation.)\n"
    click.echo(doc.rstrip("\n"))


@cli.command("lsp")
@click.option("--stdio", is_flag=True, help="Speak the protocol on standard input/output (the default and only transport).")
def lsp(stdio: bool):
    """Run the language server on stdio (needs the extra: pip install 'wflint[lsp]')."""
    try:
        from ..lsp.server import main as serve
    except ImportError as exc:
        click.echo(f"wflint: the language server needs pygls and lsprotocol ({exc.name} is missing): "
                   "pip install 'wflint[lsp]'", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(serve())


from ..argo.schema import DEFAULT_VERSION, SUPPORTED_VERSIONS  # noqa: E402  (light: json and the finding model)


@cli.group("schema")
def schema_group():
    """JSON Schemas of Argo's kinds, for editors without an LSP client."""


@schema_group.command("export")
@click.option("--kind", type=click.Choice(["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"]),
              default=None, help="The kind to print (required without -o).")
@click.option("--argo-version", type=click.Choice(list(SUPPORTED_VERSIONS)), default=DEFAULT_VERSION,
              show_default=True, help="The Argo Workflows release the schema describes.")
@click.option("--output-dir", "-o", "output_dir", type=click.Path(file_okay=False), default=None,
              help="Write one file per kind (KIND.json) into this folder instead of printing one.")
def schema_export(kind: Optional[str], argo_version: str, output_dir: Optional[str]):
    """Print the strict JSON Schema of one kind, or write every kind with -o DIR."""
    from ..argo.schema_export import KINDS, render
    if output_dir is None:
        if kind is None:
            raise click.UsageError("give --kind KIND (or -o DIR for every kind)")
        click.echo(render(kind, argo_version), nl=False)
        return
    from ..run import safewrite
    kinds = [kind] if kind else list(KINDS)
    try:
        # The folder may be in a checkout: never write (nor create folders) through a link planted there.
        safewrite.check_target(os.path.join(output_dir, f"{kinds[0]}.json"))
        os.makedirs(output_dir, exist_ok=True)
        for name in kinds:
            target = os.path.join(output_dir, f"{name}.json")
            schema = render(name, argo_version)
            safewrite.write(target, lambda handle: handle.write(schema))
            click.echo(_shown(target))
    except safewrite.UnsafeTarget as exc:
        _usage_error(f"refusing to write in {_shown(output_dir)}: {exc}")
    except OSError as exc:
        click.echo(f"wflint: cannot write {_shown(output_dir)}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)


@cli.command("rbac")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--namespace", default=None, metavar="NS",
              help="The namespace of workflows whose manifests set none [default: leave it to `kubectl apply -n`].")
@click.option("--service-account", default=None, metavar="NAME",
              help="The account of workflows that name none [default: the namespace's `default`].")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip paths matching this gitignore-style pattern (repeatable).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Configuration file (default: .wflint.yaml or pyproject.toml [tool.wflint]).")
@click.option("--template-path", "template_paths", multiple=True, type=click.Path(exists=True),
              help="Where to look for the WorkflowTemplates that templateRefs name (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the template index cache.")
def rbac(paths: Sequence[str], namespace: Optional[str], service_account: Optional[str], exclude: Sequence[str],
         config_path: Optional[str], template_paths: Sequence[str], no_cache: bool):
    """Print the ServiceAccounts, Roles and RoleBindings the workflows in PATHS need (YAML for `kubectl apply`)."""
    from .rbac import run
    config, _ = _load_config(config_path)
    sys.exit(run(paths, namespace=namespace, service_account=service_account, exclude=exclude, config=config,
                 template_paths=template_paths, use_cache=not no_cache))


@cli.command()
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--template", default=None, metavar="NAME", help="Start from this template instead of the entrypoint.")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "json"]), default="mermaid", show_default=True)
@click.option("--stats", is_flag=True, help="Print depth, widest level, critical path, unreachable templates and "
                                            "redundant dependencies instead of the graph (inside the JSON with --format json).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Configuration file (default: .wflint.yaml or pyproject.toml [tool.wflint]).")
@click.option("--template-path", "template_paths", multiple=True, type=click.Path(exists=True),
              help="Where to look for the WorkflowTemplates that templateRefs name (repeatable).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the template index cache.")
def graph(path: str, template: Optional[str], fmt: str, stats: bool, config_path: Optional[str],
          template_paths: Sequence[str], no_cache: bool):
    """Print the template call graph and the task graphs of the workflows in FILE."""
    from .graph import run
    config, _ = _load_config(config_path)
    sys.exit(run(path, template=template, fmt=fmt, stats=stats, config=config, template_paths=template_paths,
                 use_cache=not no_cache))


def _rules_or_exit():
    from ..run.registry import PluginError, load_rules
    try:
        return load_rules()
    except PluginError as exc:
        click.echo(f"wflint: {shown(exc)}", err=True)
        sys.exit(EXIT_USAGE)


def _one_line(text: str, limit: int = 400) -> str:
    from ..render.text import _safe
    text = _safe(" ".join(str(text).split()))
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Terminated(BaseException):
    """SIGTERM outside the parallel phase (which handles it itself)."""


def _catch_sigterm() -> None:
    """SIGTERM at any point of a run ends it like an interrupt: exit 3, one line."""
    import signal

    def handler(signum, frame):
        raise _Terminated()
    try:
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding program): leave it be
        pass


def main(argv: Optional[Sequence[str]] = None):
    """The console script. Whatever goes wrong, the exit code says what
    happened (2: usage, 3: internal error or interrupted) and stderr gets one
    line, never a traceback (unless WFLINT_DEBUG is set)."""
    from .syspath import drop_working_directory
    drop_working_directory()
    try:
        _catch_sigterm()
        code = cli.main(args=argv, prog_name="wflint", standalone_mode=False)
    except SystemExit:
        raise
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _fail("wflint: interrupted")
    except _Terminated:
        _fail("wflint: terminated (SIGTERM)")
    except BrokenPipeError:
        _fail("wflint: the output was closed before the report was written (broken pipe)", pipe=True)
    except BaseException as exc:
        if type(exc).__name__ == "Terminated" and type(exc).__module__ == "wflint.run.parallel":
            _fail("wflint: terminated (SIGTERM); the worker processes were stopped")
        if os.environ.get("WFLINT_DEBUG"):
            import traceback
            traceback.print_exc()
        _fail(f"wflint: internal error: {_one_line(f'{type(exc).__name__}: {exc}')} "
              "(this is a bug in wflint; set WFLINT_DEBUG=1 to see the traceback, and please report it)")
    sys.exit(code if isinstance(code, int) else EXIT_OK)


# Set by `console`: this process ends with os._exit once the command is done.
_LEAVING_AT_ONCE = False


def console() -> None:
    """The console script and `python -m wflint`: `main`, then leave at once.
    A run ends with every parsed document still in memory, much of it in
    reference cycles; the interpreter's shutdown would spend about as long
    freeing them as a tenth of the run took. Nothing is left to do by then:
    the report is written and flushed, files are closed, workers joined."""
    global _LEAVING_AT_ONCE
    _LEAVING_AT_ONCE = True
    try:
        main()
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # sys.exit("message"), as the interpreter would show it
        try:
            print(code, file=sys.stderr)
        except (OSError, ValueError):
            pass
        code = EXIT_FINDINGS
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away with part of the report unread
        try:
            _fail("wflint: the output was closed before the report was written (broken pipe)", pipe=True)
        except SystemExit as exc:
            code = exc.code
    except (OSError, ValueError):  # closed by the command itself (the language server's streams)
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # under a profiler or a coverage tracer, whose reports are written at exit
    os._exit(code)


def _fail(message: str, pipe: bool = False) -> None:
    if pipe:  # nothing more can reach the reader; keep the interpreter from complaining at exit
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    console()
