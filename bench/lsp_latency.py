"""Language server latency and memory (issue 18): not a test, run by hand.

A 5,000-file workspace from bench/corpus.py (`write_many`), plus one
1,000-line Workflow (a DAG calling a WorkflowTemplate of the workspace) open
in the "editor". After the initial index (the first diagnostics), each of
--changes incremental edits is timed from `didChange` sent to
`publishDiagnostics` received for that version, debounce included; edits
alternate between breaking a `depends` and fixing it, so every round changes
the diagnostics. The server's resident memory (VmRSS, peak VmHWM) is read
from /proc at the end.

    python bench/lsp_latency.py [--files 5000] [--changes 30] [--keep DIR]

Target: diagnostics within 300 ms of a change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402


class RawClient:
    """A minimal LSP client over the server's stdio: what an editor sends."""

    def __init__(self, command, cwd):
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=sys.stderr)
        self.next_id = 0

    def send(self, message: dict) -> None:
        body = json.dumps(dict(message, jsonrpc="2.0")).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def receive(self) -> dict:
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def wait(self, predicate) -> dict:
        while True:
            message = self.receive()
            if predicate(message):
                return message


def big_workflow(tasks: int, library: str) -> str:
    out = [corpus.HEADER, "kind: Workflow\nmetadata:\n  generateName: big-\nspec:\n  entrypoint: main\n",
           "  templates:\n    - name: main\n      dag:\n        tasks:\n"]
    rng = random.Random(5)
    for t in range(tasks):
        out.append(f"          - name: t{t}\n")
        if t % 10 == 9:
            out.append(f"            templateRef:\n              name: {library}\n              template: build\n")
        else:
            out.append("            template: work\n")
        if t:
            deps = sorted(rng.sample(range(t), min(t, 2)))
            out.append(f"            depends: \"{' && '.join(f't{d}' for d in deps)}\"\n")
        out.append("            arguments:\n              parameters:\n")
        name = "repo" if t % 10 == 9 else "message"
        out.append(f"                - name: {name}\n                  value: v{t}\n")
    out.append(corpus._container("work", inputs=["message"]))
    return "".join(out)


def rss_kb(pid: int):
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":")
                values[key] = int(value.split()[0])
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--lines", type=int, default=1_000)
    parser.add_argument("--keep", default=None, help="build the workspace here and keep it")
    args = parser.parse_args()

    root = args.keep or tempfile.mkdtemp(prefix="wflint-lsp-bench-")
    try:
        started = time.perf_counter()
        if not os.path.isdir(os.path.join(root, "team-00")):
            corpus.write_many(root, count=args.files, seed=17)
        tasks = max(10, args.lines // 8)
        text = big_workflow(tasks, "library-0")
        while text.count("\n") < args.lines:
            tasks += 1
            text = big_workflow(tasks, "library-0")
        path = Path(root) / "edited.yaml"
        path.write_text(text)
        print(f"workspace: {args.files} files + edited.yaml ({text.count(chr(10))} lines), "
              f"written in {time.perf_counter() - started:.1f} s")

        client = RawClient([sys.executable, "-m", "wflint", "lsp"], cwd=root)
        uri = path.resolve().as_uri()
        t0 = time.perf_counter()
        init = client.request("initialize", {"processId": os.getpid(), "rootUri": Path(root).resolve().as_uri(),
                                             "capabilities": {}})
        client.wait(lambda m: m.get("id") == init)
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                                "text": text}})
        first = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri)
        initial = time.perf_counter() - t0
        print(f"initial index + first diagnostics: {initial * 1000:.0f} ms "
              f"({len(first['params']['diagnostics'])} diagnostics)")

        lines = text.split("\n")
        target = next(i for i, line in enumerate(lines) if 'depends: "' in line and i > len(lines) // 2)
        original = lines[target]
        broken = original.replace('depends: "', 'depends: "nosuch && ')
        latencies = []
        for round_number in range(args.changes):
            version = round_number + 2
            new = broken if round_number % 2 == 0 else original
            old = original if round_number % 2 == 0 else broken
            change = {"range": {"start": {"line": target, "character": 0},
                                "end": {"line": target, "character": len(old)}}, "text": new}
            sent = time.perf_counter()
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                     "contentChanges": [change]})
            message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                  and m["params"]["uri"] == uri and m["params"].get("version") == version)
            latencies.append(time.perf_counter() - sent)
            expected = round_number % 2 == 0
            has_error = any(d["code"] == "dag-dependency" or "nosuch" in d["message"]
                            for d in message["params"]["diagnostics"])
            if has_error != expected:
                print(f"round {round_number}: unexpected diagnostics {message['params']['diagnostics'][:2]}")
            time.sleep(0.05)
        memory = rss_kb(client.process.pid)
        shutdown = client.request("shutdown", None)
        client.wait(lambda m: m.get("id") == shutdown)
        client.notify("exit", None)
        code = client.process.wait(timeout=10)

        ms = sorted(x * 1000 for x in latencies)
        print(f"change -> diagnostics over {len(ms)} edits (debounce included): "
              f"median {statistics.median(ms):.0f} ms, p90 {ms[int(len(ms) * 0.9) - 1]:.0f} ms, "
              f"max {ms[-1]:.0f} ms (target 300 ms)")
        print(f"server memory: RSS {memory.get('VmRSS', 0) / 1024:.0f} MB, peak {memory.get('VmHWM', 0) / 1024:.0f} MB")
        print(f"server exit code: {code}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
