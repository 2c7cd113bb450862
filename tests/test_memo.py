"""The public per-document memo that rules and plugins use (`document.memoize`)."""

from wflint.source.document import Document


def test_memoize_computes_once_per_document_and_key():
    calls = []

    class Node:  # a document needs only a node to memoize
        value = []
    document = Document(source=None, index=0, node=Node(), line_offset=0)
    other = Document(source=None, index=1, node=Node(), line_offset=0)

    def compute():
        calls.append(1)
        return None  # None is a value too: computed once

    assert document.memoize(("my-plugin", "x"), compute) is None
    assert document.memoize(("my-plugin", "x"), compute) is None
    assert len(calls) == 1
    assert document.memoize(("my-plugin", "y"), lambda: [1]) == [1]
    assert other.memoize(("my-plugin", "x"), lambda: "other") == "other"
