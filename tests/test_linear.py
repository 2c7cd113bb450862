"""Every scanner over text from the checkout runs in time linear in the text.

Each test quadruples the input and compares the two times (the best of
several runs): a linear scanner takes about four times as long for four times
the input, a quadratic one sixteen times, an exponential one never finishes.
The bound (under 9x for 4x the input) sits between the two, loose on purpose.

The times are the CPU time of this process (``time.process_time``), not the
wall clock: what other processes do on a loaded machine (the other pytest-xdist
worker, other jobs of a shared CI machine) does not count, so the ratio stays
meaningful under load. Under pytest-xdist they still run one after another,
on one worker (``--dist loadfile``).
"""

from __future__ import annotations

import gc
import random
import re
import time

import pytest

from wflint.lang import selector, tags
from wflint.run import suppress
from wflint.run.engine import Engine, Options, raise_recursion_limit
from wflint.source.globmatch import GitIgnore, wildcard_matcher
from wflint.source.files import SourceFile

RATIO = 9.0   # for FACTOR times the input: linear ~4x, quadratic ~16x
FACTOR = 4
RUNS = 3
ENOUGH = 0.01   # CPU seconds the smaller input must take to be timed

_clock = time.process_time   # this process's CPU time: the load of other processes is not charged


def _best(fn, arg, runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        start = _clock()
        fn(arg)
        best = min(best, _clock() - start)
    return best


def assert_linear(fn, make, n: int) -> None:
    """``fn(make(FACTOR * n))`` takes less than RATIO times ``fn(make(n))``; a
    problem size is grown (one run a size, at most FACTOR times at a step)
    until the small run takes long enough to time."""
    # The collector is paused while timing: a full collection over what earlier
    # tests left alive would be charged to whichever run it fell in.
    gc.collect()
    gc.disable()
    try:
        _assert_linear(fn, make, n)
    finally:
        gc.enable()


def _assert_linear(fn, make, n: int) -> None:
    while True:
        once = _best(fn, make(n), runs=1)
        if once > ENOUGH or n > 10_000_000:
            break
        n = int(n * min(FACTOR, max(2.0, 1.5 * ENOUGH / once) if once > 0 else FACTOR))
    small = _best(fn, make(n))
    large = _best(fn, make(FACTOR * n))
    for _ in range(2):   # retries: a burst of cache contention, a frequency change
        if large / small < RATIO:
            break
        small, large = _best(fn, make(n)), _best(fn, make(FACTOR * n))
    assert large / small < RATIO, f"{large / small:.1f}x the time for {FACTOR}x the input (n={n}, {large:.3f} s)"


HOSTILE = {
    "unclosed": lambda n: "{{" * n,
    "unclosed-expression": lambda n: "{{=" * n,
    "unclosed-string": lambda n: "{{='" * n,
    "unclosed-index": lambda n: "{{=a[" * n,
    "brackets": lambda n: "[" * n,
    "quotes": lambda n: "'\"" * n,
    "nested": lambda n: "{{a{{b}}" * n,
    "closed-then-open": lambda n: "{{x}}{{" * n,
    "lines": lambda n: "{{ a\n" * n + "}}",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_tag_spans_are_linear(name):
    make = HOSTILE[name]
    assert_linear(tags.spans, make, 2000)
    assert_linear(lambda text: tags.spans(text, one_line=True), make, 2000)
    assert_linear(tags.scan.__wrapped__, make, 2000)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_selector_tokens_are_linear(name):
    assert_linear(selector.tokenize, HOSTILE[name], 2000)


def test_spans_find_what_the_regexes_found():
    """The hand-written scanner finds exactly the matches of the non-greedy
    regexes it replaces."""
    anywhere = re.compile(r"\{\{.*?\}\}", re.S)
    one_line = re.compile(r"\{\{[^\n]*?\}\}")
    rng = random.Random(14)
    for _ in range(5000):
        text = "".join(rng.choice(["{", "}", "{{", "}}", "a", "\n", "=", " "]) for _ in range(rng.randint(0, 20)))
        assert tags.spans(text) == [m.span() for m in anywhere.finditer(text)], text
        assert tags.spans(text, one_line=True) == [m.span() for m in one_line.finditer(text)], text


def test_names_with_tags_match_without_backtracking():
    """A step named `{{a}}x{{a}}x…` becomes a pattern with one wildcard per
    tag; a regex of `.+x.+x…` backtracks exponentially on `xxxx…`."""
    matcher = wildcard_matcher([""] + ["x"] * 40 + [""])
    assert_linear(matcher, lambda n: "x" * n + "y", 1000)
    assert wildcard_matcher(["a-", "-b"])("a-1-b") and not wildcard_matcher(["a-", "-b"])("a--b")
    assert wildcard_matcher(["", ""])("z") and not wildcard_matcher(["", ""])("")
    assert wildcard_matcher(["p", "q", "r"])("p1q2r") and not wildcard_matcher(["p", "q", "r"])("pqr")


def test_exclude_patterns_match_without_backtracking():
    """`a**a**a**…b` hangs a backtracking matcher on a long name of `a`s."""
    spec = GitIgnore(["a" + "**a" * 30 + "**b"])
    assert_linear(spec.match_file, lambda n: "a" * n + ".yaml", 500)
    deep = GitIgnore(["**/a/**/a/**/a/**/a/**/b"])
    assert_linear(deep.match_file, lambda n: "a/" * n + "c.yaml", 200)


@pytest.mark.parametrize("pattern, path, excluded", [
    ("foo", "foo", True), ("foo", "x/foo/y.yaml", True), ("/foo", "x/foo", False),
    ("foo/", "foo", False), ("foo/", "foo/", True), ("foo/", "foo/a.yaml", True),
    ("*.yaml", "a/b.yaml", True), ("a/*.yaml", "a/b/c.yaml", False), ("a/**", "a/b/c.yaml", True),
    ("a/**/c.yaml", "a/c.yaml", True), ("a/**/c.yaml", "a/x/y/c.yaml", True), ("**/c.yaml", "c.yaml", True),
    ("[ab]?.yaml", "bx.yaml", True), ("[!ab]?.yaml", "bx.yaml", False), ("\\*.yaml", "x.yaml", False),
    ("\\*.yaml", "*.yaml", True), ("a[", "a[", False),
])
def test_exclude_patterns_read_as_gitignore(pattern, path, excluded):
    assert GitIgnore([pattern]).match_file(path) is excluded


def test_exclude_negation_and_limits():
    assert not GitIgnore(["*.yaml", "!keep.yaml"]).match_file("keep.yaml")
    assert GitIgnore(["*.yaml", "!keep.yaml"]).match_file("drop.yaml")
    assert GitIgnore(["x.yaml", "!build/"]).match_file("build/x.yaml")   # a folder cannot undo a file
    from wflint.source.globmatch import PatternError
    with pytest.raises(PatternError):
        GitIgnore(["a" * 5000])


def test_helm_neutralising_is_linear():
    """Unclosed actions with unclosed strings, then unclosed `{{`: a chart
    template that never closes anything."""
    from wflint.argo import helm
    assert_linear(helm.neutralise, lambda n: ('{{ "' + "x" * 10) * n + "\n" + "{{" * n, 5000)


def test_suppression_directives_are_linear():
    def make(n):
        return ("a: '# wflint: disable=x\n" * n) + "'\n" + "# wflint: disable-file=y\n" * n
    assert_linear(suppress.parse, make, 200)


# -- whole runs: hostile text in every field that a scanner reads ------------

def _workflow(p: str) -> str:
    q = "'" + p.replace("'", "''") + "'"
    manifest = "'" + ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n" + p).replace("'", "''") + "'"
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\nspec:\n"
        f"  entrypoint: main\n  serviceAccountName: s\n  onExit: {q}\n"
        "  templates:\n"
        "  - name: main\n    steps:\n"
        f"    - - name: {q}\n        template: r\n        when: {q}\n"
        f"        arguments: {{parameters: [{{name: a, value: {q}}}]}}\n"
        f"    - - name: b\n        template: {q}\n"
        "  - name: d\n    dag:\n      tasks:\n"
        f"      - name: {q}\n        template: r\n        depends: {q}\n"
        "  - name: r\n    resource:\n      action: create\n"
        f"      successCondition: {q}\n      failureCondition: {q}\n"
        f"      manifest: {manifest}\n"
    )


@pytest.fixture(scope="module")
def engine():
    raise_recursion_limit()
    return Engine(Options(use_cache=False, jobs=1))


@pytest.mark.parametrize("name", ["unclosed", "unclosed-expression", "unclosed-string", "unclosed-index",
                                  "brackets", "nested", "closed-then-open"])
def test_a_whole_run_is_linear(engine, name):
    """The hostile text in names, `when`, `depends`, conditions and a
    resource manifest: the run's time grows with the text, not its square."""
    make = HOSTILE[name]

    def run(text):
        engine.lint([SourceFile("wf.yaml", text)], findings=[], file_count=1)
    assert_linear(run, lambda n: _workflow(make(n)), 500)
