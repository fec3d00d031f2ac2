"""The files an operator copies from deploy/ agree with the site they run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ideas import cli
from ideas.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def env_file(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z_]+)=(.*)$", path.read_text(), re.MULTILINE))


def test_the_env_file_example_is_a_valid_production_setup() -> None:
    example = env_file(DEPLOY / "ideas.env.example")
    documented = env_file(ROOT / ".env.example")
    assert set(example) <= set(documented)

    settings = load_settings(
        {
            **example,
            "SECRET_KEY": "s" * 48,
            "SMTP_PASSWORD": "p",
            "GITHUB_CLIENT_ID": "i",
            "GITHUB_CLIENT_SECRET": "s",
        }
    )
    assert settings.is_production
    assert settings.db_pgbouncer
    assert settings.effective_database_url.startswith("postgresql+asyncpg://")
    assert [str(network) for network in settings.trusted_proxies] == ["127.0.0.1/32"]
    assert not settings.send_from_app


def test_the_systemd_units_start_commands_that_exist() -> None:
    for unit in ["ideas@.service", "ideas-worker.service"]:
        text = (DEPLOY / "systemd" / unit).read_text()
        [command] = re.findall(r"^ExecStart=(.*)$", text, re.MULTILINE)
        program, name, *args = shlex.split(command.replace("%i", "8001"))
        assert program.endswith("/bin/ideas")
        cli.main.commands[name].make_context(name, args)  # refuses unknown options
        assert "EnvironmentFile=/etc/ideas/ideas.env" in text


def test_nginx_sends_requests_to_the_ports_the_target_starts() -> None:
    upstream = re.findall(
        r"^\s+server 127\.0\.0\.1:(\d+)", (DEPLOY / "nginx" / "ideas.conf").read_text(), re.M
    )
    target = re.findall(r"ideas@(\d+)\.service", (DEPLOY / "systemd" / "ideas.target").read_text())
    assert upstream == target
    assert len(upstream) >= 2
