"""What a run reads in real repositories: Argo documents found, findings by
severity and rule, and files that are not linted.

    python bench/inputs_survey.py DIR [DIR ...]            # with the wflint on PATH
    python bench/inputs_survey.py --wflint CMD DIR ...     # another build, e.g. "python -m wflint"

Each DIR is a checkout (fetched outside this repository; nothing of it is kept
here). Prints one Markdown table row per DIR. docs/inputs-survey.md keeps the
figures measured when Sensors, Lists, JSON, Helm chart indexing, kustomize
patches and near-miss reports were added.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
import time


def survey(command, folder):
    start = time.perf_counter()
    done = subprocess.run(command + ["check", "--no-cache", "--show-info", "--format", "json", "."]
                          if _has_show_info(command) else
                          command + ["check", "--no-cache", "--format", "json", "."],
                          cwd=folder, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return {"crash": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    rules = collections.Counter((d["severity"], d["rule"]) for d in data["diagnostics"])
    return {"summary": data["summary"], "rules": rules, "seconds": seconds, "exit": done.returncode}


def _has_show_info(command):
    done = subprocess.run(command + ["check", "--help"], capture_output=True, text=True)
    return "--show-info" in done.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wflint", default="wflint")
    parser.add_argument("folders", nargs="+")
    args = parser.parse_args(argv)
    command = shlex.split(args.wflint)
    print("| repository | files | Argo documents | errors | warnings | infos | not-linted | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for folder in args.folders:
        result = survey(command, folder)
        name = os.path.basename(os.path.normpath(folder))
        if "crash" in result:
            print(f"| {name} | crash: {result['crash']} |")
            continue
        s, rules = result["summary"], result["rules"]
        not_linted = sum(n for (sev, rule), n in rules.items() if rule == "not-linted")
        print(f"| {name} | {s['files']} | {s['documents']} | {s['errors']} | {s['warnings']} | {s['infos']} "
              f"| {not_linted} | {result['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
