"""The ``ideas`` command, run as a new user would run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.commands import run_ideas


@pytest.fixture
def fresh(tmp_path: Path) -> dict[str, str]:
    return {"IDEAS_ENV": "development", "IDEAS_DATA_DIR": str(tmp_path / "data")}


def test_migrate_demo_and_check_on_a_fresh_folder(tmp_path: Path, fresh: dict[str, str]) -> None:
    no_folder = run_ideas("check", env=fresh, cwd=tmp_path)
    Path(fresh["IDEAS_DATA_DIR"]).mkdir()
    before = run_ideas("check", env=fresh, cwd=tmp_path)
    migrated = run_ideas("migrate", env=fresh, cwd=tmp_path)
    demo = run_ideas("demo", env=fresh, cwd=tmp_path)
    again = run_ideas("demo", env=fresh, cwd=tmp_path)
    if_empty = run_ideas("demo", "--if-empty", env=fresh, cwd=tmp_path)
    after = run_ideas("check", env=fresh, cwd=tmp_path)

    assert no_folder.returncode == 1
    assert "database: unreachable" in no_folder.stdout
    assert before.returncode == 1
    assert "schema: at nothing" in before.stdout
    assert migrated.returncode == 0, migrated.stderr
    assert demo.returncode == 0, demo.stderr
    assert "103 people, 6 challenges" in demo.stdout
    assert "Open http://127.0.0.1:8000/sign-in and pick a demo person" in demo.stdout
    assert "Ada Okafor (admin, host), Hamid Rahimi (host), Kwame Mensah" in demo.stdout
    assert again.returncode == 1
    assert "already has data" in again.stdout
    assert if_empty.returncode == 0
    assert "Ada Okafor (admin, host)" in if_empty.stdout
    assert after.returncode == 0, after.stdout
    assert "configuration: ok (development)" in after.stdout
    assert "database: reachable" in after.stdout
    assert "schema: up to date" in after.stdout
    assert "lineage graph: ok" in after.stdout


def test_check_warns_when_graphviz_is_missing(tmp_path: Path, fresh: dict[str, str]) -> None:
    Path(fresh["IDEAS_DATA_DIR"]).mkdir()
    assert run_ideas("migrate", env=fresh, cwd=tmp_path).returncode == 0
    (tmp_path / "bin").mkdir()
    without_dot = {**fresh, "PATH": str(tmp_path / "bin")}

    result = run_ideas("check", env=without_dot, cwd=tmp_path)

    assert result.returncode == 0, result.stdout
    assert "lineage graph: warning: Graphviz's `dot` is not installed" in result.stdout


def test_check_reports_an_unreachable_database(tmp_path: Path) -> None:
    env = {"IDEAS_ENV": "test", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = run_ideas("check", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "database: unreachable" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_ideas("serve", env={"IDEAS_ENV": "production"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY must be set when IDEAS_ENV=production" in result.stderr


def test_a_bad_setting_is_named_at_start_up(tmp_path: Path) -> None:
    result = run_ideas("serve", env={"IDEAS_PORT": "eighty"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "IDEAS_PORT" in result.stderr
