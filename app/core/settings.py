"""Runtime configuration, read from the environment (and an optional `.env` file)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.applications import Starlette

DEFAULT_DATABASE_URL = "sqlite:///./var/tradestats.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the store: sqlite:///path or postgresql+psycopg://...",
    )
    database_read_url: str | None = Field(
        None,
        description="Optional Postgres replica for reads; writes and key checks use DATABASE_URL.",
    )
    host: str = Field("127.0.0.1", description="Interface uvicorn binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port uvicorn listens on.")
    cache_max_age: int = Field(
        60, ge=0, description="Seconds clients and proxies may reuse a GET answer."
    )
    cors_allow_origins: str = Field(
        "*", description="Comma-separated origins allowed to read the API from a browser."
    )
    page_limit_default: int = Field(100, ge=1, description="Rows per page when no limit is given.")
    page_limit_max: int = Field(
        1000, ge=1, le=1000, description="Largest `limit` a client may ask for (at most 1000)."
    )

    write_body_max_bytes: int = Field(
        5_000_000, ge=1, description="Largest JSON body POST /v1/observations accepts."
    )
    import_max_bytes: int = Field(
        200_000_000, ge=1, description="Largest CSV file POST /v1/imports accepts."
    )
    import_error_limit: int = Field(
        100, ge=1, description="Bad rows an import reports before it stops listing them."
    )

    response_cache_entries: int = Field(
        4096, ge=0, description="GET answers each worker keeps in memory (0 turns it off)."
    )
    response_cache_max_bytes: int = Field(
        1_000_000, ge=0, description="Largest answer the response cache keeps."
    )
    response_cache_total_bytes: int = Field(
        64_000_000,
        ge=0,
        description="Memory each worker's response cache may fill, in bytes (0 turns it off).",
    )
    database_pool_size: int = Field(
        10,
        ge=1,
        le=200,
        description="Requests one worker lets reach the database at once; its pool holds "
        "twice as many connections. The rest wait their turn.",
    )
    keep_alive_seconds: int = Field(
        75,
        ge=1,
        description="Seconds an idle client connection stays open. Longer than what clients "
        "and proxies keep (httpx 5 s, nginx 60 s), so that they close first: a server that "
        "closes first races clients that send on the connection at that moment.",
    )
    max_header_bytes: int = Field(
        65_536,
        ge=1024,
        description="Largest request head (request line and headers) a client may send; 431 "
        "past it.",
    )
    header_timeout_seconds: float = Field(
        20,
        gt=0,
        description="Seconds a client has to send a request's head, from its connection or "
        "its first byte; 408 and the connection closed past it.",
    )
    body_timeout_seconds: float = Field(
        30,
        gt=0,
        description="Seconds a write's body may pause between two chunks; 408 past it. A body "
        "is read before the write waits for the database, so a slow one holds no slot.",
    )
    max_connections: int = Field(
        2048,
        ge=1,
        description="Connections and requests one worker holds at once; a client past it gets 503.",
    )
    access_log: bool = Field(
        True, description="Log every request: method, path, status and duration."
    )

    write_rate_limit: str = Field(
        "120/minute",
        description="Writes one key may make per window, counted in the store across all "
        "workers and replicas (limits syntax, e.g. 120/minute).",
    )
    log_json: bool = Field(False, description="Log JSON lines instead of text.")
    opentelemetry: bool = Field(
        False,
        description="FastAPI's own OpenTelemetry spans, metrics and logs, sent to the "
        "providers the process configures. Off, no request pays for the check.",
    )

    @property
    def cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_allow_origins.split(",") if origin.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_of(app: Starlette) -> Settings:
    """The settings an application was created with."""
    found = app.state.settings
    assert isinstance(found, Settings)
    return found
