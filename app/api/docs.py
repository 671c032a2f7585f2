"""/docs (Swagger UI) and /redoc, served whole by the API: no CDN, nothing from outside.

The Swagger UI and ReDoc bundles are the ones the fastapi-offline package ships; the
pages and the Swagger UI set-up script are ours, so no script runs inline.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.http.representation import not_modified

VENDOR_ASSETS = Path(fastapi_offline.__file__).parent / "static"
# Only the docs pages' own assets: the dashboard's sources beside them are not files to serve.
OWN_ASSETS = Path(__file__).parent / "static" / "docs"
VENDOR_URL = "/static/vendor"
OWN_URL = "/static/docs"
REDOC_URL = "/static/redoc/redoc.standalone.js"
# ReDoc's side menu shows a logo fetched from Redocly's CDN, with no option to turn it
# off; the copy served here shows our favicon instead.
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"

router = APIRouter(include_in_schema=False)

_SWAGGER_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tradestats API: interactive documentation</title>
<link rel="icon" type="image/png" href="{VENDOR_URL}/favicon.png">
<link rel="stylesheet" href="{VENDOR_URL}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{VENDOR_URL}/swagger-ui-bundle.js"></script>
<script src="{OWN_URL}/swagger-init.js"></script>
</body>
</html>
"""

_REDOC_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tradestats API: reference</title>
<link rel="icon" type="image/png" href="{VENDOR_URL}/favicon.png">
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="{REDOC_URL}"></script>
</body>
</html>
"""


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER_PAGE)


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return HTMLResponse(_REDOC_PAGE)


@lru_cache(maxsize=1)
def _redoc_bundle() -> tuple[bytes, str]:
    bundle = (VENDOR_ASSETS / "redoc.standalone.js").read_bytes()
    bundle = bundle.replace(REDOC_CDN_LOGO, f"{VENDOR_URL}/favicon.png".encode())
    return bundle, '"' + hashlib.blake2b(bundle, digest_size=16).hexdigest() + '"'


@router.get(REDOC_URL)
async def redoc_bundle(request: Request) -> Response:
    bundle, etag = _redoc_bundle()
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    return not_modified(request, headers) or Response(
        bundle, media_type="text/javascript", headers=headers
    )


def install(app: FastAPI) -> None:
    """The two pages and their assets; FastAPI's own CDN-based pages are off."""
    app.mount(VENDOR_URL, StaticFiles(directory=VENDOR_ASSETS), name="docs-vendor")
    app.mount(OWN_URL, StaticFiles(directory=OWN_ASSETS), name="docs-own")
    app.include_router(router)
