"""Coverage-guided fuzz target (atheris / libFuzzer) over the loader and the rule engine.

Every input is the bytes of one file. It goes through exactly what a run
does with a file: decoding (source.decode), splitting and composing
(loader.load), conversion (loader.convert), the project index and every rule
(Engine.lint), then the JSON and text renderers. The target fails on

* any exception escaping the engine (a traceback is a bug);
* an `internal-error` finding (a rule crashed: the engine caught it, but it is
  still a bug);
* JSON output that does not parse, or a finding with no usable position;
* findings that differ when the same input is linted a second time (checked
  for one input in eight, to keep the speed up).

Hangs and memory blow-ups are caught by libFuzzer itself: `-timeout=` (per
input, seconds) and `-rss_limit_mb=`.

Run it (atheris is not a test dependency: `pip install atheris`):

    python tests/fuzz/fuzz_lint.py -timeout=10 -rss_limit_mb=2048 \
        -dict=tests/fuzz/yaml.dict -max_len=4096 -atheris_runs=200000 \
        /tmp/wflint-fuzz-corpus tests/fuzz/corpus

The first corpus folder is where libFuzzer writes the inputs it finds
interesting (keep it outside the repository); the seeds in
tests/fuzz/corpus are a handful of small hand-written manifests. Use
`-max_total_time=600` instead of `-atheris_runs` to run for a fixed time, and
`-jobs=2 -workers=2` to use both cores. To replay one crashing input:

    python tests/fuzz/fuzz_lint.py crash-<sha1>

pytest never collects this file (its name does not start with `test_`).
See tests/fuzz/NOTES.md for what past runs found.
"""

from __future__ import annotations

import json
import sys
import zlib

import atheris

with atheris.instrument_imports(include=["wflint"]):
    import importlib
    import pkgutil

    import wflint
    import wflint.render
    import wflint.rules  # the built-in rules (the top-level rules/ folder, installed as wflint.rules)
    # Import every module now, inside the instrumentation: many are imported
    # lazily, at first use, and would otherwise run without coverage feedback.
    for package in (wflint, wflint.render, wflint.rules):
        for module in pkgutil.iter_modules(package.__path__):
            if module.name not in ("__main__", "cli"):  # __main__ would start the command line
                importlib.import_module(f"{package.__name__}.{module.name}")
    from wflint.source import loader, files as sources
    from wflint.run.engine import Engine, Options, raise_recursion_limit
    from wflint.run.registry import load_rules
    from wflint.render import render

load_rules()
raise_recursion_limit()  # what the CLI does before a run

ENGINE = Engine(Options(use_cache=False, jobs=1))
NAME = "fuzz.yaml"


def _lint(data: bytes):
    decoded = sources.decode(NAME, data)
    if not isinstance(decoded, sources.SourceFile):
        return ENGINE.lint([], findings=[decoded], file_count=1), None
    return ENGINE.lint([decoded]), decoded


def _key(report):
    return [(f.rule, f.path, f.line, f.column, f.end_line, f.end_column, f.message, f.severity)
            for f in report.findings]


def TestOneInput(data: bytes) -> None:
    report, decoded = _lint(data)
    for f in report.findings:
        if f.rule == "internal-error":
            raise AssertionError(f"a rule crashed: {f.message}")
        if f.path != NAME or f.line < 1 or f.column < 1:
            raise AssertionError(f"finding without a usable position: {f}")
        if f.severity not in ("error", "warning", "info"):
            raise AssertionError(f"bad severity: {f}")
    parsed = json.loads(render(report, "json"))
    if len(parsed["diagnostics"]) != len(report.findings):
        raise AssertionError("JSON output lost findings")
    text = render(report, "text", lines=(lambda path, number: decoded.line(number)) if decoded else None)
    if any(ch < " " and ch not in "\n\t" for ch in text):
        raise AssertionError("raw control character in text output")
    if zlib.crc32(data) % 8 == 0:
        again, _ = _lint(data)
        if _key(again) != _key(report):
            raise AssertionError("findings differ between two runs of the same input")
    if decoded is not None:
        # The parser the resource-template rule uses on embedded manifests.
        loader.parse_text(decoded.text)


def main(argv=None) -> None:
    atheris.Setup(list(argv or sys.argv), TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
