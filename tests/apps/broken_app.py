"""An app that cannot be imported: the worker must report the ImportError and the
supervisor must not spin in a tight respawn loop.

    chdir=tests/apps  module=broken_app:application
"""

import no_such_module_berth  # noqa: F401  (ModuleNotFoundError, a subclass of ImportError)


def application(environ, start_response):  # never reached
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"unreachable"]
