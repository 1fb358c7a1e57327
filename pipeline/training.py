"""Train a model once, however many processes find it missing at the same moment.

The scheduler's enrich job and a manual `dulun enrich` (or `dulun followup`) on a fresh install
both find no model: the training lock in the model folder lets one train while the others wait,
then find and load the model the first one saved instead of training their own.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, TypeVar

from core.errors import UserError
from core.filelock import FileLock

log = logging.getLogger(__name__)
TRAINING_LOCK = ".training.lock"  # in the model folder
TRAINING_WAIT_S = 1800.0
T = TypeVar("T")


def trained_once(model_dir: Path, what: str, usable: Callable[[], T | None], train: Callable[[], T],
                 wait_s: float = TRAINING_WAIT_S) -> T:
    """`usable()` if it gives a model; else, holding the model folder's training lock, `usable()`
    again (another process may have saved one while we waited) or `train()`. `what` names the
    model in the messages ("the topic model")."""
    if (found := usable()) is not None:
        return found
    lock = FileLock(Path(model_dir) / TRAINING_LOCK)
    try:
        got = lock.acquire(wait_s, on_wait=lambda holder: log.info(
            "waiting for %s another process%s is training", what, holder))
    except OSError as exc:
        raise UserError(f"Cannot create the training lock in {model_dir}: {exc.strerror or exc}; "
                        "check that the model folder (nlp.model_dir) is writable.") from None
    if not got:
        raise UserError(f"Another process{lock.holder()} has been training {what} for "
                        f"{wait_s // 60:.0f} minutes; try again when it finishes.")
    try:
        found = usable()
        return found if found is not None else train()
    finally:
        lock.release()
