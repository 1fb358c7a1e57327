"""Assemble the workbench for `dulun serve` (and for tests and the bench, which serve it the same way)."""
from __future__ import annotations

import datetime as dt

from core.settings import Settings
from dulun.web.app import create_app
from dulun.web.context import Workbench, start_background
from dulun.web.security import AuthConfig, check_can_listen, is_loopback, read_users, session_secret


def auth_config(settings: Settings) -> AuthConfig:
    web = settings.web
    return AuthConfig(users_file=settings.web_users_file, proxy_header=web.proxy_user_header,
                      trusted_proxies=tuple(web.trusted_proxies), users=read_users(settings.web_users_file))


def secure_cookies(settings: Settings, host: str) -> bool:
    """Secure unless plain http on loopback (browsers drop Secure cookies over http elsewhere,
    so a non-loopback workbench belongs behind TLS), or as configured."""
    choice = settings.web.secure_cookies
    return choice == "always" or (choice == "auto" and not is_loopback(host))


def build(settings: Settings, host: str, pinned_now: dt.datetime | None = None,
          update_index: bool = True):
    """(ASGI app, stop event of its background thread). Refuses a non-loopback host without
    authentication before anything else is loaded."""
    from nlp.provinces import Gazetteer
    from nlp.topic_rules import RuleSet
    from core.taxonomy import load_topics
    from store import open_reader

    auth = auth_config(settings)
    check_can_listen(host, auth)
    with open_reader(settings.database):  # a missing or unmigrated database: one sentence now
        pass
    rules = RuleSet.load(settings.nlp.rules_file)
    workbench = Workbench(
        settings=settings, auth=auth, secure_cookies=secure_cookies(settings, host), topics=load_topics(),
        provinces=Gazetteer.load().provinces, thresholds={t: r.threshold for t, r in rules.rules.items()},
        pinned_now=pinned_now,
    )
    app = create_app(workbench, session_secret(settings.data_dir / "web_session_key"), host)
    from dulun.web.pages import warm_pages

    stop = start_background(workbench, update_index, warm=warm_pages)
    return app, stop
