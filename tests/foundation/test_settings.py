"""Settings: defaults that work with no file, a TOML file, environment overrides, one-sentence errors."""
from pathlib import Path

import pytest

from core.errors import UserError
from core.settings import Settings, load_settings


def test_defaults_need_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, environ={})
    assert settings.database == Path("data/dulun.duckdb")
    assert settings.digest_dir == Path("data/digests")
    assert "contact" not in settings.crawl.resolved_user_agent or "+" in settings.crawl.resolved_user_agent
    assert settings.crawl.contact_url in settings.crawl.resolved_user_agent


def test_file_then_environment(tmp_path):
    config = tmp_path / "dulun.toml"
    config.write_text('data_dir = "/srv/dulun"\n[crawl]\ndownload_delay = 2.5\nconcurrency_per_domain = 2\n')
    settings = load_settings(config, environ={"DULUN_CRAWL__DOWNLOAD_DELAY": "4"})
    assert settings.database == Path("/srv/dulun/dulun.duckdb")
    assert settings.crawl.download_delay == 4.0
    assert settings.crawl.concurrency_per_domain == 2


def test_config_path_from_the_environment(tmp_path):
    config = tmp_path / "elsewhere.toml"
    config.write_text('db_path = "/tmp/x.duckdb"\n')
    assert load_settings(None, environ={"DULUN_CONFIG": str(config)}).database == Path("/tmp/x.duckdb")


@pytest.mark.parametrize(
    "toml, env, message",
    [
        ("[crawl]\ndelay = 3\n", {}, r"Unknown setting `crawl.delay` in .*dulun.toml"),
        ("[crawl]\nconcurrency_per_domain = 5\n", {}, r"Invalid setting `crawl.concurrency_per_domain`.*less than or equal to 2"),
        ("", {"DULUN_CRAWL__TIMEOUT_S": "soon"}, r"Invalid setting `crawl.timeout_s`.*'soon'"),
        ("data_dir = [\n", {}, r"is not valid TOML"),
    ],
)
def test_a_bad_setting_is_one_sentence_naming_the_key(tmp_path, toml, env, message):
    config = tmp_path / "dulun.toml"
    config.write_text(toml)
    with pytest.raises(UserError, match=message) as caught:
        load_settings(config, environ=env)
    assert "\n" not in str(caught.value)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(UserError, match=r"Config file .*nothere.toml does not exist"):
        load_settings(tmp_path / "nothere.toml", environ={})


def test_secrets_in_the_environment_are_not_settings(tmp_path):
    settings = load_settings(None, environ={"DULUN_SMTP_PASSWORD": "hunter2", "DULUN_DATA_DIR": str(tmp_path)})
    assert "hunter2" not in settings.model_dump_json()


def test_a_config_path_that_is_a_directory_is_named(tmp_path):
    with pytest.raises(UserError, match=r"Config file .* is a directory, not a file"):
        load_settings(tmp_path, environ={})


def test_host_lists_can_come_from_the_environment_comma_separated():
    settings = load_settings(environ={"DULUN_CRAWL__OWN_HOSTS": "127.0.0.1, mirror.lan", "DULUN_ALERTS__OWN_HOSTS": "hooks.lan"})
    assert settings.crawl.own_hosts == ["127.0.0.1", "mirror.lan"] and settings.alerts.own_hosts == ["hooks.lan"]
    assert Settings().crawl.own_hosts == []  # nothing at a private address is fetched unless listed


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DULUN_CRAWL__DOWNLOAD_DELAY": "soon"},
         r"Invalid setting `crawl.download_delay` from the environment variable DULUN_CRAWL__DOWNLOAD_DELAY: .*'soon'"),
        ({"DULUN_CRAWL__DOWNLAOD_DELAY": "2"},
         r"Unknown setting `crawl.downlaod_delay` from the environment variable DULUN_CRAWL__DOWNLAOD_DELAY;"),
        ({"DULUN_LOCK_TIMEOUT_S": "-1"},
         r"Invalid setting `lock_timeout_s` from the environment variable DULUN_LOCK_TIMEOUT_S: "),
    ],
)
def test_a_bad_environment_variable_is_named_not_the_settings_file(tmp_path, env, message):
    """Seen: DULUN_CRAWL__DOWNLOAD_DELAY=x with a dulun.toml present blamed dulun.toml."""
    config = tmp_path / "dulun.toml"
    config.write_text("[crawl]\ndownload_delay = 2.0\n")
    with pytest.raises(UserError, match=message) as caught:
        load_settings(config, environ=env)
    assert "dulun.toml" not in str(caught.value)


def test_a_bad_value_in_the_file_still_names_the_file_beside_unrelated_environment_variables(tmp_path):
    config = tmp_path / "dulun.toml"
    config.write_text("[crawl]\ndownload_delay = -3\n")
    with pytest.raises(UserError, match=r"Invalid setting `crawl.download_delay` in .*dulun.toml"):
        load_settings(config, environ={"DULUN_CRAWL__TIMEOUT_S": "5"})
