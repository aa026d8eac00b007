"""Scheduled digests: the [[digests]] config, cron triggers, one run, SMTP delivery, the daemon."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.digestdata import WINDOW, make_archive, store, story
from support.smtpserver import SMTPServer

from aggregator.app.config import from_dict
from aggregator.cli.main import cli
from aggregator.digest.cron import cron_trigger
from aggregator.digest.formats import RENDERERS
from aggregator.digest.formats.text import split
from aggregator.digest.jobs import DigestJob, next_run, previous_fire_time, run_digest
from aggregator.digest.mail import EmailSettings
from aggregator.digest.select import build_digest
from aggregator.errors import ConfigError, ExportError
from aggregator.story.format import parse

SUNDAY = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
FIRED = datetime(2026, 11, 3, 7, 0, 0, 250_000, tzinfo=UTC)  # the morning after WINDOW


# -- config --------------------------------------------------------------------


def digests(*tables: dict[str, object]) -> tuple[DigestJob, ...]:
    return from_dict({"digests": list(tables)}, path="cfg.toml").digests


def test_a_full_digest_table() -> None:
    (d,) = digests(
        {
            "name": "morning",
            "schedule": "0 7 * * 1-5",
            "timezone": "Europe/Paris",
            "window": "weekly",
            "formats": ["html", "text", "html"],
            "output": "out/digests",
            "filename": "{name}-{date}-{time}",
            "title": "Morning briefing",
            "categories": ["technology"],
            "limit": 30,
            "email": {
                "host": "smtp.example.org",
                "security": "tls",
                "user": "me",
                "password_env": "SMTP_PASSWORD",
                "from": "Aggregator <agg@example.org>",
                "to": "me@example.org",
            },
        }
    )
    assert (d.name, d.window, d.formats, d.output) == (
        "morning",
        "weekly",
        ("html", "text"),
        Path("out/digests"),
    )
    assert d.email == EmailSettings(
        host="smtp.example.org",
        sender="Aggregator <agg@example.org>",
        to=("me@example.org",),
        port=465,
        security="tls",
        user="me",
        password_env="SMTP_PASSWORD",
    )
    default = digests({"schedule": "0 7 * * *"})[0]
    assert (default.name, default.formats, default.output, default.email) == (
        "digest",
        ("html",),
        None,
        None,
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({}, "digests[0].schedule: missing"),
        ({"schedule": "0 7 * *"}, "digests[0].schedule: '0 7 * *' is not a cron expression"),
        ({"schedule": "0 25 * * *"}, "digests[0].schedule: '0 25 * * *' is not a cron"),
        ({"schedule": "0 7 * * 8"}, "is not a cron expression"),
        ({"schedule": "0 7 * * *", "timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus'"),
        ({"schedule": "0 7 * * *", "window": "monthly"}, "window: 'monthly': expected daily"),
        ({"schedule": "0 7 * * *", "formats": ["pdf"]}, "formats: 'pdf' is unknown (allowed: "),
        ({"schedule": "0 7 * * *", "formats": []}, "formats: expected at least one format"),
        ({"schedule": "0 7 * * *", "filename": "{day}"}, "filename: '{day}': placeholders"),
        ({"schedule": "0 7 * * *", "filename": "../x"}, "must be a plain file name"),
        ({"schedule": "0 7 * * *", "name": "a b"}, "digests[0].name: 'a b'"),
        ({"schedule": "0 7 * * *", "limit": 0}, "limit: must be at least 1"),
        ({"schedule": "0 7 * * *", "shedule": "x"}, "digests[0].shedule: unknown key (allowed:"),
        (
            {"schedule": "0 7 * * *", "email": {"host": "h", "from": "a@b.c"}},
            "digests[0].email.to: missing",
        ),
        (
            {"schedule": "0 7 * * *", "email": {"host": "h", "from": "x", "to": "a@b.c"}},
            "email.from: 'x' is not an email address",
        ),
        (
            {
                "schedule": "0 7 * * *",
                "email": {"host": "h", "from": "a@b.c", "to": "a@b.c", "security": "ssl"},
            },
            "email.security: 'ssl' is unknown (allowed: starttls, tls, none)",
        ),
        (
            {
                "schedule": "0 7 * * *",
                "email": {"host": "h", "from": "a@b.c", "to": "a@b.c", "user": "u"},
            },  # noqa: E501
            "email.password_env: missing",
        ),
    ],
)
def test_bad_digest_tables_name_the_file_key_and_what_is_allowed(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        digests(table)
    assert str(info.value).startswith("cfg.toml: digests[0].")
    assert message in str(info.value)


def test_two_digests_need_two_names() -> None:
    with pytest.raises(ConfigError, match=r"digests\[1\].name: 'digest' is already digests\[0\]"):
        digests({"schedule": "0 7 * * *"}, {"schedule": "0 8 * * *", "name": "digest"})


# -- cron ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 7 * * *", datetime(2026, 11, 30, 7, tzinfo=UTC)),
        ("0 7 * * 1", datetime(2026, 11, 30, 7, tzinfo=UTC)),  # cron's 1 is Monday
        ("0 7 * * 0", datetime(2026, 12, 6, 7, tzinfo=UTC)),  # 0 and 7 are Sunday
        ("0 7 * * 7", datetime(2026, 12, 6, 7, tzinfo=UTC)),
        ("0 7 * * 6,0", datetime(2026, 12, 5, 7, tzinfo=UTC)),
        ("0 7 * * */3", datetime(2026, 12, 2, 7, tzinfo=UTC)),  # Sun, Wed, Sat
        ("0 7 * * 2-4", datetime(2026, 12, 1, 7, tzinfo=UTC)),
        ("0 7 * * mon-fri", datetime(2026, 11, 30, 7, tzinfo=UTC)),
        ("30 11 1 * *", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("*/2 * * * * *", SUNDAY + timedelta(seconds=2)),
        ("15 * * * * *", SUNDAY + timedelta(seconds=15)),  # a leading field is the second
    ],
)
def test_cron_expressions_mean_what_crontab_means(expression: str, expected: datetime) -> None:
    spec = DigestJob(name="d", schedule=expression)
    assert next_run(spec, now=SUNDAY + timedelta(microseconds=1)) == expected


def test_the_schedule_time_zone() -> None:
    spec = DigestJob(name="d", schedule="0 7 * * *", timezone="Europe/Paris")
    assert next_run(spec, now=SUNDAY) == datetime(2026, 11, 30, 6, tzinfo=UTC)


def test_a_late_job_finds_the_time_its_schedule_fired() -> None:
    daily = cron_trigger("0 7 * * *")
    now = datetime(2026, 11, 3, 7, 4, 31, tzinfo=UTC)
    assert previous_fire_time(daily, now) == datetime(2026, 11, 3, 7, tzinfo=UTC)
    fast = cron_trigger("*/2 * * * * *")
    assert previous_fire_time(fast, now.replace(microsecond=900_000)) == now.replace(second=30)


# -- one run -------------------------------------------------------------------


def test_a_run_writes_one_file_per_format_named_by_date_equal_to_the_cli(
    tmp_path: Path, runner: CliRunner
) -> None:
    db = make_archive(tmp_path / "news.db")
    spec = DigestJob(name="daily", schedule="0 7 * * *", formats=tuple(RENDERERS))
    run = run_digest(spec, db_path=db, fire_time=FIRED)
    assert run.window == WINDOW
    assert run.stories == 5
    assert run.emailed == ()
    folder = tmp_path / "digests"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"daily-2026-11-02{r.suffix}" for r in RENDERERS.values()
    )
    for fmt, renderer in RENDERERS.items():
        written = (folder / f"daily-2026-11-02{renderer.suffix}").read_text(encoding="utf-8")
        assert written == build_digest(db, WINDOW, fmt=fmt)
        result = runner.invoke(
            cli, ["--db", str(db), "digest", "--date", "2026-11-02", "--format", fmt]
        )
        assert result.stdout == written


# -- email ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: (server context, client context trusting it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def mail_spec(port: int, **email: object) -> DigestJob:
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "Aggregator <agg@example.org>",
        "to": ("reader@example.org", "Other <other@example.org>"),
        **email,
    }
    return DigestJob(
        name="daily",
        schedule="0 7 * * *",
        formats=("html",),
        email=EmailSettings(**settings),  # type: ignore[arg-type]
    )


def received_message(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def check_digest_mail(message: EmailMessage, db: Path) -> None:
    assert message["Subject"] == "News digest: Mon Nov 02 2026 (5 stories)"
    assert message["From"] == "Aggregator <agg@example.org>"
    assert message["To"] == "reader@example.org, Other <other@example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    body = text.get_content().replace("\r\n", "\n")  # lines travel as CRLF
    heading, _, rest = body.partition("\n\n")
    assert heading == "News digest: Mon Nov 02 2026 (5 stories)"
    assert [parse(b).title for b in split(rest)][0] == "Nvidia reports record data-centre revenue"
    assert html.get_content().replace("\r\n", "\n") == build_digest(db, WINDOW, fmt="html")


def test_starttls_login_and_a_multipart_message(
    tmp_path: Path, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    db = make_archive(tmp_path / "news.db")
    server_ctx, client_ctx = tls
    with SMTPServer(users={"me": "s3cret"}, tls_context=server_ctx) as server:
        spec = mail_spec(server.port, security="starttls", user="me", password_env="SMTP_PW")
        run = run_digest(
            spec, db_path=db, fire_time=FIRED, environ={"SMTP_PW": "s3cret"}, ssl_context=client_ctx
        )
        server.wait_for(1)
    assert run.emailed == ("reader@example.org", "Other <other@example.org>")
    got = server.messages[0]
    assert (got.tls, got.login) == (True, ("me", "s3cret"))
    assert got.mail_from == "agg@example.org"
    assert got.rcpt_to == ["reader@example.org", "other@example.org"]
    check_digest_mail(received_message(got.data), db)


def test_implicit_tls(tmp_path: Path, tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    db = make_archive(tmp_path / "news.db")
    with SMTPServer(tls_context=tls[0], implicit_tls=True) as server:
        spec = mail_spec(server.port, security="tls")
        run_digest(spec, db_path=db, fire_time=FIRED, ssl_context=tls[1])
        server.wait_for(1)
    assert server.messages[0].tls
    check_digest_mail(received_message(server.messages[0].data), db)


def test_an_untrusted_certificate_is_refused(
    tmp_path: Path, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    db = make_archive(tmp_path / "news.db")
    with SMTPServer(tls_context=tls[0]) as server:
        with pytest.raises(ExportError, match="cannot send the digest via 127.0.0.1:.*CERTIFICATE"):
            run_digest(mail_spec(server.port, security="starttls"), db_path=db, fire_time=FIRED)
    assert server.messages == []


def test_mail_errors_are_one_clear_line(tmp_path: Path) -> None:
    db = make_archive(tmp_path / "news.db")
    with SMTPServer(users={"me": "right"}) as server:
        spec = mail_spec(server.port, user="me", password_env="SMTP_PW")
        with pytest.raises(ExportError, match="the environment variable SMTP_PW .* is not set"):
            run_digest(spec, db_path=db, fire_time=FIRED, environ={})
        with pytest.raises(ExportError, match="login refused for 'me'"):
            run_digest(spec, db_path=db, fire_time=FIRED, environ={"SMTP_PW": "wrong"})
        assert server.messages == []
    with socket.socket() as s:  # a port with nothing behind it
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(ExportError, match=f"cannot send the digest via 127.0.0.1:{closed}"):
        run_digest(mail_spec(closed), db_path=db, fire_time=FIRED)
    # The files were written before the mail was tried.
    assert (tmp_path / "digests" / "daily-2026-11-02.html").is_file()


def test_an_empty_digest_is_written_but_not_mailed(tmp_path: Path) -> None:
    db = make_archive(tmp_path / "news.db")
    with SMTPServer() as server:
        run = run_digest(
            mail_spec(server.port), db_path=db, fire_time=datetime(2020, 1, 2, 7, tzinfo=UTC)
        )
    assert (run.stories, run.emailed) == (0, ())
    assert (tmp_path / "digests" / "daily-2020-01-01.html").is_file()
    assert server.messages == []


# -- the daemon ----------------------------------------------------------------


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def often_config(path: Path, port: int, formats: str, *extra: str) -> Path:
    """A config with one digest, "often", run every two seconds and mailed to ``port``."""
    path.write_text(
        "[[digests]]\n"
        'name = "often"\n'
        'schedule = "*/2 * * * * *"\n'
        'window = "1d"\n'
        f"formats = {formats}\n" + "".join(f"{line}\n" for line in extra) + "[digests.email]\n"
        'host = "127.0.0.1"\n'
        f"port = {port}\n"
        'security = "none"\n'
        'from = "agg@example.org"\n'
        'to = ["reader@example.org"]\n',
        encoding="utf-8",
    )
    return path


def start_daemon(cfg: Path) -> subprocess.Popen[str]:
    """``aggregator run`` as a real subprocess, outside any AGGREGATOR_ variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_sigterm_while_a_digest_is_mailed_lets_it_finish(tmp_path: Path) -> None:
    # The mail server answers slowly, so the digest is in flight when SIGTERM comes:
    # the daemon exits 0 without a traceback, and the digest is still written and mailed.
    now = datetime.now(UTC).replace(microsecond=0)
    store(tmp_path / "archive" / "news.db", {0: [story(1, hour=0, day=now - timedelta(hours=1))]},
          seen=now)  # fmt: skip
    with SMTPServer(greeting_delay=3.0) as server:
        cfg = often_config(tmp_path / "aggregator.toml", server.port, '["json"]')
        proc = start_daemon(cfg)
        try:
            wait_for(lambda: server.connections >= 1)
            assert not server.messages  # still waiting for the greeting
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        server.wait_for(1)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert "digest often: stopping; the run in progress completes before exit" in err
    assert any((tmp_path / "archive" / "digests").glob("often-*.json"))


