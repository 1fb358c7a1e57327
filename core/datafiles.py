"""Reading the files users point dulun at (settings, sources, rules): every problem is one sentence."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.errors import UserError


def read_user_file(path: Path, what: str) -> str:
    """The UTF-8 text of `path`; a missing, unreadable or wrong kind of file is a UserError
    that starts with `what` (e.g. "Sources file")."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{what} {path} does not exist.") from None
    except IsADirectoryError:
        raise UserError(f"{what} {path} is a directory, not a file.") from None
    except PermissionError:
        raise UserError(f"{what} {path} cannot be read (permission denied).") from None
    except UnicodeDecodeError:
        raise UserError(f"{what} {path} is not UTF-8 text.") from None


def parse_yaml(text: str, what: str, where: object) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = " ".join(str(exc).split())[:200]
        raise UserError(f"{what} {where} is not valid YAML: {first}.") from None


def read_yaml(path: Path, what: str) -> Any:
    return parse_yaml(read_user_file(path, what), what, path)
