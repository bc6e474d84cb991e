"""Passwords, JWT access tokens against the app clock, API tokens, the on-disk secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.settings import Settings
from api.tokens import (
    API_TOKEN_PREFIX,
    api_token_hash,
    hash_password,
    issue_access_token,
    new_api_token,
    read_access_token,
    verify_password,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_password_hash_verifies_only_the_right_password() -> None:
    h = hash_password("s3cret!")
    assert h.startswith("$argon2")
    assert verify_password(h, "s3cret!")
    assert not verify_password(h, "s3cret")
    assert not verify_password(None, "s3cret!")
    assert not verify_password("not-a-hash", "s3cret!")


def test_access_token_expires_in_the_apps_timeline() -> None:
    tok = issue_access_token("k" * 32, "alice", NOW, timedelta(hours=1))
    assert tok.expires_at == NOW + timedelta(hours=1)
    assert read_access_token("k" * 32, tok.token, NOW + timedelta(minutes=59)) == "alice"
    assert read_access_token("k" * 32, tok.token, NOW + timedelta(hours=1)) is None
    assert read_access_token("other-secret" * 3, tok.token, NOW) is None
    assert read_access_token("k" * 32, tok.token + "x", NOW) is None


def test_api_tokens_are_random_and_hashed_stably() -> None:
    a, b = new_api_token(), new_api_token()
    assert a != b and a.startswith(API_TOKEN_PREFIX) and len(a) > 40
    assert api_token_hash(a) == api_token_hash(a) != api_token_hash(b)


def test_secret_is_generated_once_next_to_the_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/x.db", _env_file=None)
    first = settings.secret()
    assert (tmp_path / ".signoff" / "secret").read_text() == first
    assert Settings(database_url=f"sqlite:///{tmp_path}/x.db", _env_file=None).secret() == first
    assert Settings(jwt_secret="configured", _env_file=None).secret() == "configured"
