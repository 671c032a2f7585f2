"""The framework's ceiling: a bare FastAPI app answering a constant JSON, no middleware.

Served by uvicorn exactly as `tradestats serve` serves the API (app.cli.uvicorn_options,
app.core.serving), so that every benchmark figure is a ratio to what FastAPI and uvicorn
themselves allow on the same machine in the same run.
"""

import sys

from fastapi import FastAPI

from app.cli import uvicorn_options
from app.core.serving import serve
from app.core.settings import get_settings

PATH = "/constant"


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get(PATH)
    async def constant() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    serve("bench.bare:create_app", **uvicorn_options(get_settings(), workers))


if __name__ == "__main__":
    main()
