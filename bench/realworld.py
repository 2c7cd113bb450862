"""Accuracy of wflint on real repositories of Argo manifests (issue 15).

Runs a given wflint binary over one folder per public repository and prints a
per-repository table: documents linted, errors, warnings, infos, lines of the
default text output, and, using the verdicts in `realworld_judgements.json`,
how many documents got a false error or a false warning and how many findings
are false, genuine, debatable or not judged yet.

Nothing here is downloaded, and no manifest of those repositories is kept in
this repository: `realworld_repos.json` lists each repository, its commit and
the folders linted; `realworld_judgements.json` holds only finding patterns
(rule id + message regex [+ path glob]) and our verdicts on them, each checked
against Argo v4.1.2's source.

Usage:

    python bench/realworld.py --data DIR --wflint .venv/bin/wflint
    python bench/realworld.py --data DIR --wflint W --markdown        # table for docs/
    python bench/realworld.py --data DIR --wflint W --patterns        # per-pattern counts
    python bench/realworld.py --data DIR --wflint W --markdown --pattern-table   # docs/realworld.md
    python bench/realworld.py --data DIR --wflint W --unjudged        # errors/warnings with no verdict
    python bench/realworld.py --fetch-instructions

Re-creating the data dir (--fetch-instructions prints the same list):
DIR holds one folder per repository, named `owner+name` (the slash replaced by
`+`), whose content is that repository's tree at the listed commit, at least
the listed subpaths (only *.yaml, *.yml and *.json files are needed). For
example, from a clone:

    git clone https://github.com/OWNER/NAME && cd NAME && git checkout COMMIT
    mkdir -p DIR/OWNER+NAME && git archive COMMIT SUBPATH... | tar -x -C DIR/OWNER+NAME

Each folder is linted as a user would from the repository root: the working
directory is the repository folder, `--template-path .` stands for the git
work tree (the data folders are not git trees), and the subpaths are given as
the paths to check. Documents are counted per file and `---` separated
document; a finding belongs to the document whose lines hold it.
"""

from __future__ import annotations

import argparse
import collections
import fnmatch
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPOS = os.path.join(HERE, "realworld_repos.json")
JUDGEMENTS = os.path.join(HERE, "realworld_judgements.json")
VERDICTS = ("false", "genuine", "debatable")
_DOC_START = re.compile(r"^---(\s|$)")


def folder_of(repo):
    return repo.replace("/", "+")


def load_repos(path=REPOS):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["repos"]


def load_judgements(path=JUDGEMENTS):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for j in data["patterns"]:
        if j["verdict"] not in VERDICTS:
            raise SystemExit(f"{path}: verdict {j['verdict']!r} is not one of {VERDICTS}")
        out.append(dict(j, _re=re.compile(j.get("message", ""), re.S)))
    return out


def judge(finding, repo, relpath, judgements):
    """The first pattern that matches the finding, or None."""
    for j in judgements:
        # A sub-check (`workflow-spec/removed-field`) is judged by its rule's patterns.
        if j["rule"] != finding["rule"] and j["rule"] != finding["rule"].split("/")[0]:
            continue
        if "severity" in j and j["severity"] != finding["severity"]:
            continue
        if not j["_re"].search(finding["message"]):
            continue
        if "path" in j and not fnmatch.fnmatch(f"{repo}/{relpath}", j["path"]):
            continue
        return j
    return None


def fetch_instructions(repos):
    lines = ["# One folder per repository under DIR, named owner+name, at the listed commit:"]
    for r in repos:
        subs = " ".join(r["subpaths"])
        lines.append(f"# {r['repo']} @ {r['commit']} : {subs}")
        lines.append(f"mkdir -p DIR/{folder_of(r['repo'])} && git -C CLONES/{r['repo']} archive {r['commit']} "
                     f"{'' if subs == '.' else subs} | tar -x -C DIR/{folder_of(r['repo'])}")
    return "\n".join(lines)


class DocLocator:
    """Which `---` document of a file a line falls in (1-based lines)."""

    def __init__(self):
        self._starts = {}

    def doc(self, path, line):
        starts = self._starts.get(path)
        if starts is None:
            starts = []
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    for n, text in enumerate(f, 1):
                        if _DOC_START.match(text):
                            starts.append(n)
            except OSError:
                pass
            self._starts[path] = starts
        k = 0
        for s in starts:
            if s <= (line or 1):
                k += 1
        return k


