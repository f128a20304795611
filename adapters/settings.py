"""One typed settings object, read once from the environment and ``.env``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from adapters.public_addresses import Allowance, parse_allowances
from bot.i18n import Catalogue
from bot.limits import BadLimit, PolicyLimits, parse_limits
from bot.privacy.passes import MIN_SECRET
from storage.engine import UnsupportedDatabase, async_url

Adapter = Literal["slack", "teams", "playground"]
PLATFORMS = ("slack", "teams", "playground")


class Settings(BaseSettings):
    """Every key is listed with a comment in ``.env.example``."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///sharebot.db", alias="DATABASE_URL")
    host: str = Field("127.0.0.1", alias="SHAREBOT_HOST")
    port: int = Field(3978, alias="PORT", ge=1, le=65535)
    public_url: str = Field("", alias="SHAREBOT_PUBLIC_URL")
    admins: Annotated[tuple[str, ...], NoDecode] = Field((), alias="SHAREBOT_ADMINS")
    adapters: Annotated[tuple[Adapter, ...], NoDecode] = Field((), alias="SHAREBOT_ADAPTERS")
    tick_seconds: float = Field(5.0, alias="SHAREBOT_TICK_SECONDS", gt=0, le=3600)
    delivery_concurrency: int = Field(32, alias="SHAREBOT_DELIVERY_CONCURRENCY", ge=1, le=1000)
    delivery_lease_seconds: float = Field(
        600.0, alias="SHAREBOT_DELIVERY_LEASE_SECONDS", ge=10, le=86_400
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", alias="SHAREBOT_LOG_LEVEL"
    )
    fetch_allow: str = Field("", alias="SHAREBOT_FETCH_ALLOW")
    policy_limits: str = Field("", alias="SHAREBOT_POLICY_LIMITS")
    secret_key: SecretStr = Field(SecretStr(""), alias="SHAREBOT_SECRET_KEY")
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    slack_command: str = Field("/share", alias="SHAREBOT_SLACK_COMMAND", pattern=r"^/[\w-]{1,31}$")
    slack_rate: float = Field(5.0, alias="SHAREBOT_SLACK_RATE", gt=0, le=10_000)
    microsoft_app_id: str = Field("", alias="MICROSOFT_APP_ID")
    microsoft_app_password: str = Field("", alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str = Field("", alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI", ""] = Field(
        "MultiTenant", alias="MICROSOFT_APP_TYPE"
    )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            async_url(value)
        except (UnsupportedDatabase, ArgumentError) as error:
            raise ValueError(
                "use sqlite:///path/to/file.db or postgresql://user:password@host/db"
            ) from error
        return value

    @field_validator("fetch_allow")
    @classmethod
    def _allowances(cls, value: str) -> str:
        parse_allowances(value)  # one line naming the first bad entry
        return value

    @field_validator("policy_limits")
    @classmethod
    def _limits(cls, value: str) -> str:
        try:
            parse_limits(value)
        except BadLimit as error:  # one line naming the entry, with what the key takes
            raise ValueError(_limit_problem(error)) from error
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and (len(secret) < MIN_SECRET or not secret.strip()):
            raise ValueError(
                f"use at least {MIN_SECRET} random characters, e.g. the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            items = tuple(item.strip() for item in value.split(",") if item.strip())
            for item in items:
                platform, _, key = item.partition(":")
                if platform not in PLATFORMS or not key:
                    raise ValueError(f"{item!r} is not slack:<id>, teams:<id> or playground:<name>")
            return items
        return value

    @field_validator("adapters", mode="before")
    @classmethod
    def _split_adapters(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip().lower() for item in value.split(",") if item.strip())
        return value

    @property
    def admin_keys(self) -> frozenset[tuple[str, str]]:
        """``(platform, user id)`` pairs that hold HR from configuration."""
        pairs = (item.partition(":") for item in self.admins)
        return frozenset((platform, key) for platform, _, key in pairs)

    @property
    def fetch_allowances(self) -> tuple[Allowance, ...]:
        """Non-public ranges the operator lets Sharebot fetch photos from."""
        return parse_allowances(self.fetch_allow)

    @property
    def limits(self) -> PolicyLimits:
        """The bounds agreed with the works council that HR cannot cross from chat."""
        return parse_limits(self.policy_limits)

    @property
    def enabled_adapters(self) -> tuple[Adapter, ...]:
        """The adapters asked for, else the configured ones, else the playground."""
        if self.adapters:
            return self.adapters
        configured: list[Adapter] = []
        if self.slack_bot_token:
            configured.append("slack")
        if self.microsoft_app_id:
            configured.append("teams")
        return tuple(configured) or ("playground",)

    @property
    def database_label(self) -> str:
        """The database URL with its password hidden, for output and logs."""
        try:
            return make_url(self.database_url).render_as_string(hide_password=True)
        except ArgumentError:
            return "(unreadable DATABASE_URL)"

    @property
    def base_url(self) -> str:
        """Where people's browsers reach this server (for share links)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")


def _limit_problem(error: BadLimit) -> str:
    if error.value_error is None:
        return f"entry {error}"
    key = error.value_error.params.get("key", "")
    return f"entry {error}; {key}: {Catalogue.load().text('en', f'policy.hint.{key}')}"


SECRETS = frozenset({"SHAREBOT_SECRET_KEY"})


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line that names the key."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "settings"
        value = first.get("input")
        shown = f" (got {value!r})" if isinstance(value, str | int | float) else ""
        if key in SECRETS:  # a secret is never repeated, not even a wrong one
            shown = ""
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {key}: {message}{shown}") from error
