"""/dashboard: a country pair's trade on one page, built on the public API only.

The page is static: its own script calls the same `/v1/...` endpoints any client can.
Every asset is served by the app itself under a content-hashed name, gzip-compressed
once and cached by browsers for good: no CDN, no build step.

The charts use the plotly.js bundle that ships inside the `plotly` wheel. Under a strict
style policy (`style-src 'self'`) two of its start-up steps would add inline `<style>`
elements and be refused: plotly's own rules and MapLibre's (maps we never draw). Both skip
the step when the page already holds an element with the id they look for, so the page
carries those ids: plotly's rules arrive as a stylesheet built from the bundle itself,
MapLibre's id sits on an empty template.
"""

import gzip
import hashlib
import importlib.metadata
import logging
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.core.errors import NotFoundError
from app.http.representation import not_modified, precompressed

logger = logging.getLogger(__name__)

OWN_ASSETS = Path(__file__).parent / "static" / "dashboard"
ASSET_URL = "/dashboard/assets"
IMMUTABLE = "public, max-age=31536000, immutable"

# plotly's rules: a JS object of selector templates ("X .modebar": "...") in its bundle.
_PLOTLY_RULES = re.compile(r'\{"X,X div":.*?\};for\(', re.DOTALL)
_PLOTLY_RULE = re.compile(r'"([^"]+)":(?:\'([^\']*)\'|"([^"]*)")')
_INJECTED_STYLE_ID = re.compile(
    r'document\.getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str


def _asset(body: bytes, media_type: str) -> Asset:
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), media_type, f'"{digest}"')


def _hashed_name(stem: str, suffix: str, body: bytes) -> str:
    return f"{stem}-{hashlib.blake2b(body, digest_size=6).hexdigest()}{suffix}"


def plotly_bundle_path() -> Path:
    located = importlib.metadata.distribution("plotly").locate_file(
        "plotly/package_data/plotly.min.js"
    )
    return Path(str(located))


def plotly_stylesheet(bundle: str) -> str:
    """The rules plotly.js would add at start-up, as a stylesheet (its own expansion of
    X and Y), so that no inline style is needed."""
    found = _PLOTLY_RULES.search(bundle)
    if found is None:
        logger.warning("plotly.js bundle: style rules not found; charts lose some styling")
        return ""
    rules = []
    for selector, single, double in _PLOTLY_RULE.findall(found.group(0)):
        expanded = re.sub(r"^,", " ,", selector)
        expanded = expanded.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{expanded}{{{single or double}}}")
    return "\n".join(rules) + "\n"


@dataclass(frozen=True)
class Assets:
    by_name: dict[str, Asset]
    plotly_js: str
    plotly_css: str
    own_js: str
    own_css: str
    # Ids whose presence tells the bundle not to inject a <style> element.
    injected_style_ids: tuple[str, ...]


_BUILDING = threading.Lock()


def assets() -> Assets:
    """The page's assets, built once per process (about 0.3 s) by whichever request
    comes first; requests arriving meanwhile wait for that build instead of repeating it."""
    with _BUILDING:
        return _built_assets()


@cache
def _built_assets() -> Assets:
    bundle = plotly_bundle_path().read_bytes()
    text = bundle.decode("utf-8", errors="replace")
    stylesheet = plotly_stylesheet(text).encode()
    own_js = (OWN_ASSETS / "dashboard.js").read_bytes()
    own_css = (OWN_ASSETS / "dashboard.css").read_bytes()
    named = {
        _hashed_name("plotly", ".min.js", bundle): _asset(bundle, "text/javascript"),
        _hashed_name("plotly", ".css", stylesheet): _asset(stylesheet, "text/css"),
        _hashed_name("dashboard", ".js", own_js): _asset(own_js, "text/javascript"),
        _hashed_name("dashboard", ".css", own_css): _asset(own_css, "text/css"),
    }
    names = list(named)
    return Assets(
        by_name=named,
        plotly_js=names[0],
        plotly_css=names[1],
        own_js=names[2],
        own_css=names[3],
        injected_style_ids=tuple(dict.fromkeys(_INJECTED_STYLE_ID.findall(text))),
    )


def page_html() -> str:
    found = assets()
    guards = "\n".join(f'<template id="{i}"></template>' for i in found.injected_style_ids)
    return (
        (OWN_ASSETS / "dashboard.html")
        .read_text()
        .format(
            plotly_js=f"{ASSET_URL}/{found.plotly_js}",
            plotly_css=f"{ASSET_URL}/{found.plotly_css}",
            own_js=f"{ASSET_URL}/{found.own_js}",
            own_css=f"{ASSET_URL}/{found.own_css}",
            style_guards=guards,
        )
    )


@cache
def _page() -> tuple[bytes, str]:
    body = page_html().encode()
    return body, '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=307)


@router.get("/dashboard")
async def dashboard(request: Request) -> Response:
    """The page; its query (a, b, period) is read by the page's script, not here."""
    # The first call reads and compresses the bundle (about a second): not on the loop.
    body, etag = await run_in_threadpool(_page)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    return not_modified(request, headers) or HTMLResponse(body, headers=headers)


@router.get(ASSET_URL + "/{name}")
async def asset(request: Request, name: str) -> Response:
    found = (await run_in_threadpool(assets)).by_name.get(name)
    if found is None:
        raise NotFoundError(
            f"No dashboard asset is named '{name[:80]}'. The page names its assets; "
            "open /dashboard."
        )
    headers = {"ETag": found.etag, "Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}
    return not_modified(request, headers) or precompressed(
        request, found.body, found.gzipped, found.media_type, headers
    )


def install(app: FastAPI) -> None:
    app.include_router(router)
