"""The front-desk console: server-rendered pages at `/` for the people who issue guest codes.

Pages are Jinja2 templates with plain forms and one small script (`static/console.js`) that
refreshes parts of a page when server-sent events say something changed. Every action goes
through the access core, like the REST API, and is recorded with the operator's name.
Start with `WebConsole`.
"""

from ttlock_bridge.channels.web.console import WebConsole
from ttlock_bridge.channels.web.desk import Desk

__all__ = ["Desk", "WebConsole"]
