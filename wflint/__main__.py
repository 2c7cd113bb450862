# Before anything else is imported: the working directory (a pull request's
# checkout, in CI) must not be able to provide modules or plugins.
from .cli.syspath import drop_working_directory

drop_working_directory()

from .cli.main import console  # noqa: E402

console()
