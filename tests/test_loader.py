"""The loader: positions, Kubernetes' YAML 1.1 values, and hostile input."""

import time

from wflint.source import loader
from wflint.source.files import SourceFile, decode

from conftest import dedent


def load(text):
    docs, findings = loader.load(SourceFile("t.yaml", dedent(text)))
    for doc in docs:
        findings += loader.convert(doc)
    return docs, findings


def test_values_are_read_as_kubernetes_reads_them():
    docs, findings = load("""
        octal: 0755
        hex: 0x1F
        yes_: yes
        on_: on
        n_: n
        off_: Off
        date: 2024-01-31
        time: 2024-01-31T10:00:00Z
        sexagesimal: 1:30
        exp: 1e3
        underscore: 1_000
        quoted: "0755"
        tagged: !!str 0755
        nothing: ~
        empty:
    """)
    assert not findings
    data = docs[0].data
    assert data["octal"] == 493 and data["hex"] == 31
    assert data["yes_"] is True and data["on_"] is True and data["n_"] is False and data["off_"] is False
    assert data["date"] == "2024-01-31" and data["time"] == "2024-01-31T10:00:00Z"
    assert data["sexagesimal"] == "1:30"
    assert data["exp"] == 1000.0 and data["underscore"] == 1000
    assert data["quoted"] == "0755" and data["tagged"] == "0755"
    assert "nothing" not in data and "empty" not in data  # null is absent, as in Go


def test_keys_become_json_strings():
    docs, findings = load("""
        1: one
        true: yes
        on: x
    """)
    assert docs[0].data == {"1": "one", "true": "x"}  # `on` is the boolean true too
    assert [f.rule for f in findings] == ["duplicate-key"]


def test_positions_of_keys_values_and_list_items():
    docs, _ = load("""
        a:
          b: [1, 22]
          c:
            - name: x
    """)
    doc = docs[0]
    assert doc.span(("a", "b", 1)) == (2, 10, 2, 12)
    assert doc.span(("a", "c", 0, "name")) == (4, 13, 4, 14)
    assert doc.span(("a", "c")) == (3, 3, 3, 4)          # a list is shown by its key
    assert doc.span(("a", "missing")) == (1, 1, 1, 2)    # falls back to the nearest ancestor's key


def test_position_inside_a_literal_block():
    docs, _ = load("""
        script: |
          echo one
          echo {{x}}
    """)
    text = docs[0].data["script"]
    start = text.index("{{")
    assert docs[0].span(("script",), sub=(start, start + 5)) == (3, 8, 3, 13)


def test_duplicate_key_names_both_lines_and_document_is_still_linted():
    docs, findings = load("""
        metadata:
          labels: {a: b}
          labels: {c: d}
    """)
    assert len(findings) == 1
    f = findings[0]
    assert (f.rule, f.line, f.column) == ("duplicate-key", 3, 3)
    assert "line 2" in f.message
    assert docs[0].data == {"metadata": {"labels": {"c": "d"}}}


def test_duplicates_with_null_values_are_still_found():
    for text in ["a:\na: 1\n", "a: 1\na:\n", "a:\na:\n", "a: 1\nb:\na: 2\n"]:
        _, findings = load(text)
        assert [f.rule for f in findings] == ["duplicate-key"], text


def test_merge_keys():
    docs, findings = load("""
        base: &base {image: alpine, cmd: [a]}
        one:
          <<: *base
          cmd: [b]
        two:
          <<: [{x: 1}, *base]
    """)
    assert not findings
    assert docs[0].data["one"] == {"image": "alpine", "cmd": ["b"]}
    assert docs[0].data["two"] == {"x": 1, "image": "alpine", "cmd": ["a"]}


def test_merge_keys_apply_where_they_stand_as_in_kubernetes():
    """go-yaml v2 (sigs.k8s.io/yaml, so kubectl and the API server) applies
    the pairs in order: a `<<` overrides keys set before it, keys after it
    override it, a later `<<` overrides an earlier one, and in a list of
    mappings the earlier one wins."""
    docs, findings = load("""
        base: &base {image: alpine, cmd: [a]}
        before:
          cmd: [b]
          <<: *base
        after:
          <<: *base
          cmd: [b]
        twice:
          <<: {image: one, x: 1}
          <<: {image: two}
        listed:
          <<: [{image: first}, {image: second, z: 2}]
        null-before:
          image: ~
          <<: *base
    """)
    assert docs[0].data["before"] == {"image": "alpine", "cmd": ["a"]}
    assert docs[0].data["after"] == {"image": "alpine", "cmd": ["b"]}
    assert docs[0].data["twice"] == {"image": "two", "x": 1}
    assert docs[0].data["listed"] == {"image": "first", "z": 2}
    assert docs[0].data["null-before"] == {"image": "alpine", "cmd": ["a"]}
    assert [(f.rule, f.severity, f.line) for f in findings] == [("duplicate-key", "warning", 10)]
    # positions follow the same reading: the value comes from the `<<`
    assert docs[0].span(("before", "cmd"))[0] == 1 and docs[0].span(("after", "cmd"))[0] == 7


