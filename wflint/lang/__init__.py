"""Argo's small languages: template tags, expressions, `when`, `depends`, cron schedules,
durations and label selectors. Each parses text and reports offsets; none knows a
document. Imports only `source`, `finding` and `suggest`.
"""
