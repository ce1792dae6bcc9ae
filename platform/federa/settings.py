"""One frozen Settings object, read once from FEDERA_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}


class SettingsError(RuntimeError):
    """The environment does not describe a runnable deployment."""


def _dev_secret(var_dir: Path) -> str:
    """A development secret generated once into var/, never committed."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    environment: str = "dev"
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    smtp_url: str | None = None
    mail_from: str = "Federa <noreply@federa.example.org>"
    base_url: str = "http://127.0.0.1:8000"
    network_hosts: dict[str, str] = field(default_factory=dict)
    var_dir: Path = ROOT / "var"
    templates_dir: Path = ROOT / "templates"
    static_dir: Path = ROOT / "static"
    max_body_size: int = 2 * 1024 * 1024
    max_upload_size: int = 10 * 1024 * 1024
    max_document_size: int = 20 * 1024 * 1024  # one library document
    login_max_failures: int = 10
    login_window_seconds: int = 900
    run_drainer: bool = True
    # Test-only: identity providers on loopback/private addresses (the interop tests run one on 127.0.0.1).
    oidc_allow_private_hosts: bool = False

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def uploads_dir(self) -> Path:
        """Where the local storage keeps uploaded library documents."""
        return self.var_dir / "uploads"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read FEDERA_* variables; refuse placeholder secrets in production."""
        env = dict(os.environ if env is None else env)
        environment = env.get("FEDERA_ENV", "dev")
        var_dir = Path(env.get("FEDERA_VAR_DIR", str(ROOT / "var")))
        secret = env.get("FEDERA_SECRET_KEY", "")
        if environment == "production":
            if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32:
                raise SettingsError("FEDERA_SECRET_KEY must be set to a random value of 32+ characters")
            if "FEDERA_DATABASE_URL" not in env:
                raise SettingsError("FEDERA_DATABASE_URL is required in production")
            if env.get("FEDERA_OIDC_ALLOW_PRIVATE_HOSTS"):
                raise SettingsError("FEDERA_OIDC_ALLOW_PRIVATE_HOSTS is for tests only")
        elif not secret:
            secret = _dev_secret(var_dir)
        hosts = {}
        for pair in filter(None, env.get("FEDERA_NETWORK_HOSTS", "").split(",")):
            host, _, slug = pair.partition("=")
            hosts[host.strip().lower()] = slug.strip()
        values: dict[str, object] = {
            "environment": environment,
            "database_url": env.get("FEDERA_DATABASE_URL", f"sqlite://{var_dir}/federa.sqlite3"),
            "redis_url": env.get("FEDERA_REDIS_URL") or None,
            "secret_key": secret,
            "smtp_url": env.get("FEDERA_SMTP_URL") or None,
            "mail_from": env.get("FEDERA_MAIL_FROM", cls.mail_from),
            "base_url": env.get("FEDERA_BASE_URL", cls.base_url).rstrip("/"),
            "network_hosts": hosts,
            "var_dir": var_dir,
            "oidc_allow_private_hosts": env.get("FEDERA_OIDC_ALLOW_PRIVATE_HOSTS", "") == "1",
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
