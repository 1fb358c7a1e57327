"""Alert rules and channels from YAML, validated with messages that name the rule or channel."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.datafiles import parse_yaml, read_user_file
from core.errors import UserError
from core.taxonomy import load_topics

_NAME = r"^[a-z0-9][a-z0-9_-]*$"
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
ALERT_LEVELS = ("new", "rising", "persistent")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FileChannel(_Strict):
    type: Literal["file"]
    dir: Path | None = None


class EmailChannel(_Strict):
    type: Literal["email"]
    host: str | None = None          # None: settings.alerts.smtp_host
    port: int | None = Field(None, ge=1, le=65535)
    starttls: bool | None = None
    sender: str | None = Field(None, alias="from")
    to: list[str] = Field(min_length=1)
    user_env: str | None = None      # names of environment variables, never the secrets
    password_env: str | None = None
    ca_file: Path | None = None      # extra CA to trust (a private relay's certificate)

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if "@" not in a]
        if bad:
            raise ValueError(f"not an e-mail address: {bad[0]!r}")
        return value


class WebhookChannel(_Strict):
    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret_env: str | None = None    # None: settings.alerts.webhook_secret_env


Channel = Annotated[Union[FileChannel, EmailChannel, WebhookChannel], Field(discriminator="type")]


WAVE_ONLY = ("min_stories", "min_score", "levels", "cooldown_hours")
UNANSWERED_ONLY = ("days", "look_back_days", "min_documents")


class Rule(_Strict):
    name: str = Field(pattern=_NAME)
    # wave: the rolling detection's episodes; unanswered: an issue thread (pipeline.followup)
    # raised in these topics and places that had no answer after `days` days
    type: Literal["wave", "unanswered"] = "wave"
    topics: list[str] = Field(min_length=1)
    provinces: list[str] = []
    keywords: list[str] = []
    min_stories: int = Field(3, ge=1)
    min_score: float = Field(0.0, ge=0)
    levels: list[Literal["new", "rising", "persistent"]] = list(ALERT_LEVELS)
    days: int = Field(7, ge=1, le=365)
    # An issue whose mark passed longer ago than this is left to the digest's list: a first run
    # (or a restart after an outage) does not send the whole backlog.
    look_back_days: int = Field(7, ge=1, le=365)
    min_documents: int = Field(1, ge=1)
    quiet_hours: str | None = None
    cooldown_hours: float = Field(24.0, ge=0)
    channels: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> "Rule":
        other = UNANSWERED_ONLY if self.type == "wave" else WAVE_ONLY
        given = [f for f in other if f in self.model_fields_set]
        if given:
            raise ValueError(f"`{given[0]}` does not apply to a rule of type {self.type}")
        return self

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is not None and not _QUIET.match(value):
            raise ValueError('use "HH:MM-HH:MM", for example "22:00-06:00"')
        return value

    def mentioned_in(self, text: str) -> bool:
        """Whether `text` contains one of the rule's keywords (any case); True when it has none."""
        folded = _fold(text)
        return not self.keywords or any(_fold(k) in folded for k in self.keywords)

    def quiet_window(self) -> tuple[dt.time, dt.time] | None:
        if not self.quiet_hours:
            return None
        m = _QUIET.match(self.quiet_hours)
        return dt.time(int(m[1]), int(m[2])), dt.time(int(m[3]), int(m[4]))


def _fold(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").casefold()


class RuleFile(_Strict):
    channels: dict[str, Channel] = {}
    rules: list[Rule] = Field(min_length=1)


def load_rules(path: Path | None) -> RuleFile:
    """The rules file (default: the packaged pipeline/alert_rules.yaml), fully checked."""
    where = str(path) if path else "pipeline/alert_rules.yaml"
    data = _read_yaml(path, where)
    _check_names(data, where)
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as exc:
        raise UserError(_explain(exc, data, where)) from None
    _check_references(parsed, where)
    return parsed


def _read_yaml(path: Path | None, where: str) -> dict:
    text = read_user_file(path, "Alert rules file") if path else \
        resources.files("pipeline").joinpath("alert_rules.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text, "Alert rules file", where)
    if not isinstance(data, dict):
        raise UserError(f"Alert rules file {where} must be a mapping with `channels:` and `rules:`.")
    return data


def _check_names(data: dict, where: str) -> None:
    names = [r.get("name") for r in data.get("rules") or [] if isinstance(r, dict)]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise UserError(f"Alert rule `{dupes[0]}` appears twice in {where}; rule names must be unique.")


def _explain(exc: ValidationError, data: dict, where: str) -> str:
    # A misspelled field also makes the real one "missing": name the misspelling first.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = list(err["loc"])
    subject = "Alert rules file"
    if loc[:1] == ["rules"] and len(loc) > 1 and isinstance(loc[1], int):
        rule = (data.get("rules") or [])[loc[1]]
        name = rule.get("name") if isinstance(rule, dict) else None
        subject = f"Alert rule `{name}`" if name else f"Alert rule #{loc[1] + 1}"
        loc = loc[2:]
    elif loc[:1] == ["channels"] and len(loc) > 1:
        subject = f"Alert channel `{loc[1]}`"
        loc = [p for p in loc[2:] if p not in ("file", "email", "webhook")]
    field = ".".join(str(p) for p in loc) or "(entry)"
    message = err["msg"].rstrip(".")
    if err["type"] == "extra_forbidden":
        message = "unknown field; check its spelling against the comments at the top of the rules file"
    got = err.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, (dict, list)) and err["type"] != "extra_forbidden" else ""
    if field == "(entry)" and err["type"] == "value_error":  # a check across fields names them itself
        return f"{subject} in {where}: {message.removeprefix('Value error, ')}."
    return f"{subject} in {where}: `{field}` {message}{shown}."


def _check_references(parsed: RuleFile, where: str) -> None:
    known_topics = set(load_topics())
    for rule in parsed.rules:
        unknown = [t for t in rule.topics if t not in known_topics]
        if unknown:
            raise UserError(f"Alert rule `{rule.name}` in {where}: unknown topic `{unknown[0]}`; "
                            f"use one of {', '.join(sorted(known_topics))}.")
        missing = [c for c in rule.channels if c not in parsed.channels]
        if missing:
            raise UserError(f"Alert rule `{rule.name}` in {where}: channel `{missing[0]}` is not defined under `channels:`.")