def test_json_with_surrogate_pair_escapes():
    """`json.dumps` writes 😀 as a surrogate pair; Kubernetes reads a JSON
    manifest as JSON, where that is one character (and a lone surrogate U+FFFD)."""
    docs, findings = load(r'{"a": "\ud83d\ude00 x", "b": "\ud800", "c": "\\ud83d"}')
    assert not findings
    assert docs[0].data == {"a": "\U0001f600 x", "b": "\ufffd", "c": "\\ud83d"}


def test_syntax_error_in_one_document_keeps_the_others():
    docs, findings = load("""
        a: 1
        ---
        b: [1, 2
        ---
        c: 3
    """)
    assert [d.data for d in docs] == [{"a": 1}, {"c": 3}]
    assert [(f.rule, f.line, f.column) for f in findings] == [("yaml-syntax", 3, 4)]


def test_tabs_get_a_hint():
    _, findings = load("a:\n\tb: 1\n")
    assert findings[0].rule == "yaml-syntax" and "tabs" in (findings[0].hint or "")


def test_unsafe_tags_are_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    docs, findings = load(f"""
        a: !!python/object/apply:os.system ["touch {marker}"]
        b: !!python/name:os.system
        c: !ruby/object:Gem::Installer {{x: 1}}
    """)
    assert not marker.exists()
    assert docs[0].data == {"a": [f"touch {marker}"], "b": "", "c": {"x": 1}} or "a" in docs[0].data


def test_alias_bomb_is_a_finding_and_fast():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"a{i}: &a{i} [{refs}]")
    start = time.perf_counter()
    docs, findings = load("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 5  # loose: a blow-up takes minutes
    assert [f.rule for f in findings] == ["yaml-syntax"]
    assert "alias" in findings[0].message


def test_recursive_alias_is_a_finding():
    _, findings = load("a: &a [*a]\n")
    assert [f.rule for f in findings] == ["yaml-syntax"]


def test_deep_block_nesting_is_a_finding_not_a_recursion_error():
    text = "".join("  " * i + f"k{i}:\n" for i in range(2000)) + "  " * 2000 + "v\n"
    _, findings = loader.load(SourceFile("t.yaml", text))
    assert [f.rule for f in findings] == ["input-limit"]


def test_deep_flow_nesting_is_refused_before_libyaml_recurses():
    text = "a: " + "[" * 200_000 + "]" * 200_000 + "\n"
    start = time.perf_counter()
    _, findings = loader.load(SourceFile("t.yaml", text))
    assert time.perf_counter() - start < 5
    assert [f.rule for f in findings] == ["input-limit"]


def test_nesting_past_the_data_limit_is_a_finding():
    text = "a: " + "[" * 150 + "]" * 150 + "\n"
    _, findings = load(text)
    assert [f.rule for f in findings] == ["input-limit"]


def test_moderate_nesting_is_fine():
    text = "a: " + "[" * 50 + "]" * 50 + "\n"
    docs, findings = load(text)
    assert not findings and docs[0].data["a"]


def test_decoding():
    assert decode("x", b"a: 1\n").text == "a: 1\n"
    assert decode("x", b"\xef\xbb\xbfa: 1\n").text == "a: 1\n"
    assert decode("x", "a: é\n".encode("utf-16")).text == "a: é\n"
    bad = decode("x", b"a: 1\nb: \xff\n")
    assert (bad.rule, bad.line, bad.column) == ("yaml-syntax", 2, 4)
    binary = decode("x", b"\x00\x01\x02\xff\xfe")
    assert binary.rule == "yaml-syntax" and "binary" in binary.message
    assert decode("x", b"a: 1\x00\n").rule == "yaml-syntax"


def test_empty_files_and_odd_tops_are_not_argo():
    for text in ["", "# only a comment\n", "42\n", "- a\n- b\n", "---\n---\n"]:
        docs, findings = load(text)
        assert not findings
        assert not any(d.is_argo for d in docs)


def test_header_is_read_without_converting():
    docs, _ = loader.load(SourceFile("t.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"
                                     "metadata: {name: w, namespace: ns}\n"))
    doc = docs[0]
    assert (doc.kind, doc.name, doc.namespace, doc.is_argo) == ("Workflow", "w", "ns", True)
    assert doc.data is None


def test_other_argoproj_kinds_are_not_linted():
    for kind in ["Application", "Rollout", "Sensor", "EventSource", "WorkflowEventBinding"]:
        docs, _ = loader.load(SourceFile("t.yaml", f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\n"))
        assert not docs[0].is_argo
