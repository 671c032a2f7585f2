"""Security headers on every answer."""

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The docs pages load only what the API serves itself. Swagger UI and ReDoc set styles
# at run time (style attributes, generated <style>), hence 'unsafe-inline' for styles
# alone; ReDoc runs its search in a worker made from a blob.
DOCS_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "connect-src 'self'; img-src 'self' data:; font-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
)
# The dashboard holds to 'self' for everything: its styles are files, its charts'
# inline-style steps are turned off (see app.api.dashboard).
DASHBOARD_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "connect-src 'self'; img-src 'self'; font-src 'self'; script-src 'self'; style-src 'self'"
)
_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"cross-origin"),
]
_API_HEADERS = (*_COMMON, (b"content-security-policy", API_POLICY.encode()))
_DOCS_HEADERS = (*_COMMON, (b"content-security-policy", DOCS_POLICY.encode()))
_DASHBOARD_HEADERS = (*_COMMON, (b"content-security-policy", DASHBOARD_POLICY.encode()))
_DOCS_PATHS = ("/docs", "/redoc")


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer to `path` carries (added by `app.edge.Edge`)."""
    if path.startswith("/dashboard"):
        return _DASHBOARD_HEADERS
    return _DOCS_HEADERS if path.startswith(_DOCS_PATHS) else _API_HEADERS
