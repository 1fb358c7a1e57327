"""The schema is built by numbered migrations that can be applied from empty or from any earlier version."""
import duckdb

from store.db import available_migrations, latest_version, migrate, schema_version


def tables(con):
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_migrations_are_numbered_without_duplicates():
    versions = [m.version for m in available_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


def test_from_empty_builds_every_table(tmp_path):
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    assert migrate(con) == [m.version for m in available_migrations()]
    assert schema_version(con) == latest_version()
    assert {"sources", "crawl_runs", "fetch_failures", "documents", "document_versions", "enrichments",
            "hotspots", "digests", "alerts", "alert_outbox", "labels", "models"} <= tables(con)


def test_migrating_twice_applies_nothing_the_second_time(tmp_path):
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    migrate(con)
    assert migrate(con) == []
    assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(available_migrations())


def test_from_the_previous_version_keeps_existing_rows(tmp_path):
    path = str(tmp_path / "a.duckdb")
    previous = available_migrations()[-2].version
    con = duckdb.connect(path)
    migrate(con, target=previous)
    assert schema_version(con) == previous
    con.execute(
        "INSERT INTO documents (doc_id, source, kind, url, title, fetched_at, updated_at, content_hash) "
        "VALUES ('d1', 's', 'press', 'https://x.vn/a', 'Tiêu đề', now(), now(), 'h')"
    )
    con.close()

    con = duckdb.connect(path)
    applied = migrate(con)
    assert applied and applied[-1] == latest_version()
    assert con.execute("SELECT title FROM documents WHERE doc_id = 'd1'").fetchone()[0] == "Tiêu đề"


def test_stored_forever_pseudonyms_become_per_week_and_per_source(tmp_path):
    """Before 031 one author had one pseudonym forever; after it, the same author's posts share
    one only within an ISO week and a source, and the old value is gone."""
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    migrate(con, target=20)
    rows = [("p1", "voz", "2026-11-16 10:00:00+07"), ("p2", "voz", "2026-11-22 23:30:00+07"),  # both 2026-W47
            ("p3", "voz", "2026-11-23 00:30:00+07"),  # 2026-W48 in Vietnam (still the 22nd in UTC)
            ("p4", "dien-dan", "2026-11-18 09:00:00+07")]  # same week, another site
    for doc_id, source, published in rows:
        con.execute("INSERT INTO documents (doc_id, source, kind, url, published_at, fetched_at, updated_at, "
                    "content_hash, author_hash) VALUES (?, ?, 'post', 'https://x.vn/' || ?, ?::TIMESTAMPTZ, now(), now(), "
                    "'h', 'old-forever-pseudonym-01')", [doc_id, source, doc_id, published])
    migrate(con)
    after = dict(con.execute("SELECT doc_id, author_hash FROM documents").fetchall())
    assert after["p1"] == after["p2"]
    assert len({after["p1"], after["p3"], after["p4"]}) == 3
    assert all(len(h) == 24 and h != "old-forever-pseudonym-01" for h in after.values())


def test_webhook_secrets_in_stored_delivery_errors_are_cut_out(tmp_path):
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    migrate(con, target=32)
    con.execute("INSERT INTO alert_outbox (alert_key, channel, last_error) VALUES "
                "('k1', 'webhook:a', 'gave up after 3 attempts: webhook http://u:mat-khau@127.0.0.1:9/hook/T1/tok?token=abc "
                "unreachable: [Errno 111] Connection refused'), "
                "('k2', 'webhook:b', 'webhook https://hooks.example.org answered HTTP 500')")
    migrate(con)
    assert [r[0] for r in con.execute("SELECT last_error FROM alert_outbox ORDER BY alert_key").fetchall()] == [
        "gave up after 3 attempts: webhook http://127.0.0.1:9/… unreachable: [Errno 111] Connection refused",
        "webhook https://hooks.example.org answered HTTP 500"]


def test_models_recorded_before_080_learn_which_stage_they_serve_from_their_versions(tmp_path):
    """Labels waiting for a retrain compare each kind of label with its own model's kind, so the
    models an older database recorded must carry one too."""
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    migrate(con, target=70)
    con.execute("INSERT INTO models VALUES ('topics-20261101-ab12cd34', now(), 'm/t', '{}'), "
                "('roles-20261102000000-ef56ab78', now(), 'm/r', '{}')")
    migrate(con)
    assert dict(con.execute("SELECT model_version, kind FROM models").fetchall()) == {
        "topics-20261101-ab12cd34": "topics", "roles-20261102000000-ef56ab78": "roles"}
