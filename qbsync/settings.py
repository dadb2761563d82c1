"""Environment -> one typed Settings object.

Everything configurable lives here so that tests can point the app at a sandbox by setting variables, and so
that the README's variable table has one source. Demo mode (no Intuit client id) points every Intuit URL at the
embedded sandbox mounted under ``/sandbox`` on the app's own server.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ['Settings', 'IntuitEndpoints', 'load_settings', 'data_dir_from_env', 'database_url_from_env',
           'INTUIT_PRODUCTION', 'INTUIT_SANDBOX', 'GENERATED_SECRETS', 'SmtpSettings', 'protect_data_dir',
           'write_private', 'kept_secret']

SANDBOX_MOUNT = '/sandbox'
DEMO_CLIENT_ID = 'qbsync-demo-app'
ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting'
# secrets generated into the data folder when the environment gives none (a backup carries them)
GENERATED_SECRETS = ('token-encryption-key', 'session-secret', 'demo-client-secret', 'demo-verifier',
                     'sandbox-admin-token')


@dataclass(frozen=True)
class IntuitEndpoints:
    """Where the OAuth and Accounting API calls go; real Intuit hosts or the sandbox, same paths."""
    authorize_url: str
    token_url: str
    revoke_url: str
    userinfo_url: str
    api_base_url: str  # ends in /v3; the client appends /company/{realmId}/...


INTUIT_PRODUCTION = IntuitEndpoints(
    authorize_url='https://appcenter.intuit.com/connect/oauth2',
    token_url='https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    revoke_url='https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
    userinfo_url='https://accounts.platform.intuit.com/v1/openid_connect/userinfo',
    api_base_url='https://quickbooks.api.intuit.com/v3',
)
INTUIT_SANDBOX = IntuitEndpoints(
    authorize_url='https://appcenter.intuit.com/connect/oauth2',
    token_url='https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    revoke_url='https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
    userinfo_url='https://sandbox-accounts.platform.intuit.com/v1/openid_connect/userinfo',
    api_base_url='https://sandbox-quickbooks.api.intuit.com/v3',
)


def sandbox_endpoints(base_url: str) -> IntuitEndpoints:
    """The embedded or standalone sandbox keeps Intuit's paths; only the host differs."""
    base = base_url.rstrip('/')
    return IntuitEndpoints(
        authorize_url=f'{base}/connect/oauth2',
        token_url=f'{base}/oauth2/v1/tokens/bearer',
        revoke_url=f'{base}/v2/oauth2/tokens/revoke',
        userinfo_url=f'{base}/v1/openid_connect/userinfo',
        api_base_url=f'{base}/v3',
    )


@dataclass(frozen=True)
class SmtpSettings:
    """Where notification and report emails go out (QBSYNC_SMTP_*); absent when QBSYNC_SMTP_HOST is unset."""
    host: str
    port: int
    sender: str  # QBSYNC_SMTP_FROM
    user: str = ''
    password: str = field(default='', repr=False)
    security: str = 'starttls'  # starttls | tls (implicit, port 465) | none (a local relay)


