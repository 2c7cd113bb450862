"""bench/realworld.py: the judgement file is well formed and matches findings as documented.

No real-world data is needed (nor present in this repository)."""

import importlib.util
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bench():
    spec = importlib.util.spec_from_file_location("realworld", os.path.join(ROOT, "bench", "realworld.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_judgements_are_well_formed():
    rw = _bench()
    judgements = rw.load_judgements()
    ids = [j["id"] for j in judgements]
    assert len(ids) == len(set(ids))
    for j in judgements:
        assert j["verdict"] in rw.VERDICTS
        assert j["rule"] and j["reason"]


def test_repos_list_commits():
    rw = _bench()
    for r in rw.load_repos():
        assert len(r["commit"]) == 40 and r["subpaths"]
    assert "argoproj/argo-workflows" in rw.fetch_instructions(rw.load_repos())


def test_first_matching_pattern_wins(tmp_path):
    rw = _bench()
    path = tmp_path / "j.json"
    path.write_text(json.dumps({"patterns": [
        {"id": "a", "rule": "r", "message": "^x", "path": "o/n/only/*", "verdict": "false", "reason": "."},
        {"id": "b", "rule": "r", "message": "x", "verdict": "genuine", "reason": "."},
    ]}))
    judgements = rw.load_judgements(str(path))
    finding = {"rule": "r", "severity": "error", "message": "x y"}
    assert rw.judge(finding, "o/n", "only/f.yaml", judgements)["id"] == "a"
    assert rw.judge(finding, "o/n", "other/f.yaml", judgements)["id"] == "b"
    assert rw.judge(dict(finding, rule="s"), "o/n", "only/f.yaml", judgements) is None


def test_documents_are_told_apart_by_separators(tmp_path):
    rw = _bench()
    f = tmp_path / "m.yaml"
    f.write_text("a: 1\n---\nb: 2\n---\nc: 3\n")
    loc = rw.DocLocator()
    assert [loc.doc(str(f), n) for n in (1, 3, 5)] == [0, 1, 2]
