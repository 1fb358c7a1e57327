"""Files dulun writes are private to the user it runs as.

The data folder holds post text, the database and its write-ahead log, backups, exports,
digests, the scheduler's job store and the model files, which are pickles: anyone who can
rewrite one runs code as dulun the next time it loads. So every command starts with a private
umask (new files 0600, new folders 0700, children inherit it), and says so when the data
folder it uses can be read by other users (made by an older version, or by hand).
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
log = logging.getLogger(__name__)


def use_private_umask() -> int:
    """Set the private umask; returns the one it replaced."""
    return os.umask(PRIVATE_UMASK)


def warn_if_shared(folder: Path) -> bool:
    """Log one warning when other users can read or enter `folder`; True if it did."""
    try:
        mode = stat.S_IMODE(Path(folder).stat().st_mode)
    except OSError:
        return False  # not created yet: it will be created private
    if not mode & 0o007:
        return False
    log.warning("The data folder %s can be read by other users (mode %03o); it holds post text, backups and model "
                "files that run code when loaded. `chmod 700 %s` makes it private.", folder, mode, folder)
    return True
