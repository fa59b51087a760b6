"""The one error of configuration: its message names file, line and key path, and is shown as is (exit 2)."""


class ConfigError(Exception):
    """A configuration problem with its location; the message is meant for the user as is."""
