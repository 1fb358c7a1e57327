"""One typed settings object: defaults, then `dulun.toml`, then `DULUN_*` environment variables.

Environment overrides use `__` between section and key, for example
`DULUN_CRAWL__DOWNLOAD_DELAY=2` or `DULUN_DB_PATH=/srv/dulun/dulun.duckdb`.
Secrets (SMTP password, webhook secret, author salt) are read from the environment only.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.datafiles import read_user_file
from core.errors import UserError
from core.timeutil import TIMEZONE

ENV_PREFIX = "DULUN_"
CONFIG_ENV = "DULUN_CONFIG"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CrawlSettings(Section):
    contact_url: str = "https://github.com/dulun-project/dulun"
    user_agent: str = "dulun/0.1 (public-issue monitoring; +{contact_url})"
    sources_file: Path | None = None  # None: the packaged crawlers/sources.yaml
    obey_robots: bool = True
    concurrency_per_domain: int = Field(1, ge=1, le=2)
    download_delay: float = Field(1.0, ge=0)
    autothrottle: bool = True
    timeout_s: float = Field(20.0, gt=0)
    max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    retries: int = Field(3, ge=0, le=10)
    retry_backoff_s: float = Field(2.0, ge=0)  # first retry waits this, then doubles (or Retry-After)
    max_redirects: int = Field(5, ge=1, le=20)  # a redirect loop fails fast as `redirect_loop`
    concurrent_requests: int = Field(16, ge=1, le=64)  # across all domains; per domain stays 1-2
    flush_items: int = Field(20, ge=1)  # documents per store batch: a kill loses at most one batch
    flush_seconds: float = Field(2.0, gt=0)  # ...or this much time, whichever comes first
    # Hosts you own (the demo and fixture servers): crawled without delay or throttling.
    # Politeness protects other people's sites; every other host keeps the delays above.
    unthrottled_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost"])
    # Hosts you own that may be fetched although they resolve to a loopback, private or
    # link-local address (the demo's and tests' local servers). Every other host at such an
    # address is refused as `private_address`: a public page must not steer the crawler at
    # services on its own network (cloud metadata at 169.254.169.254 included).
    own_hosts: list[str] = Field(default_factory=list)
    log_level: str = Field("WARNING", pattern="^(DEBUG|INFO|WARNING|ERROR)$")  # Scrapy's own log in the crawl child

    @field_validator("unthrottled_hosts", "own_hosts", mode="before")
    @classmethod
    def _hosts(cls, value):
        return _comma_list(value)

    @property
    def resolved_user_agent(self) -> str:
        return self.user_agent.format(contact_url=self.contact_url)


class NlpSettings(Section):
    model_dir: Path | None = None  # None: <data_dir>/models
    rules_file: Path | None = None  # None: the packaged nlp/rules/topics.yaml
    workers: int = Field(2, ge=1, le=64)
    batch_size: int = Field(256, ge=1)
    story_threshold: float = Field(0.5, gt=0, lt=1)  # MinHash Jaccard for "same story"
    model_weight: float = Field(0.7, ge=0, le=1)  # topic score = w * model + (1 - w) * YAML rules


class HotspotSettings(Section):
    baseline_weeks: int = Field(8, ge=2, le=52)
    min_stories: int = Field(3, ge=1)  # the floor: fewer stories in a week are never a hot spot
    # 0.005 keeps false alarms well under 1 per 100 quiet cells on the simulated timeline
    # (bench/bench_hotspots.py) while catching >= 0.9 of planted bursts.
    max_p_value: float = Field(0.005, gt=0, lt=1)
    # Weeks' worth of weight given to the prior (the topic's national rate times the province's
    # share) when smoothing a cell's own trailing mean: keeps zero-history cells from exploding.
    prior_weeks: float = Field(2.0, ge=0)
    min_history_weeks: int = Field(3, ge=1)  # weeks of data needed before anything is flagged
    dispersion_floor: float = Field(0.05, ge=0)  # smallest extra-Poisson variance (negative binomial)
    # Rolling detection, every cycle (pipeline/detect.py): trailing windows ending now, in hours
    # (whole days, at most a week), each against the same cell's history of windows that long.
    windows_hours: list[int] = Field(default_factory=lambda: [24, 72, 168], min_length=1)
    # Stricter than the weekly table's: every cycle looks again at three windows (bench_detect.py
    # keeps false alarms under 1 per 100 quiet cell-weeks with it).
    rolling_max_p_value: float = Field(0.001, gt=0, lt=1)
    episode_close_hours: float = Field(72.0, ge=0)  # a wave ends after this long with no window flagged
    escalation_factor: float = Field(2.0, gt=1)  # one escalation when a wave's 7-day stories grow this much

    @field_validator("windows_hours")
    @classmethod
    def _whole_days(cls, value: list[int]) -> list[int]:
        if any(h % 24 or not 24 <= h <= 168 for h in value):
            raise ValueError("each window must be a whole number of days between 24 and 168 hours")
        return sorted(set(value))


class DigestSettings(Section):
    output_dir: Path | None = None  # None: <data_dir>/digests
    top_stories: int = Field(5, ge=1, le=50)  # per topic
    trend_weeks: int = Field(12, ge=2, le=104)  # weeks in each hot spot's trend chart
    new_place_lookback_days: int = Field(28, ge=1)  # a topic "appears" in a place unseen for this long
    silent_days: int = Field(3, ge=1)  # a source with nothing new for this long is reported silent


class AlertSettings(Section):
    rules_file: Path | None = None  # None: the packaged pipeline/alert_rules.yaml
    outbox_dir: Path | None = None  # file channel; None: <data_dir>/alerts
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_from: str = "dulun@localhost"
    smtp_user_env: str = "DULUN_SMTP_USER"
    smtp_password_env: str = "DULUN_SMTP_PASSWORD"
    webhook_secret_env: str = "DULUN_WEBHOOK_SECRET"
    # Webhooks go over https; plain http only to these hosts (yours, on this machine or network).
    own_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost", "::1"])
    max_attempts: int = Field(6, ge=1)

    @field_validator("own_hosts", mode="before")
    @classmethod
    def _hosts(cls, value):
        return _comma_list(value)
    retry_base_s: float = Field(30.0, ge=0)
    send_timeout_s: float = Field(15.0, gt=0)  # per SMTP / webhook attempt


class ScheduleSettings(Section):
    """`dulun schedule`: cron expressions are read in Asia/Ho_Chi_Minh (minute hour day month weekday)."""

    jobstore: Path | None = None  # None: <data_dir>/schedule.sqlite
    enrich_every_minutes: int = Field(30, ge=1)  # catch-up enrichment; crawls that store items enrich at once
    # Alerts run right after each week's hot spots, and this often for deliveries that are due
    # (a retry, the end of a rule's quiet hours).
    alerts_every_minutes: int = Field(30, ge=1)
    hotspots_cron: str = "30 6 * * mon"
    digest_cron: str = "0 7 * * *"
    retention_cron: str = "15 3 * * *"
    misfire_grace_s: int = Field(3600, ge=1)  # crawls/enrich: a run later than this is skipped, never replayed
    report_misfire_grace_s: int = Field(43200, ge=1)  # hot spots, digest, retention: still run once if this late
    job_timeout_minutes: int = Field(180, ge=1)  # a stage child running longer is stopped
    keep_results: int = Field(2000, ge=10)  # job results kept for `dulun status`

    @field_validator("hotspots_cron", "digest_cron", "retention_cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone=TIMEZONE)
        except ValueError as exc:
            raise ValueError(f"not a 5-field cron expression ({exc})") from None
        return value


class RetentionSettings(Section):
    """Raw text of old posts and petitions is dropped; counts, topics and places stay."""

    post_text_days: int | None = Field(180, ge=1)  # None: keep raw text forever
    kinds: list[Literal["post", "petition", "press"]] = ["post", "petition"]
    compact: bool = True  # rewrite the file after dropping text, so the old bytes are gone from it too
    backup_days: int | None = Field(30, ge=1)  # backups in <data_dir>/backups older than this are deleted


class FollowupSettings(Section):
    """Follow-up: issue threads, document roles, and how fast issues are answered and resolved."""

    rules_file: Path | None = None  # None: the packaged nlp/rules/roles.yaml (roles and petition statuses)
    window_days: int = Field(60, ge=1, le=365)  # a document joins a thread active within this many days
    unanswered_days: list[int] = Field(default_factory=lambda: [7, 14])  # "unanswered after N days" marks
    list_days: int = Field(60, ge=1)  # digest lists show threads raised within this many days
    rate_days: int = Field(90, ge=7)  # response rates over the threads raised in this many days

    @field_validator("unanswered_days", mode="before")
    @classmethod
    def _days(cls, value):
        value = _comma_list(value)
        if isinstance(value, list):
            value = sorted({int(v) for v in value})
            if not value or value[0] < 1:
                raise ValueError("needs one or more whole numbers of days, each at least 1")
        return value


class WebSettings(Section):
    """`dulun serve`: the analyst workbench. Any host but loopback needs authentication."""

    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    users_file: Path | None = None  # None: <data_dir>/web_users.txt (`dulun user add NAME`)
    proxy_user_header: str | None = None  # reverse-proxy mode: the header the proxy sets, e.g. X-Forwarded-User
    trusted_proxies: list[str] = Field(default_factory=list)  # the proxy's addresses; others' headers are ignored
    secure_cookies: Literal["auto", "always", "never"] = "auto"  # auto: Secure unless plain http on loopback
    page_wait_s: float = Field(15.0, gt=0)  # how long a page waits for a writer's batch before saying so


class Settings(Section):
    data_dir: Path = Path("data")
    db_path: Path | None = None  # None: <data_dir>/dulun.duckdb
    # The author key lives here, not in the data folder, so backups, exports and copies of the
    # data folder never carry it. None: a sibling folder, <data_dir>-secrets.
    secrets_dir: Path | None = None
    lock_timeout_s: float = Field(30.0, ge=0)
    crawl: CrawlSettings = CrawlSettings()
    nlp: NlpSettings = NlpSettings()
    hotspots: HotspotSettings = HotspotSettings()
    digest: DigestSettings = DigestSettings()
    alerts: AlertSettings = AlertSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    retention: RetentionSettings = RetentionSettings()
    followup: FollowupSettings = FollowupSettings()
    web: WebSettings = WebSettings()

    @field_validator("data_dir", "db_path", "secrets_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "dulun.duckdb"

    @property
    def secrets_path(self) -> Path:
        if self.secrets_dir is not None:
            return self.secrets_dir
        data = self.data_dir.resolve()
        return data.with_name(f"{data.name}-secrets")

    @property
    def model_dir(self) -> Path:
        return self.nlp.model_dir or self.data_dir / "models"

    @property
    def digest_dir(self) -> Path:
        return self.digest.output_dir or self.data_dir / "digests"

    @property
    def alert_outbox_dir(self) -> Path:
        return self.alerts.outbox_dir or self.data_dir / "alerts"

    @property
    def web_users_file(self) -> Path:
        return self.web.users_file or self.data_dir / "web_users.txt"

    @property
    def jobstore_path(self) -> Path:
        return self.schedule.jobstore or self.data_dir / "schedule.sqlite"


def _comma_list(value):
    """A host list may come from an environment variable as "a, b"
    (DULUN_CRAWL__OWN_HOSTS=127.0.0.1,localhost)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def load_settings(config: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings; every problem becomes one UserError sentence naming the key."""
    environ = os.environ if environ is None else environ
    path = Path(config) if config else _config_from_env_or_cwd(environ)
    data = _read_toml(path) if path else {}
    from_env = _env_overrides(environ)
    for keys, value in from_env.items():
        _set(data, keys, value)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise UserError(_one_sentence(exc, path, {keys: _env_name(keys) for keys in from_env})) from None


def _config_from_env_or_cwd(environ: Mapping[str, str]) -> Path | None:
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    default = Path("dulun.toml")
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_user_file(path, "Config file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"Config file {path} is not valid TOML: {exc}.") from None


def _env_overrides(environ: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    """(section, key) -> value of every DULUN_SECTION__KEY variable that names a setting."""
    known = set(Settings.model_fields)
    overrides: dict[tuple[str, ...], str] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        keys = tuple(name[len(ENV_PREFIX):].lower().split("__"))
        if keys[0] not in known:
            continue  # e.g. DULUN_SMTP_PASSWORD is a secret read where it is used
        overrides[keys] = value
    return overrides


def _env_name(keys: tuple[str, ...]) -> str:
    return ENV_PREFIX + "__".join(keys).upper()


def _set(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    for key in keys[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    data[keys[-1]] = value


def _one_sentence(exc: ValidationError, path: Path | None, env_names: Mapping[tuple[str, ...], str]) -> str:
    """The first problem, said once, naming where the bad value came from: the environment
    variable that set it, else the settings file."""
    err = exc.errors()[0]
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(loc) or "(top level)"
    variable = next((name for keys, name in env_names.items() if loc[:len(keys)] == keys), None)
    where = f" from the environment variable {variable}" if variable else f" in {path}" if path else ""
    if err["type"] == "extra_forbidden":
        return f"Unknown setting `{key}`{where}; check its spelling against the README's settings table."
    got = err.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, (dict, list)) else ""
    return f"Invalid setting `{key}`{where}: {err['msg'].rstrip('.')}{shown}."
