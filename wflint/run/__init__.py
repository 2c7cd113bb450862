"""One run of wflint: the engine (phases, parallel workers), options and config, the
rule registry, results cache, suppressions and baseline. May import every layer
below it, never `cli`.
"""