SMTP_SECURITY = ('starttls', 'tls', 'none')


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str
    port: int
    public_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    environment: str  # 'sandbox' | 'production' | 'demo'
    token_encryption_keys: tuple[str, ...] = field(repr=False)
    webhook_verifier_token: str = field(repr=False)
    storage_secret: str = field(repr=False)
    endpoints: IntuitEndpoints = INTUIT_SANDBOX
    sandbox_url: str = ''  # an external sandbox (e.g. `qbsync sandbox --port 9000`) instead of the embedded one
    admin_email: str = ''
    admin_password: str = field(default='', repr=False)
    load_demo_data: bool = True
    sync_interval_minutes: int = 15
    log_level: str = 'INFO'
    log_format: str = 'text'  # 'text' | 'json' (one JSON object per line)
    backup_keep: int = 7  # daily backups kept in <data>/backups; 0 turns the daily backup off
    session_idle_minutes: int = 120  # a signed-in browser left alone this long must log in again
    session_max_hours: int = 12  # and every session ends this long after its login, active or not
    health_token: str = field(default='', repr=False)  # opens /healthz details (and /metrics) to non-loopback callers
    smtp: SmtpSettings | None = None

    @property
    def secure_cookies(self) -> bool:
        """Served over https (directly or behind a TLS proxy): cookies get ``Secure``, pages get HSTS."""
        return self.public_url.lower().startswith('https://')

    @property
    def demo_mode(self) -> bool:
        """No Intuit credentials configured: the app talks to its own sandbox."""
        return self.environment == 'demo'

    @property
    def embedded_sandbox(self) -> bool:
        return self.demo_mode and not self.sandbox_url

    @property
    def webhook_url(self) -> str:
        return f'{self.public_url}/api/quickbooks/webhook'


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read QUICKBOOKS_* and QBSYNC_* variables; generate and keep demo secrets in the data folder."""
    env = dict(os.environ if env is None else env)
    data_dir = data_dir_from_env(env)
    protect_data_dir(data_dir)
    port = int(env.get('QBSYNC_PORT', '8080'))
    public_url = env.get('QBSYNC_PUBLIC_URL', f'http://localhost:{port}').rstrip('/')
    client_id = env.get('QUICKBOOKS_CLIENT_ID', '').strip()
    environment = env.get('QUICKBOOKS_ENVIRONMENT', 'sandbox').strip().lower()
    if environment not in {'sandbox', 'production'}:
        raise ValueError(f"QUICKBOOKS_ENVIRONMENT must be 'sandbox' or 'production', not {environment!r}")
    sandbox_url = env.get('QBSYNC_SANDBOX_URL', '').strip().rstrip('/')
    if client_id:
        client_secret = env.get('QUICKBOOKS_CLIENT_SECRET', '').strip()
        if not client_secret:
            raise ValueError('QUICKBOOKS_CLIENT_SECRET is required when QUICKBOOKS_CLIENT_ID is set')
        endpoints = sandbox_endpoints(sandbox_url) if sandbox_url else (
            INTUIT_PRODUCTION if environment == 'production' else INTUIT_SANDBOX)
        verifier = env.get('QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN', '').strip()
    else:
        environment = 'demo'
        client_id = DEMO_CLIENT_ID
        client_secret = _kept_secret(data_dir / 'demo-client-secret')
        endpoints = sandbox_endpoints(sandbox_url or f'{public_url}{SANDBOX_MOUNT}')
        verifier = env.get('QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN', '').strip() or _kept_secret(data_dir / 'demo-verifier')
    keys = tuple(k.strip() for k in env.get('QUICKBOOKS_TOKEN_ENCRYPTION_KEY', '').split(',') if k.strip())
    if not keys:
        if environment != 'demo':
            raise ValueError('QUICKBOOKS_TOKEN_ENCRYPTION_KEY is required with real Intuit credentials')
        keys = (_kept_fernet_key(data_dir / 'token-encryption-key'),)
    return Settings(
        data_dir=data_dir,
        database_url=database_url_from_env(env),
        host=env.get('QBSYNC_HOST', '0.0.0.0'),
        port=port,
        public_url=public_url,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=env.get('QUICKBOOKS_REDIRECT_URI', '').strip() or f'{public_url}/api/quickbooks/callback',
        environment=environment,
        token_encryption_keys=keys,
        webhook_verifier_token=verifier,
        storage_secret=env.get('QBSYNC_STORAGE_SECRET', '').strip() or _kept_secret(data_dir / 'session-secret'),
        endpoints=endpoints,
        sandbox_url=sandbox_url,
        admin_email=env.get('QBSYNC_ADMIN_EMAIL', '').strip(),
        admin_password=env.get('QBSYNC_ADMIN_PASSWORD', ''),
        load_demo_data=_flag(env.get('QBSYNC_DEMO_DATA'), default=environment == 'demo'),
        sync_interval_minutes=int(env.get('QBSYNC_SYNC_INTERVAL_MINUTES', '15')),
        log_level=env.get('QBSYNC_LOG_LEVEL', 'INFO').upper(),
        log_format=_choice(env, 'QBSYNC_LOG_FORMAT', ('text', 'json')),
        backup_keep=int(env.get('QBSYNC_BACKUP_KEEP', '7')),
        session_idle_minutes=max(1, int(env.get('QBSYNC_SESSION_IDLE_MINUTES', '120'))),
        session_max_hours=max(1, int(env.get('QBSYNC_SESSION_MAX_HOURS', '12'))),
        health_token=env.get('QBSYNC_HEALTH_TOKEN', '').strip(),
        smtp=_smtp(env),
    )


def database_url_from_env(env: dict[str, str] | None = None) -> str:
    """QBSYNC_DATABASE_URL, or the SQLite file in the data folder."""
    env = os.environ if env is None else env
    return env.get('QBSYNC_DATABASE_URL', '') or f'sqlite+aiosqlite:///{data_dir_from_env(env) / "qbsync.db"}'


def data_dir_from_env(env: dict[str, str] | None = None) -> Path:
    """The data folder, without creating it or any secret in it (``qbsync restore`` needs it untouched)."""
    env = os.environ if env is None else env
    return Path(env.get('QBSYNC_DATA_DIR', 'data')).expanduser().resolve()


def _choice(env: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, '').strip().lower() or allowed[0]
    if value not in allowed:
        raise ValueError(f'{name} must be one of {", ".join(allowed)}, not {value!r}')
    return value


def _smtp(env: dict[str, str]) -> SmtpSettings | None:
    """QBSYNC_SMTP_HOST/PORT/USER/PASSWORD/FROM/SECURITY; port 465 means implicit TLS unless SECURITY says."""
    host = env.get('QBSYNC_SMTP_HOST', '').strip()
    if not host:
        return None
    port = int(env.get('QBSYNC_SMTP_PORT', '').strip() or '587')
    security = env.get('QBSYNC_SMTP_SECURITY', '').strip().lower() or ('tls' if port == 465 else 'starttls')
    if security not in SMTP_SECURITY:
        raise ValueError(f'QBSYNC_SMTP_SECURITY must be one of {", ".join(SMTP_SECURITY)}, not {security!r}')
    user = env.get('QBSYNC_SMTP_USER', '').strip()
    sender = env.get('QBSYNC_SMTP_FROM', '').strip() or user
    if '@' not in sender:
        raise ValueError('QBSYNC_SMTP_FROM must be the email address notifications are sent from')
    return SmtpSettings(host=host, port=port, sender=sender, user=user,
                        password=env.get('QBSYNC_SMTP_PASSWORD', ''), security=security)


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {'1', 'true', 'yes', 'on'}


def kept_secret(path: Path) -> str:
    """A random secret kept in ``path`` (made on first use); e.g. the embedded sandbox's admin token."""
    return _kept_secret(path)


def _kept_secret(path: Path) -> str:
    """A secret generated once and kept (mode 600) so restarts keep sessions and demo credentials valid."""
    return _kept(path, lambda: secrets.token_urlsafe(32))


def _kept_fernet_key(path: Path) -> str:
    from cryptography.fernet import Fernet
    return _kept(path, lambda: Fernet.generate_key().decode())


def _kept(path: Path, make: Callable[[], str]) -> str:
    """The value kept in ``path``, or a new one written there. An empty file (left by a kill in the middle of an
    older, non-atomic write) counts as missing rather than as an empty secret."""
    if path.exists() and (kept := path.read_text().strip()):
        return kept
    value = make()
    write_private(path, value + '\n')
    return value


def protect_data_dir(data_dir: Path) -> None:
    """Create the data folder 0700 and make everything in it private (0600 files, 0700 folders): it holds the
    database, the token encryption key and the session secret. Fixes what an older version or a copy left open."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    for folder, folders, files in os.walk(data_dir):
        for name in folders:
            os.chmod(os.path.join(folder, name), 0o700)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only (0600), atomically: a kill at any moment leaves the
    old content or the new, never a half-written or empty file."""
    temporary = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
