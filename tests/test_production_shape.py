"""compose.yaml, the Dockerfile and .dockerignore describe commands, settings and files that really exist.

Docker does not run here: these tests check every command the containers run against the real CLIs,
every FEDERA_* variable against what Settings reads, and every arq job name against WorkerSettings.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shlex
from typing import Any

import pytest
import typer
import yaml
from arq.cli import cli as arq_cli
from arq.utils import import_string

from federa.cli import app as federa_app
from federa.settings import ROOT, Settings
from workers.main import WorkerSettings

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def _argv(command: str | list[str]) -> list[str]:
    if isinstance(command, str):
        return shlex.split(command)
    return [c for c in command if c not in ("CMD", "CMD-SHELL")]


def _commands() -> list[list[str]]:
    """Every command a container runs: service commands, healthchecks and the image's CMD."""
    found = [_argv(s["command"]) for s in SERVICES.values() if "command" in s]
    found += [_argv(s["healthcheck"]["test"]) for s in SERVICES.values() if "healthcheck" in s]
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert cmd, "the Dockerfile has no CMD"
    found.append(yaml.safe_load(cmd.group(1)))
    return found


def _check_click(command: Any, argv: list[str]) -> None:
    """Parse argv as the real CLI would (unknown commands and options raise), without running it."""
    # Duck-typed: typer 0.29 builds its groups on its own copy of click, not on click.Group.
    if hasattr(command, "commands"):
        sub = command.commands.get(argv[1])
        assert sub is not None, f"{argv[0]} has no command {argv[1]!r}"
        _check_click(sub, argv[1:])
        return
    command.make_context(argv[0], argv[1:]).close()


def test_compose_has_the_production_services() -> None:
    assert {"postgres", "redis", "migrate", "web", "worker"} <= SERVICES.keys()
    assert SERVICES["migrate"]["command"] == ["federa", "migrate"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert SERVICES[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["web"]["command"][:4] == ["federa", "serve", "--host", "0.0.0.0"]
    assert SERVICES["worker"]["command"] == ["federa", "worker"]


def test_web_can_be_scaled() -> None:
    web = SERVICES["web"]
    assert "container_name" not in web
    for port in web.get("ports", []):
        published = INTERPOLATION.sub(lambda m: m.group(2) or "", str(port)).rpartition(":")[0]
        assert "-" in published, f"{port}: a single host port allows one replica only"


def test_healthchecks_use_readyz_and_arq_check() -> None:
    assert "/readyz" in " ".join(_argv(SERVICES["web"]["healthcheck"]["test"]))
    assert _argv(SERVICES["worker"]["healthcheck"]["test"]) == ["arq", "--check", "workers.main.WorkerSettings"]
    assert all("healthcheck" in SERVICES[name] for name in ("postgres", "redis", "web", "worker"))
    # The health key lives health_check_interval + 1 s: the check must be able to notice a dead worker.
    assert WorkerSettings.health_check_interval <= 60


def test_worker_stops_after_its_running_jobs() -> None:
    grace = SERVICES["worker"]["stop_grace_period"]
    assert grace.endswith("s") and int(grace[:-1]) > WorkerSettings.job_completion_wait


@pytest.mark.parametrize("argv", [c for c in _commands() if c[0] in ("federa", "arq")], ids=" ".join)
def test_every_command_exists(argv: list[str]) -> None:
    if argv[0] == "federa":
        _check_click(typer.main.get_command(federa_app), argv)
    else:
        _check_click(arq_cli, argv)
        settings_path = next(a for a in argv[1:] if not a.startswith("-"))
        assert import_string(settings_path) is WorkerSettings


def test_environment_is_what_settings_read() -> None:
    environment = COMPOSE["x-federa-env"]
    known = set(re.findall(r'"(FEDERA_\w+)"', (ROOT / "platform/federa/settings.py").read_text()
                           + (ROOT / "platform/federa/cli.py").read_text()))
    assert set(environment) <= known, f"unknown variables: {set(environment) - known}"
    values = {"FEDERA_SECRET_KEY": "s" * 40, "POSTGRES_PASSWORD": "pw"}
    env = {k: INTERPOLATION.sub(lambda m: values.get(m.group(1), m.group(2) or ""), str(v))
           for k, v in environment.items()}
    settings = Settings.from_env(env)  # raises SettingsError if production would refuse to start
    assert settings.production
    assert settings.database_url == "postgres://federa:pw@postgres:5432/federa"
    assert settings.redis_url == "redis://redis:6379/0"
    for name in ("migrate", "web", "worker"):
        assert SERVICES[name]["environment"] == environment


def test_every_enqueued_job_is_registered() -> None:
    registered = {getattr(f, "name", getattr(f, "__name__", None)) for f in WorkerSettings.functions}
    enqueued = set()
    for path in (ROOT / "platform").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "enqueue_job" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                enqueued.add(node.args[0].value)
    assert "deliver_outbox" in enqueued
    assert enqueued <= registered, f"enqueued but not in WorkerSettings: {enqueued - registered}"


def test_dockerfile_shape() -> None:
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root user"
    assert re.search(r"^RUN .*pip install .*-e \.", DOCKERFILE, re.M)


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.removeprefix("**/")):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_what_the_image_needs() -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    settings = Settings.from_env(env={"FEDERA_SECRET_KEY": "s" * 40, "FEDERA_VAR_DIR": "/nonexistent"})
    needed = ["pyproject.toml", "platform", "workers", "migrations",
              str(settings.templates_dir.relative_to(ROOT)), str(settings.static_dir.relative_to(ROOT))]
    assert [p for p in needed if _ignored(p, patterns)] == []
    assert all(_ignored(p, patterns) for p in (".git", ".venv", "var", "tests"))