def run_wflint(wflint, repo_dir, subpaths, text=False):
    subs = [s for s in subpaths if os.path.exists(os.path.join(repo_dir, s))] or ["."]
    cmd = [wflint, "check", "--no-cache", "--template-path", "."]
    if not text:
        cmd += ["--format", "json"]
    cmd += subs
    env = dict(os.environ, NO_COLOR="1")
    env.pop("GITHUB_ACTIONS", None)
    p = subprocess.run(cmd, cwd=repo_dir, capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1):
        sys.stderr.write(f"wflint exited {p.returncode} in {repo_dir}:\n{p.stderr[-2000:]}\n")
    if text:
        return p.stdout
    try:
        return json.loads(p.stdout)
    except ValueError:
        sys.stderr.write(f"no JSON from wflint in {repo_dir}: {p.stderr[-2000:]}\n")
        return {"summary": {"documents": 0}, "diagnostics": []}


def measure(data, wflint, repos, judgements, text_lines=True):
    rows, all_findings = [], []
    loc = DocLocator()
    for r in repos:
        repo_dir = os.path.join(data, folder_of(r["repo"]))
        if not os.path.isdir(repo_dir):
            sys.stderr.write(f"missing {repo_dir}; see --fetch-instructions\n")
            continue
        report = run_wflint(wflint, repo_dir, r["subpaths"])
        sev = collections.Counter()
        verdicts = collections.Counter()
        false_docs = {"error": set(), "warning": set()}
        for f in report.get("diagnostics", []):
            sev[f["severity"]] += 1
            path = f.get("path") or ""
            abspath = path if os.path.isabs(path) else os.path.join(repo_dir, path)
            rel = os.path.relpath(abspath, repo_dir)
            j = judge(f, r["repo"], rel, judgements) if f["severity"] != "info" else None
            v = j["verdict"] if j else ("info" if f["severity"] == "info" else "unjudged")
            verdicts[v] += 1
            if v == "false" and f["severity"] in false_docs:
                false_docs[f["severity"]].add((rel, loc.doc(abspath, f.get("line"))))
            all_findings.append(dict(f, repo=r["repo"], relpath=rel, verdict=v,
                                     pattern=j.get("id") if j else None))
        lines = None
        if text_lines:
            lines = len(run_wflint(wflint, repo_dir, r["subpaths"], text=True).splitlines())
        rows.append({
            "repo": r["repo"], "documents": report.get("summary", {}).get("documents", 0),
            "errors": sev["error"], "warnings": sev["warning"], "infos": sev["info"], "text_lines": lines,
            "false_error_docs": len(false_docs["error"]), "false_warning_docs": len(false_docs["warning"]),
            "false": verdicts["false"], "genuine": verdicts["genuine"], "debatable": verdicts["debatable"],
            "unjudged": verdicts["unjudged"],
        })
    return rows, all_findings


COLUMNS = [("repo", "repository"), ("documents", "docs"), ("errors", "err"), ("warnings", "warn"),
           ("infos", "info"), ("text_lines", "text lines"), ("false_error_docs", "docs w/ false err"),
           ("false_warning_docs", "docs w/ false warn"), ("false", "false"), ("genuine", "genuine"),
           ("debatable", "debatable"), ("unjudged", "unjudged")]


def with_total(rows):
    total = {"repo": "TOTAL"}
    for key, _ in COLUMNS[1:]:
        total[key] = sum(r[key] or 0 for r in rows)
    return rows + [total]


def render(rows, markdown=False):
    rows = with_total(rows)
    heads = [h for _, h in COLUMNS]
    table = [[str(r[k]) if r[k] is not None else "-" for k, _ in COLUMNS] for r in rows]
    total = rows[-1]
    docs = total["documents"] or 1
    tail = (f"documents with a false error: {total['false_error_docs']} ({100 * total['false_error_docs'] / docs:.2f}%); "
            f"with a false warning: {total['false_warning_docs']} ({100 * total['false_warning_docs'] / docs:.2f}%); "
            f"errors+warnings: {total['errors'] + total['warnings']} "
            f"(false {total['false']}, genuine {total['genuine']}, debatable {total['debatable']}, "
            f"unjudged {total['unjudged']}); infos: {total['infos']}")
    if markdown:
        out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        out += ["| " + " | ".join(row) + " |" for row in table]
        return "\n".join(out) + "\n\n" + tail
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(heads)]
    fmt = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([fmt(heads)] + [fmt(row) for row in table]) + "\n\n" + tail


