"""Loaded YAML data read defensively: a value of the wrong type reads as empty.

Nothing here knows Argo or Kubernetes; ``wflint.argo.model`` re-exports these for
rules, and the RBAC authorizer reads Kubernetes objects with them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional


def as_dict(value: Any) -> Dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> List:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None
