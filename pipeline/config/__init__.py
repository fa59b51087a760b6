"""newswatch.toml: load, validate once at the edge, hand typed settings to each component.

There is no global config object: the CLI loads a ``Config`` and passes the relevant part to each
component (store URL to the store, watchlists to the analyzer, sources to the crawler). Every
problem is reported as ``ConfigError("file:line: key.path: what is wrong")`` so that the user can
fix it without reading a traceback; the CLI turns it into exit code 2. Secrets are never inline:
the file names environment variables (``password_env = "NEWSWATCH_SMTP_PASSWORD"``).

Modules: ``options`` (the table of every key: type, bounds, help, where its default lives),
``model`` (the typed settings), ``toml_lines`` (reading the file, key paths to lines), ``checks``
(a table against its options), ``sections``/``watchlists``/``alerts`` (the section parsers),
``loader`` (file to ``Config``), ``lookup`` (which file), ``reference`` (docs/configuration.md).
"""

from pipeline.config.errors import ConfigError
from pipeline.config.loader import load_config, parse_config
from pipeline.config.lookup import CONFIG_FILENAME, find_config, resolve_config
from pipeline.config.model import (
    ALERT_TYPES,
    CHANNEL_TYPES,
    DEFAULT_DATA_DIR,
    AlertRule,
    ApiConfig,
    ChannelConfig,
    Config,
    DigestConfig,
    Recipient,
    SchedulerConfig,
    SmtpConfig,
    SourceConfig,
    Watchlist,
)

__all__ = ["ALERT_TYPES", "CHANNEL_TYPES", "CONFIG_FILENAME", "DEFAULT_DATA_DIR", "AlertRule", "ApiConfig",
           "ChannelConfig", "Config", "ConfigError", "DigestConfig", "Recipient", "SchedulerConfig", "SmtpConfig",
           "SourceConfig", "Watchlist", "find_config", "load_config", "parse_config", "resolve_config"]
