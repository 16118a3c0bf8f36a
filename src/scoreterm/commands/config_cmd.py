"""``scoreterm config set`` and ``config unset``: change the config file from the command line."""

from __future__ import annotations

import json

import msgspec

from scoreterm import paths
from scoreterm.commands.common import EXIT_OK, UserError, report
from scoreterm.config import FILE_KEYS, ConfigError, type_problem


def run_config_set(key: str, value: str | None) -> int:
    """Set ``key`` to ``value`` (None: remove it) in the config file and say what was written.

    Returns 0, or 2 for an unknown key, a bad value or a file that cannot be read or written (one
    line naming the key or the file; a value of the wrong type says what the key takes).
    """
    from scoreterm.config_write import file_key, parse_value, set_setting

    file = paths.config_file()
    try:
        dotted = file_key(key)
        try:
            parsed = None if value is None else parse_value(dotted, value)
        except ConfigError as exc:
            if isinstance(exc.__cause__, msgspec.ValidationError):
                # msgspec's "Expected `float`, got `str` - at `$.timeout`" means nothing to a user.
                raise ConfigError(type_problem(FILE_KEYS[dotted], dotted, value)) from exc
            raise
        stored = set_setting(file, dotted, parsed)
    except ConfigError as exc:
        return report(UserError(str(exc)))
    if stored is None:
        print(f"{dotted}: removed from {file} (the default applies)")
    else:
        print(f"{dotted} = {json.dumps(stored, ensure_ascii=False)}  ({file})")
    return EXIT_OK
