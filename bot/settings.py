"""Settings from the environment and `.env`, built by a function so nothing happens at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.terms import OfficeHours, parse_office_hours

SECRET_FIELDS = {
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "teams_client_secret",
    "web_chat_token",
}


class SettingsError(Exception):
    """One clear line about a bad setting, shown at start-up."""


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(default="sqlite:///partnership.db")
    partnership_timezone: str = "Europe/London"
    partnership_calendar: Literal["sheffield", "england"] = "sheffield"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web_chat_token: str | None = None
    public_url: str | None = None
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    teams_client_id: str | None = Field(
        default=None, alias="CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
    )
    teams_client_secret: str | None = Field(
        default=None, alias="CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET"
    )
    teams_tenant_id: str | None = Field(
        default=None, alias="CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID"
    )
    suppression_threshold: int = Field(default=10, ge=0)
    triage_channel: str = "triage"
    bulletin_channel: str = "bulletin"
    support_ack_crisis_hours: float = Field(default=2, gt=0)
    support_ack_other_days: float = Field(default=2, gt=0)
    # Learn Sheffield's working time for support targets: hours on weekdays that are not bank
    # holidays, and an optional yearly closure (day/month-day/month, e.g. 24/12-01/01)
    support_office_hours: str = "08:00-18:00"
    support_office_closure: str = ""
    support_retention_months: int = Field(default=24, ge=1)
    core_cities: str = (
        "Birmingham,Bristol,Leeds,Liverpool,Manchester,Newcastle upon Tyne,Nottingham,Sheffield"
    )
    attendance_area: str = "Sheffield"  # the partnership's own area: default, highlight, posts
    log_level: str = "INFO"
    clock_interval_seconds: float = Field(default=30, gt=0)
    outbox_lease_seconds: float = Field(default=120, gt=0)
    dispatch_concurrency: int = Field(default=8, ge=1, le=100)
    # every platform send gives up after this long (a try that counts), then backs off
    send_timeout_seconds: float = Field(default=20, gt=0, le=300)
    outbox_max_attempts: int = Field(default=5, ge=1, le=50)  # then the row is `failed`

    @field_validator("partnership_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (try Europe/London)") from exc
        return value

    @field_validator("support_office_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        parse_office_hours(value)
        return value

    @field_validator("support_office_closure")
    @classmethod
    def _office_closure(cls, value: str) -> str:
        parse_office_hours("08:00-18:00", value)
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.split(":", 1)[0].startswith(("sqlite", "postgres")):
            raise ValueError(
                "must start sqlite:/// or postgresql:// (e.g. sqlite:///partnership.db)"
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.partnership_timezone)

    @property
    def office(self) -> OfficeHours:
        """Learn Sheffield's working time, from SUPPORT_OFFICE_HOURS and SUPPORT_OFFICE_CLOSURE."""
        return parse_office_hours(self.support_office_hours, self.support_office_closure)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_credentials(self) -> bool:
        return bool(self.teams_client_id)

    def masked(self) -> dict[str, str | None]:
        """Settings as printable strings, secrets masked."""
        out: dict[str, str | None] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in SECRET_FIELDS and value:
                value = "****" + str(value)[-2:] if len(str(value)) > 8 else "****"
            elif name == "database_url" and value and "@" in str(value):
                scheme, rest = str(value).split("://", 1)
                creds, where = rest.rsplit("@", 1)
                user = creds.split(":", 1)[0]
                value = f"{scheme}://{user}:****@{where}" if ":" in creds else str(value)
            out[name] = None if value is None else str(value)
        return out


def load_settings(env_file: str | Path | None = ".env", **overrides: object) -> Settings:
    """Build settings once per process; turn pydantic's report into one clear line."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "setting"
        raise SettingsError(f"Bad setting {name}: {first['msg']}") from None
