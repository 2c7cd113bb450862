"""The `wflint` command."""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

import click

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--quiet", "-q", is_flag=True, help="Do not report info-level findings.")
@click.option("--no-color", is_flag=True, help="Never colour the output (also: NO_COLOR=1). "
              "Colour is used only on a terminal.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Exit 1 when a finding of this severity or worse is reported.")
@click.option("--stdin-filename", default="<stdin>", metavar="NAME", show_default=True,
              help="The name to report for `-` (standard input).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip paths matching this gitignore-style pattern (repeatable).")
@click.option("--argo-version", type=click.Choice(["4.1", "3.7"]), default="4.1", show_default=True,
              help="The Argo Workflows release whose API the manifests target.")
@click.option("--max-file-size", type=float, default=None, callback=_megabytes, metavar="MB",
              help="Files larger than this are reported instead of parsed (default 10).")
def check(paths: Sequence[str], fmt: str, quiet: bool, no_color: bool, fail_on: str,
          stdin_filename: str, exclude: Sequence[str], argo_version: str,
          max_file_size: Optional[int]):
    """Lint the Argo manifests in PATHS (files or folders; default: `.`; `-`: standard input)."""
    from .engine import Engine, Options, raise_recursion_limit
    from .registry import PluginError
    from .render import render
    from .source import DEFAULT_MAX_FILE_SIZE

    raise_recursion_limit()
    paths = list(paths) or ["."]
    options = Options(argo_version=argo_version, exclude=list(exclude), quiet=quiet,
                      max_file_size=max_file_size or DEFAULT_MAX_FILE_SIZE)
    try:
        engine = Engine(options)
    except PluginError as exc:
        click.echo(f"wflint: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    stdin = None
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        stream = sys.stdin
        stdin = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
    report = engine.run(paths, stdin=stdin, stdin_name=stdin_filename)
    color = _use_color(no_color)
    click.echo(render(report, fmt, color=color, lines=report.line), nl=False, color=color)
    if report.internal_errors:
        sys.exit(EXIT_INTERNAL)
    failing = ("error",) if fail_on == "error" else ("error", "warning")
    sys.exit(EXIT_FINDINGS if any(f.severity in failing for f in report.findings) else EXIT_OK)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(fmt: str):
    """List every rule: id, default severity, enabled or not, summary."""
    rules = _rules_or_exit()
    if fmt == "json":
        import json
        click.echo(json.dumps([{"id": r.id, "severity": r.severity, "enabled": r.enabled,
                                "summary": r.summary, "origin": r.origin} for r in rules.values()], indent=2))
        return
    width = max(len(r.id) for r in rules.values())
    for rule in rules.values():
        state = "on " if rule.enabled else "off"
        origin = "" if rule.origin == "core" else f" ({rule.origin})"
        click.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {state}  {rule.summary}{origin}")


@cli.command()
@click.argument("rule_id", metavar="RULE")
def explain(rule_id: str):
    """Show what RULE checks, why it matters, an example and the fix."""
    from .suggest import did_you_mean
    rules = _rules_or_exit()
    rule = rules.get(rule_id)
    if rule is None:
        click.echo(f"wflint: no rule `{rule_id}`{did_you_mean(rule_id, rules)} "
                   "(`wflint rules` lists them)", err=True)
        sys.exit(EXIT_USAGE)
    doc = rule.doc()
    if doc is None:
        doc = f"# {rule.id}\n\n{rule.summary}\n\n(This rule has no further documentation.)\n"
    click.echo(doc.rstrip("\n"))


def _rules_or_exit():
    from .registry import PluginError, load_rules
    try:
        return load_rules()
    except PluginError as exc:
        click.echo(f"wflint: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def main(argv: Optional[Sequence[str]] = None):
    cli.main(args=argv, prog_name="wflint")


if __name__ == "__main__":  # pragma: no cover
    main()
