"""Character ranges inside string values mapped to file positions (document.scalar_offsets)."""

import pytest

from wflint.source import loader
from wflint.source.files import SourceFile

from conftest import dedent


def doc_of(text):
    docs, findings = loader.load(SourceFile("t.yaml", dedent(text)))
    assert not findings
    return docs[0]


def at(doc, key, begin, end=None):
    """(line, column, end_column) of value[begin:end] of the top-level ``key``."""
    line, column, end_line, end_column = doc.span((key,), sub=(begin, end if end is not None else begin + 1))
    assert end_line == line
    return line, column, end_column


def char_at(doc, line, column):
    return doc.source.line(line)[column - 1]


def test_single_line_scalars():
    doc = doc_of("""
        plain: status.phase == x
        single: 'status.phase == x'
        double: "status.phase == x"
    """)
    assert at(doc, "plain", 16, 17) == (1, 24, 25)
    assert at(doc, "single", 16, 17) == (2, 26, 27)
    assert at(doc, "double", 16, 17) == (3, 26, 27)
    assert all(char_at(doc, line, 26) == "x" for line in (2, 3))


def test_escapes_in_quoted_scalars():
    doc = doc_of("""
        double: "a\\tb == \\"x\\""
        single: 'it''s == x'
        hex: "\\x41\\u00e9 == y"
    """)
    loader.convert(doc)
    assert doc.data["double"] == 'a\tb == "x"' and doc.data["single"] == "it's == x"
    line, column, end = at(doc, "double", doc.data["double"].index("x"))
    assert (line, column) == (1, 20) and char_at(doc, line, column) == "x"
    line, column, end = at(doc, "double", 0, len(doc.data["double"]))
    assert (line, column, end) == (1, 10, 22)  # the whole value, escapes included
    line, column, end = at(doc, "single", doc.data["single"].index("x"))
    assert (line, column) == (2, 19) and char_at(doc, line, column) == "x"
    line, column, end = at(doc, "hex", doc.data["hex"].index("y"))
    assert char_at(doc, line, column) == "y"


def test_literal_block():
    doc = doc_of("""
        manifest: |
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: x
    """)
    value = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    offset = value.index("name")
    line, column, end = at(doc, "manifest", offset, offset + 4)
    assert (line, column, end) == (5, 5, 9)
    assert char_at(doc, line, column) == "n"


def test_folded_block_maps_each_line():
    doc = doc_of("""
        manifest: >
          apiVersion: v1
          kind: ConfigMap

          metadata: {name: x}
        after: 1
    """)
    node_value = "apiVersion: v1 kind: ConfigMap\nmetadata: {name: x}\n"
    assert loader.convert(doc) == [] and doc.data["manifest"] == node_value
    # the `:` after `kind`, folded onto the first line of the value
    offset = node_value.index("kind:") + 4
    line, column, end = at(doc, "manifest", offset)
    assert (line, column) == (3, 7) and char_at(doc, line, column) == ":"
    offset = node_value.index("name")
    line, column, end = at(doc, "manifest", offset, offset + 4)
    assert (line, column, end) == (5, 14, 18)
    # a range that starts on a folded line break: just after the line it ends
    line, column, _ = at(doc, "manifest", node_value.index(" kind"))
    assert (line, column) == (2, 17)


def test_folded_block_with_more_indented_lines_and_chomping():
    doc = doc_of("""
        text: >-
          first
            indented
          last
    """)
    loader.convert(doc)
    value = doc.data["text"]
    assert value == "first\n  indented\nlast"
    line, column, _ = at(doc, "text", value.index("indented"))
    assert (line, column) == (3, 5)
    line, column, _ = at(doc, "text", value.index("last"))
    assert (line, column) == (4, 3)


def test_folded_block_with_indentation_indicator_is_unsure():
    doc = doc_of("""
        text: >2
            deeper
          x
    """)
    assert doc.span(("text",), sub=(0, 1))[:2] == (1, 7)


@pytest.mark.parametrize("quote", ['"', "'", ""])
def test_multi_line_flow_scalars(quote):
    doc = doc_of(f"""
        cond: {quote}status.phase == Succeeded,
          status.failed  >  x{quote}
        next: 1
    """)
    loader.convert(doc)
    value = doc.data["cond"]
    assert value == "status.phase == Succeeded, status.failed  >  x"
    line, column, end = at(doc, "cond", value.index("x"))
    assert (line, column) == (2, 21) and char_at(doc, line, column) == "x"
    line, column, end = at(doc, "cond", value.index("status.failed"), len(value))
    assert (line, column, end) == (2, 3, 22)
    line, column, _ = at(doc, "cond", 0)
    assert (line, column) == (1, 7 + len(quote))


def test_multi_line_double_quoted_with_escapes():
    doc = doc_of("""
        cond: "{\\"a\\": 1,
          \\"b\\": [2}"
        joined: "abc\\
          def x"
    """)
    loader.convert(doc)
    value = doc.data["cond"]
    assert value == '{"a": 1, "b": [2}'
    line, column, _ = at(doc, "cond", value.index("}"))
    assert (line, column) == (2, 12) and char_at(doc, line, column) == "}"
    assert doc.data["joined"] == "abcdef x"
    line, column, _ = at(doc, "joined", doc.data["joined"].index("x"))
    assert (line, column) == (4, 7) and char_at(doc, line, column) == "x"


def test_parse_text_reports_offsets_in_the_text():
    parsed = loader.parse_text("kind: X\nmetadata:\n  name: [a\n")
    assert parsed.documents == [] and parsed.error is not None
    offset, message = parsed.error
    assert "never closed" in message and offset == len("kind: X\nmetadata:\n  name: ")
    parsed = loader.parse_text("a: 1\n---\nb: 2\nb: 3\n")
    assert [d[0] for d in parsed.documents] == [0, 9] and parsed.error is None
    assert [d[2] for d in parsed.documents] == [{"a": 1}, {"b": 3}]
    assert parsed.duplicates == [(len("a: 1\n---\nb: 2\n"), "b", 9)]
    offset, message = loader.parse_text("a: b: c\n").error
    assert offset == 4 and "mapping values" in message
    offset, message = loader.parse_text("a:\n\t- b\n").error
    assert message.startswith("a tab character")
    assert loader.parse_text("").documents == []
    assert loader.parse_text("{a: 1}: 2\n").error[1].startswith("a mapping key must be a scalar")
