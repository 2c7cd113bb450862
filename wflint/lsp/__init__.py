"""`wflint lsp`: the language server, a thin front end over wflint.run.workspace.

Only ``server`` (and the feature modules it loads) imports pygls and
lsprotocol, the `lsp` extra; ``navigate`` resolves references with wflint's
own model and index and knows nothing of the protocol, so a call-graph module
can take its place later.
"""
