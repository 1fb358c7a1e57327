"""The workbench application: routes, sessions, authentication and the headers on every response."""
from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from core.errors import UserError
from dulun.web import pages
from dulun.web.context import Workbench
from dulun.web.security import HEADERS, csrf_ok, is_loopback, proxy_user, verify_password
from pipeline.digest.charts import compare_bar, sparkline
from pipeline.digest.render import fmt_change, fmt_number, fmt_when, safe_url

HERE = Path(__file__).resolve().parent
PUBLIC_PATHS = ("/login", "/static/")
SESSION_HOURS = 12


class _HttpMiddleware:
    """Pure ASGI middleware that acts on HTTP requests only (`handle`) and passes the rest on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)


class SecurityHeaders(_HttpMiddleware):
    """The security headers and the server's own time (Server-Timing) on every response."""

    async def handle(self, scope, receive, send):
        started = time.perf_counter()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                headers.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()))
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequireUser(_HttpMiddleware):
    """Who is asking (the local analyst, a logged-in user, or the user a trusted proxy vouches
    for); everyone else is sent to the login page or refused."""

    async def handle(self, scope, receive, send):
        request = Request(scope)
        workbench: Workbench = scope["app"].state.workbench
        auth = workbench.auth
        if auth.mode == "proxy":
            user = proxy_user(auth, request.client.host if request.client else None, request.headers)
        elif auth.mode == "users":
            user = scope["session"].get("user")
            if user is not None and user not in auth.users:
                user = None  # removed since login
        else:
            user = "local"
        scope.setdefault("state", {})["user"] = user
        if user is None and not scope["path"].startswith(PUBLIC_PATHS):
            if auth.mode == "proxy":
                response: Response = PlainTextResponse("403: chỉ truy cập qua proxy xác thực đã cấu hình.", 403)
            else:
                target = scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
                response = RedirectResponse("/login?" + urllib.parse.urlencode({"next": target}), 303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_page(request: Request) -> Response:
    workbench: Workbench = request.app.state.workbench
    if workbench.auth.mode != "users":
        return RedirectResponse("/", 303)
    return pages.render(request, "login.html.j2", next=_safe_next(request.query_params.get("next")), error=None)


async def login(request: Request) -> Response:
    workbench: Workbench = request.app.state.workbench
    if workbench.auth.mode != "users":
        return RedirectResponse("/", 303)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        raise HTTPException(403, "Thiếu hoặc sai mã chống giả mạo (CSRF); tải lại trang rồi thử lại.")
    name, password = str(form.get("user", ""))[:64], str(form.get("password", ""))[:256]
    client = request.client.host if request.client else "?"
    target = _safe_next(str(form.get("next", "/")))
    wait = workbench.limiter.wait_s(client, name)
    if wait > 0:
        return pages.render(request, "login.html.j2", status_code=429, next=target,
                            error=f"Quá nhiều lần đăng nhập sai; hãy thử lại sau {int(wait // 60) + 1} phút.")
    stored = workbench.auth.users.get(name)
    if stored is None or not verify_password(password, stored):
        workbench.limiter.failed(client, name)
        return pages.render(request, "login.html.j2", status_code=401, next=target,
                            error="Sai tên đăng nhập hoặc mật khẩu.")
    workbench.limiter.succeeded(client, name)
    request.session.clear()  # a new session on login: no fixation
    request.session["user"] = name
    return RedirectResponse(target, 303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        raise HTTPException(403, "Thiếu hoặc sai mã chống giả mạo (CSRF).")
    request.session.clear()
    return RedirectResponse("/login" if request.app.state.workbench.auth.mode == "users" else "/", 303)


async def error_page(request: Request, exc: HTTPException) -> Response:
    if request.scope.get("state", {}).get("user") is None and request.app.state.workbench.auth.mode != "none":
        return PlainTextResponse(f"{exc.status_code}: {exc.detail}", exc.status_code)
    return pages.render(request, "error.html.j2", status_code=exc.status_code, status=exc.status_code, message=exc.detail)


async def busy_page(request: Request, exc: UserError) -> Response:
    """The database stayed busy longer than web.page_wait_s (or is missing): say so, in a page."""
    return pages.render(request, "error.html.j2", status_code=503, status=503, message=str(exc))


def templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=fmt_number, change=fmt_change, when=fmt_when, safe_url=safe_url, vn_time=_vn_time,
                       quote=lambda v: urllib.parse.quote(str(v), safe=""))
    env.globals.update(sparkline=sparkline, compare_bar=compare_bar, url=pages.url)
    return Jinja2Templates(env=env)


def _vn_time(value) -> str:
    """A stored instant as Vietnamese readers write it, in Asia/Ho_Chi_Minh: 19/11/2026 10:50."""
    import pandas as pd

    from core.timeutil import VN

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return pd.Timestamp(value).tz_convert(VN).strftime("%d/%m/%Y %H:%M") if pd.Timestamp(value).tzinfo else \
        pd.Timestamp(value).strftime("%d/%m/%Y %H:%M")


def create_app(workbench: Workbench, session_secret: str, bound_host: str) -> Starlette:
    routes = [
        Route("/", pages.today),
        Route("/hotspots", pages.hotspots),
        Route("/hotspots/cell", pages.hotspot_cell),
        Route("/hotspots/cell/phrases", pages.hotspot_phrases),
        Route("/map", pages.map_page),
        Route("/search", pages.search),
        Route("/story/{story_id}", pages.story),
        Route("/doc/{doc_id}", pages.document),
        Route("/doc/{doc_id}/label", pages.correct, methods=["POST"]),
        Route("/issues", pages.issues),
        Route("/issues/review", pages.role_review),
        Route("/issue/{thread_id}", pages.issue),
        Route("/issue/{thread_id}/role", pages.correct_role, methods=["POST"]),
        Route("/sources", pages.sources),
        Route("/alerts", pages.alerts),
        Route("/review", pages.review),
        Route("/login", login_page),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if is_loopback(bound_host):  # a page on another site cannot reach us through DNS rebinding
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"]))
    middleware += [
        Middleware(SessionMiddleware, secret_key=session_secret, session_cookie="dulun_session",
                   max_age=SESSION_HOURS * 3600, same_site="strict", https_only=workbench.secure_cookies),
        Middleware(RequireUser),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: error_page, UserError: busy_page})
    app.state.workbench = workbench
    app.state.templates = templates()
    return app