@pytest.mark.slow
def test_the_daemon_writes_and_mails_a_digest_at_its_time(
    tmp_path: Path, runner: CliRunner
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    db = tmp_path / "archive" / "news.db"
    store(db, {0: [story(1, hour=0, day=now - timedelta(hours=2)),
                   story(2, hour=0, day=now - timedelta(hours=1))]}, seen=now)  # fmt: skip
    with SMTPServer() as server:
        cfg = often_config(
            tmp_path / "aggregator.toml",
            server.port,
            '["json", "html"]',
            'filename = "{name}-{until}"',
        )
        result = runner.invoke(cli, ["--config", str(cfg), "status", "--json"])
        (status,) = json.loads(result.stdout)["digests"]
        assert status["name"] == "often" and status["next_run"] > now.strftime("%Y-%m-%dT%H")
        proc = start_daemon(cfg)
        try:
            folder = tmp_path / "archive" / "digests"
            wait_for(lambda: folder.is_dir() and any(folder.glob("often-*.json")))
            server.wait_for(1)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "digest often: 2 stories" in err
    first = sorted(folder.glob("often-*.json"))[0]
    data = json.loads(first.read_text(encoding="utf-8"))
    assert data["counts"]["stories"] == 2
    # The same window rebuilt later from the command line gives the same bytes.
    since, until = data["window"]["since"], data["window"]["until"]
    result = runner.invoke(
        cli,
        ["--config", str(cfg), "digest", "--since", since, "--until", until, "--format", "html"],
    )
    assert result.stdout == first.with_suffix(".html").read_text(encoding="utf-8")
    message = received_message(server.messages[0].data)
    assert message.get_content_type() == "multipart/alternative"
    subject = " ".join(str(message["Subject"]).split())  # a long subject is folded
    assert subject == f"News digest: {data['window']['label']} (2 stories)"
    assert server.messages[0].rcpt_to == ["reader@example.org"]


def test_status_shows_when_each_digest_runs_next(tmp_path: Path, runner: CliRunner) -> None:
    make_archive(tmp_path / "archive" / "news.db")
    cfg = tmp_path / "aggregator.toml"
    cfg.write_text(
        '[[digests]]\nname = "morning"\nschedule = "0 7 * * *"\nformats = ["html", "atom"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["--config", str(cfg), "status"])
    assert result.exit_code == 0, result.stderr
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    today = datetime.now(UTC).date().isoformat()
    line = next(x for x in result.stdout.splitlines() if x.startswith("Next digest morning: "))
    assert line.split(": ")[1][:10] in (today, tomorrow)
    assert line.endswith(" 07:00 UTC (daily, html, atom to archive/digests)")
