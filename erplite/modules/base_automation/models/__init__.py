from . import base_automation, ir_actions_server  # noqa: F401
