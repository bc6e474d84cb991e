"""Configuration of the API process, from ``SIGNOFF_*`` environment variables or ``.env``.

Only ``api/`` (and ``migrations/env.py``) read settings; everything else receives values
as arguments. Tests build ``Settings(...)`` directly and pass it to ``create_app``.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from engine.attachments import TYPES as ATTACHMENT_TYPES
from engine.attachments import Policy
from engine.core.limits import DEFAULT, Limits
from engine.notify.service import ServiceSystem


class ServiceConfig(BaseModel):
    """One outside system of ``Settings.services``."""

    url: str
    secret: str  # whsec_<base64>: signs the calls, verifies the callbacks


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNOFF_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./signoff.db"
    definitions_dir: Path = Path("definitions")
    org_file: Path | None = None  # default: <definitions_dir>/org.yaml when it exists
    ui_dist: Path = Path("ui/dist")
    jwt_secret: str | None = None  # default: generated once, kept in <state_dir>/secret
    token_lifetime_minutes: int = 12 * 60
    api_token_lifetime_days: int = 365
    demo: bool = False
    state_dir: Path | None = None  # default: .signoff next to the SQLite file, else ./.signoff
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks, "*" for any (only when nothing else can reach the app).
    trusted_proxies: str = "127.0.0.1"
    hsts_max_age: int = 365 * 24 * 3600  # sent on HTTPS requests only; 0 turns HSTS off
    # Sign-in throttling (api.signin): failures per user name and per client address in a
    # window, then a lockout that doubles each time in a row, up to the maximum.
    login_user_limit: int = 5
    login_client_limit: int = 20
    login_window_minutes: float = 15
    login_lockout_minutes: float = 5
    login_max_lockout_minutes: float = 240
    login_hash_concurrency: int = 4  # password hashes at once per process (64 MiB each)
    login_hash_wait_seconds: float = 2.0  # then 503 with Retry-After
    # Operations (docs/operations.md): logs, /metrics, readiness.
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    metrics_access: Literal["off", "token", "local", "open"] = "local"  # local: token or localhost
    metrics_token: str | None = None
    workers_expected: bool = False  # readiness wants a worker heartbeat when true
    worker_stale_seconds: int = 120

    # Timers and the worker (docs/definitions.md "Timers", docs/api.md "Notifications")
    calendar_country: str | None = "CN"  # public holidays and make-up working days
    calendar_timezone: str = "Asia/Shanghai"
    working_hours: str = "09:00-18:00"
    worker: bool = True  # run a worker inside each app process (serve --no-worker: off)
    outbox_max_attempts: int = 8  # deliveries tried before a message is dead-lettered
    outbox_backoff_seconds: float = 30.0  # first retry delay, doubled each time (max 1 h)
    forecast_minutes: float = 10.0  # the worker predicts every running request this often

    # Notifications (docs/notifications.md): a channel is on when its URL or host is set.
    public_url: str = "http://localhost:8000"  # base of the links in messages
    smtp_host: str | None = None
    smtp_port: int = 0  # default: 465 with SSL, 587 with STARTTLS, else 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False  # implicit TLS (SMTPS)
    smtp_from: str = "Signoff <signoff@localhost>"
    smtp_cafile: Path | None = None  # a private CA for the mail server's certificate
    webhook_url: str | None = None
    webhook_secret: str | None = None  # whsec_<base64>, Standard Webhooks
    dingtalk_url: str | None = None  # https://oapi.dingtalk.com/robot/send?access_token=...
    dingtalk_secret: str | None = None  # SEC..., when the robot signs ("加签")
    feishu_url: str | None = None  # https://open.feishu.cn/open-apis/bot/v2/hook/...
    feishu_secret: str | None = None
    wecom_url: str | None = None  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...

    # Service steps (docs/operations.md "Outside systems"): each outside system a
    # service step may call, by name: its URL and the secret (whsec_<base64>, Standard
    # Webhooks) that signs the calls and the system's callbacks. JSON in the environment:
    # SIGNOFF_SERVICES='{"logistics": {"url": "https://...", "secret": "whsec_..."}}'
    services: dict[str, ServiceConfig] = {}
    demo_logistics_pace: float = 10.0  # seconds between the demo logistics system's answers

    def service_systems(self) -> dict[str, ServiceSystem]:
        return {name: ServiceSystem(name, c.url, c.secret) for name, c in self.services.items()}

    # Attachments (docs/operations.md "Attachments"): the bytes live outside the database,
    # in a local folder (one host, or a shared mount) or S3-compatible object storage.
    attachments_store: Literal["local", "s3"] = "local"
    attachments_dir: Path | None = None  # default: <state_dir>/attachments
    attachments_s3_bucket: str = "signoff-attachments"
    attachments_s3_endpoint_url: str | None = None  # MinIO, Ceph, OSS...; unset: AWS
    attachments_s3_region: str | None = None
    attachments_s3_prefix: str = "attachments/"
    # credentials: boto3's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a role...)
    attachment_max_bytes: int = 20_000_000  # one file (20 MB)
    attachment_max_files: int = 10  # files in one upload
    attachment_types: str = ",".join(ATTACHMENT_TYPES)  # accepted extensions

    def attachment_policy(self) -> Policy:
        types = tuple(t.strip().lower().lstrip(".") for t in self.attachment_types.split(",")
                      if t.strip())
        return Policy(max_bytes=self.attachment_max_bytes,
                      max_files=self.attachment_max_files, types=types)

    # Input limits of every HTTP request (engine/core/limits.py has the engine's own).
    max_body_bytes: int = DEFAULT.max_body_bytes  # larger bodies: 413, never read
    max_json_depth: int = DEFAULT.max_json_depth  # deeper JSON bodies: 422
    max_string_length: int = DEFAULT.max_string_length  # longer strings or query values: 422

    def limits(self) -> Limits:
        """The limits the API holds every request to."""
        return replace(DEFAULT, max_body_bytes=self.max_body_bytes,
                       max_json_depth=self.max_json_depth,
                       max_string_length=self.max_string_length,
                       max_upload_bytes=(self.attachment_max_bytes
                                         * self.attachment_max_files + 64 * 1024))

    def resolved_state_dir(self) -> Path:
        """Where embedded mode keeps what must survive a restart (the JWT secret)."""
        if self.state_dir is not None:
            return self.state_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(str(url.database)).resolve().parent / ".signoff"
        return Path(".signoff").resolve()

    def resolved_org_file(self) -> Path | None:
        if self.org_file is not None:
            return self.org_file
        for name in ("org.yaml", "org.yml", "org.csv"):
            candidate = self.definitions_dir / name
            if candidate.exists():
                return candidate
        return None

    def secret(self) -> str:
        """The JWT signing secret: the configured one, or one generated on first use and
        kept on disk so tokens survive a restart in embedded mode."""
        if self.jwt_secret:
            return self.jwt_secret
        path = self.resolved_state_dir() / "secret"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        # Created exclusively with owner-only permissions; a concurrent process that won
        # the race has already written a secret, which we read back instead.
        try:
            with path.open("x", encoding="utf-8") as fh:
                fh.write(value)
            path.chmod(0o600)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        return value


__all__ = ["ServiceConfig", "Settings"]