def patterns(findings):
    """Counts per judged pattern, then the unjudged errors/warnings grouped by rule and message shape."""
    by = collections.OrderedDict()
    for f in findings:
        if f["severity"] == "info":
            key = ("info", f["rule"], "")
        elif f["pattern"]:
            key = (f["verdict"], f["rule"], f["pattern"])
        else:
            key = ("unjudged", f["rule"], _shape(f["message"]))
        by.setdefault(key, []).append(f)
    lines = []
    for key in sorted(by, key=lambda k: (k[0], -len(by[k]), k)):
        items = by[key]
        repos = collections.Counter(f["repo"] for f in items)
        ex = items[0]
        lines.append(f"{key[0]:9} {len(items):5}  {key[1]}  {key[2]}\n"
                     f"          e.g. {ex['repo']}/{ex['relpath']}:{ex.get('line')}  [{ex['severity']}] {ex['message'][:200]}\n"
                     f"          repos: {', '.join(f'{r} {n}' for r, n in repos.most_common())}")
    return "\n".join(lines)


def pattern_table(findings, judgements):
    """Markdown: one row per judged pattern that matched, with its count, repositories and reason."""
    by = collections.Counter(f["pattern"] for f in findings if f["pattern"])
    repos = collections.defaultdict(collections.Counter)
    example = {}
    for f in findings:
        if f["pattern"]:
            repos[f["pattern"]][f["repo"].split("/")[1]] += 1
            example.setdefault(f["pattern"], f"{f['repo']}/{f['relpath']}:{f.get('line')}")
    order = {"false": 0, "debatable": 1, "genuine": 2}
    out = ["| verdict | rule | pattern | count | issue 15 | repositories | e.g. | Argo v4.1.2 reason |", "|---|---|---|---|---|---|---|---|"]
    for j in sorted(judgements, key=lambda j: (order[j["verdict"]], -by[j["id"]])):
        if not by[j["id"]]:
            continue
        rs = ", ".join(f"{r} {n}" for r, n in repos[j["id"]].most_common())
        msg = j["message"].replace("|", "\\|")
        out.append(f"| {j['verdict']} | {j['rule']} | `{j['id']}`: `` {msg} `` | {by[j['id']]} | {j.get('issue15', 'new')} | {rs} | "
                   f"{example[j['id']]} | {j['reason'].replace('|', '/')} |")
    return "\n".join(out)


def _shape(message):
    message = re.sub(r"`[^`]*`", "`_`", message)
    return re.sub(r"\d+", "N", message)[:140]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="folder with one folder per repository (owner+name)")
    ap.add_argument("--wflint", default="wflint", help="the wflint executable to measure")
    ap.add_argument("--repos", default=REPOS)
    ap.add_argument("--judgements", default=JUDGEMENTS)
    ap.add_argument("--only", action="append", default=[], help="measure only this repository (repeatable)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--patterns", action="store_true", help="also print counts per finding pattern")
    ap.add_argument("--unjudged", action="store_true", help="print only the unjudged errors and warnings")
    ap.add_argument("--pattern-table", action="store_true", help="also print the judged patterns as a Markdown table")
    ap.add_argument("--dump", metavar="FILE", help="write every finding, with its verdict, as JSON")
    ap.add_argument("--no-text", action="store_true", help="skip the second (text output) run")
    ap.add_argument("--fetch-instructions", action="store_true", help="print how to re-create the data folder")
    a = ap.parse_args(argv)
    if os.sep in a.wflint:
        a.wflint = os.path.abspath(a.wflint)
    repos = load_repos(a.repos)
    if a.fetch_instructions:
        print(fetch_instructions(repos))
        return 0
    if not a.data:
        ap.error("--data is required")
    if a.only:
        repos = [r for r in repos if r["repo"] in a.only or folder_of(r["repo"]) in a.only]
    judgements = load_judgements(a.judgements)
    rows, findings = measure(a.data, a.wflint, repos, judgements, text_lines=not a.no_text)
    if a.dump:
        with open(a.dump, "w", encoding="utf-8") as f:
            json.dump(findings, f, indent=1)
    if a.unjudged:
        print(patterns([f for f in findings if f["verdict"] == "unjudged"]))
        return 0
    print(render(rows, markdown=a.markdown))
    if a.pattern_table:
        print()
        print(pattern_table(findings, judgements))
    if a.patterns:
        print()
        print(patterns(findings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
