"""Walk a running production server the way an officer's browser does (scripts/check_production.sh).

Usage: production_smoke.py PORT HOST USERNAME PASSWORD

Talks plain HTTP to gunicorn on 127.0.0.1:PORT but presents itself as nginx would: the public
host name and `X-Forwarded-Proto: https`. Logs in through the real login form (CSRF token,
second-factor enrolment with a TOTP code computed here), opens the main pages and every static
file they reference, and fails loudly at the first answer that is not what production must give.
Standard library only: the check needs nothing but the venv's Python.
"""

import base64
import hashlib
import hmac
import html
import http.client
import re
import struct
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

HASHED_STATIC = re.compile(r"/static/[^\"'?#\s]+\.[0-9a-f]{12}\.[a-z0-9]+")
STATIC_REF = re.compile(r"""(?:href|src)=["'](/static/[^"'?#]+)""")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTP_SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')


class Failure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def totp(secret_b32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code for a base32 secret (what the officer's authenticator app shows)."""
    secret = secret_b32.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class Browser:
    """Just enough of a browser: cookies (Secure ones included: nginx ends TLS), redirects."""

    def __init__(self, port: int, host: str):
        self.port = port
        self.host = host
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, extra: dict | None = None):
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-hans",
            "User-Agent": "casebook-production-check",
            **(extra or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response, content

    def get(self, path: str, *, follow: bool = True):
        response, content = self.request("GET", path)
        return self._follow(response, content) if follow else (response, content, path)

    def post(self, path: str, form: dict):
        response, content = self.request("POST", path, form)
        return self._follow(response, content)

    def _follow(self, response, content, hops: int = 5):
        path = None
        while response.status in (301, 302, 303) and hops:
            location = urlsplit(response.headers["Location"])
            check(
                location.netloc in ("", self.host),
                f"redirect off site: {response.headers['Location']}",
            )
            check(location.scheme in ("", "https"), f"redirect to {response.headers['Location']}")
            path = location.path + (f"?{location.query}" if location.query else "")
            response, content = self.request("GET", path)
            hops -= 1
        return response, content, path


def csrf_token(page: bytes) -> str:
    match = CSRF_INPUT.search(page.decode())
    check(match is not None, "no CSRF token in the form")
    return html.unescape(match.group(1))


def log_in(browser: Browser, username: str, password: str) -> None:
    response, page, _ = browser.get("/accounts/login/")
    check(response.status == 200, f"login page answered {response.status}")
    check_static(browser, page, "/accounts/login/")
    response, page, path = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": username, "password": password},
    )
    check(response.status == 200, f"login answered {response.status}")
    check(path is not None and path.startswith("/accounts/login/enrol/"), f"login went to {path}")
    # An administrator must enrol a second factor before the first session (SECURITY.md S1).
    secret = TOTP_SECRET.search(page.decode())
    check(secret is not None, "the enrolment page shows no key")
    response, page, path = browser.post(
        path, {"csrfmiddlewaretoken": csrf_token(page), "token": totp(secret.group(1))}
    )
    check(response.status == 200, f"enrolment answered {response.status}")
    check(path == "/", f"after enrolment the browser is at {path}, not the home page")


checked_static: set[str] = set()


def check_static(browser: Browser, page: bytes, where: str) -> None:
    """Every static file a page names is hashed (manifest) and served with long caching."""
    references = set(STATIC_REF.findall(page.decode()))
    check(references, f"{where} references no static file")
    for ref in sorted(references):
        check(HASHED_STATIC.fullmatch(ref) is not None, f"{where}: {ref} is not a hashed name")
        if ref in checked_static:
            continue
        response, content, _ = browser.get(ref, follow=False)
        check(response.status == 200, f"{ref} answered {response.status}")
        check(len(content) > 0, f"{ref} is empty")
        check(
            "max-age=315360000" in (response.headers.get("Cache-Control") or ""),
            f"{ref} is not cached for long: {response.headers.get('Cache-Control')}",
        )
        checked_static.add(ref)


def check_gzip(browser: Browser, path: str) -> None:
    """Asked with Accept-Encoding: gzip, the answer is compressed and decompresses to the same
    bytes as the plain answer (static files: WhiteNoise's pre-compressed copy; pages: the GZip
    middleware)."""
    import gzip

    response, content = browser.request("GET", path, extra={"Accept-Encoding": "gzip"})
    check(response.status == 200, f"{path} (gzip) answered {response.status}")
    check(
        response.headers.get("Content-Encoding") == "gzip",
        f"{path} is not compressed: Content-Encoding {response.headers.get('Content-Encoding')}",
    )
    check("Accept-Encoding" in (response.headers.get("Vary") or ""), f"{path}: no Vary")
    text = gzip.decompress(content)
    check(len(content) < len(text), f"{path}: the compressed answer is not smaller")
    if path.startswith("/static/"):
        _, plain = browser.request("GET", path)
        check(text == plain, f"{path}: the compressed copy differs from the file")
    else:
        check(b"<html" in text, f"{path}: the compressed answer is not the page")
    print(f"  {path}: gzip, {len(text)} -> {len(content)} bytes")


def main(port: str, host: str, username: str, password: str) -> None:
    browser = Browser(int(port), host)

    # The database answers; the job worker and scheduler are not started by this check, so
    # "degraded" (their missing heartbeats) is expected where the health check looks for them.
    response, content, _ = browser.get("/healthz")
    status = content.decode().split("\n", 1)[0]
    check(
        (response.status, status) in {(200, "ok"), (503, "degraded")},
        f"/healthz answered {response.status}: {content.decode()!r}",
    )
    response, _, _ = browser.get("/", follow=False)
    check(response.status == 302, f"anonymous home answered {response.status}")
    check("/accounts/login/" in response.headers["Location"], "anonymous home is not a login")
    check(
        "max-age=" in (response.headers.get("Strict-Transport-Security") or ""),
        "no HSTS header",
    )

    log_in(browser, username, password)
    for path in ("/", "/organisation/", "/accounts/users/", "/accounts/profile/", "/api/docs/"):
        response, page, final = browser.get(path)
        check(response.status == 200, f"{path} answered {response.status}")
        check(final is None, f"{path} redirected to {final}")
        if not path.startswith("/api/docs/"):  # Swagger UI needs its inline script
            check(bool(response.headers.get("Content-Security-Policy")), f"{path}: no CSP")
        check_static(browser, page, path)
        print(f"  {path}: 200, static files hashed and served")

    check_gzip(browser, "/")
    stylesheet = sorted(ref for ref in checked_static if ref.endswith(".css"))
    check(bool(stylesheet), "no stylesheet among the static files")
    check_gzip(browser, stylesheet[0])

    response, _, _ = browser.get("/static/vendor/leaflet/leaflet.js.map", follow=False)
    check(response.status == 404, "a source map that is not shipped answers 404")
    print(f"  {len(checked_static)} static files answered 200")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:])
    except Failure as failure:
        print(f"production check FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
