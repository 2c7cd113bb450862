"""Keep the directory wflint runs in off ``sys.path``.

``python -m wflint`` puts the working directory first on ``sys.path`` (and an
empty ``PYTHONPATH`` entry does the same). In CI the working directory is a
pull request's checkout: a committed ``click.py`` or ``yaml.py`` would be
imported instead of the dependency, and a committed ``*.dist-info`` with a
``wflint.rules`` entry point would be loaded as a plugin. This module imports
nothing beyond what the interpreter has already loaded, so it can run before
any other import.
"""

import os
import sys


def _real(entry: str) -> str:
    try:
        return os.path.realpath(entry or os.curdir)
    except (OSError, ValueError):
        return entry


def drop_working_directory() -> None:
    """Remove '' and every entry naming the working directory (or the folder
    of the script that started Python), except the folder wflint itself is
    imported from: running it from its own source tree must keep working."""
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError:  # the working directory was removed: only '' can name it
        cwd = None
    unsafe = {cwd} if cwd else set()
    script = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-m") else ""
    if script and os.path.isfile(script):
        unsafe.add(_real(os.path.dirname(script)))
    package = sys.modules.get("wflint")
    home = getattr(package, "__file__", None)
    if home:
        unsafe.discard(_real(os.path.dirname(os.path.dirname(home))))
    sys.path[:] = [entry for entry in sys.path if entry not in ("", os.curdir) and _real(entry) not in unsafe]
