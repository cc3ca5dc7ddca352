"""The FastAPI application of the web viewer: thin routes over `samestory.web.queries.Viewer`.

Pages are rendered on the server (Jinja2, autoescaped: every article field is untrusted) and work without
JavaScript; two small scripts only highlight and link. Every response carries a Content-Security-Policy that
allows scripts from this server alone, so markup that slipped into a page could not run. Only GET routes
exist: the viewer has no write path.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samestory.errors import SamestoryError
from samestory.report.html import SCRIPT_PATH, paragraphs, show_controls, to_html_body
from samestory.web.queries import MAX_LIMIT, MAX_QUERY, SORTS, NotFound, StoryFilter, Viewer
from samestory.web.timeline import timeline

_HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,  # always, whatever the template's extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=show_controls,
    )
    env.filters["when"] = _when
    env.filters["figures"] = _figures
    # an id as one path segment: "/" and ".." encoded too, so a link never leaves /story/ or /article/
    env.filters["idpath"] = lambda value: quote(str(value), safe="")
    return env


def _when(dt: datetime | None) -> str:
    """A publication time in UTC, to the minute (naive times are UTC, as everywhere in samestory)."""
    if dt is None:
        return "—"
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _figures(details: dict[str, Any]) -> str:
    """Evidence figures as one line ("jaccard 0.77 · containment_ab 0.91")."""
    return " · ".join(
        f"{k} {v:.2f}" if isinstance(v, int | float) else f"{k} {v}" for k, v in details.items()
    )


def _render(template: str, **context: Any) -> bytes:
    return _env().get_template(template).render(**context).encode("utf-8")


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_render(template, **context), status_code=status)


def _json_body(data: dict[str, Any]) -> bytes:
    """JSON of plain data, encoded as `JSONResponse` does."""
    return bytes(JSONResponse(data).body)


def _date(value: str, name: str, *, end: bool = False) -> datetime | None:
    """A date filter; ``end``: a bare day (2021-03-01) includes that whole day."""
    if not value:
        return None
    try:
        got = datetime.fromisoformat(value)
    except ValueError:
        raise SamestoryError(f"{name} must be a date such as 2021-03-01, got {value[:40]!r}") from None
    return got + timedelta(days=1) if end and len(value) == 10 else got


class _Headers:
    """ASGI middleware: the security headers, and the server's time on the request (``Server-Timing``, read
    by benchmarks/web_load.py and browser dev tools)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, sending)


def create_app(db_path: str | Path, *, encoder: str = "auto") -> FastAPI:
    """The viewer over the store at ``db_path`` (opened read-only; the file must exist).

    ``encoder``: the encoder `/compare` aligns with (as `samestory compare --encoder`).
    """
    viewer = Viewer(str(db_path), encoder=encoder)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # before the server takes its first connection: the story list, the templates, the comparing code
        viewer.warm()
        for name in _HERE.joinpath("templates").glob("*.j2"):
            _env().get_template(name.name)
        import samestory.claims_store
        import samestory.comparison
        import samestory.corpus.features  # noqa: F401  (a story page reads its members' features)

        yield

    app = FastAPI(
        title="samestory viewer", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )

    def cached_html(key: tuple[object, ...], make: Callable[[], bytes]) -> HTMLResponse:
        return HTMLResponse(viewer.body(key, make))

    def cached_json(key: tuple[object, ...], make: Callable[[], bytes]) -> Response:
        return Response(viewer.body(key, make), media_type="application/json")

    app.add_middleware(_Headers)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "not found" if exc.status_code == 404 else str(exc.detail)
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=exc.status_code)
        return _page("error.html.j2", exc.status_code, title=str(exc.status_code), message=message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        message = f"bad query ({problems})"
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=422)
        return _page("error.html.j2", 422, title="cannot show this", message=message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=404)
        return _page("error.html.j2", 404, title="not found", message=str(exc))

    @app.exception_handler(SamestoryError)
    async def bad_request(request: Request, exc: SamestoryError) -> Response:
        if wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return _page("error.html.j2", 400, title="cannot show this", message=str(exc))

    def story_filter(
        q: str, since: str, until: str, source: str, lang: str, min_size: int, max_size: int, sort: str,
        limit: int, offset: int,
    ) -> StoryFilter:  # fmt: skip
        return StoryFilter(
            q=q,
            since=_date(since, "since"),
            until=_date(until, "until", end=True),
            source=source,
            lang=lang,
            min_size=min_size,
            max_size=max_size,
            sort=sort,
            limit=limit,
            offset=offset,
        ).clamped()

    # a new Query per parameter: FastAPI keeps the parameter's name on it
    def text() -> Any:
        return Query("", max_length=MAX_QUERY)

    def short() -> Any:
        return Query("", max_length=64)

    @app.get("/", response_class=HTMLResponse)
    def stories_page(
        q: str = text(), since: str = short(), until: str = short(), source: str = text(), lang: str = short(),
        min_size: int = 1, max_size: int = 0, sort: str = "size", limit: int = 50, offset: int = 0,
    ) -> HTMLResponse:  # fmt: skip
        f = story_filter(q, since, until, source, lang, min_size, max_size, sort, limit, offset)

        def make() -> bytes:
            page = viewer.stories(f)
            cat = viewer.catalog()
            return _render(
                "stories.html.j2",
                f=f,
                page=page,
                sources=cat.sources,
                langs=cat.langs,
                sorts=SORTS,
                since=since,
                until=until,
                stories_total=len(cat.rows),
            )

        return cached_html(("/", f, since, until), make)

    @app.get("/api/stories")
    def stories_api(
        q: str = text(), since: str = short(), until: str = short(), source: str = text(), lang: str = short(),
        min_size: int = 1, max_size: int = 0, sort: str = "size", limit: int = 50, offset: int = 0,
    ) -> Response:  # fmt: skip
        f = story_filter(q, since, until, source, lang, min_size, max_size, sort, limit, offset)

        def make() -> bytes:
            page = viewer.stories(f)
            return _json_body(
                {
                    "total": page.total,
                    "limit": f.limit,
                    "offset": f.offset,
                    "max_limit": MAX_LIMIT,
                    "notes": list(page.notes),
                    "stories": [r.to_dict() for r in page.rows],
                }
            )

        return cached_json(("/api/stories", f), make)

    @app.get("/story/{story_id:path}", response_class=HTMLResponse)
    def story_page(story_id: str) -> HTMLResponse:
        def make() -> bytes:
            story = viewer.story(story_id)
            claims = viewer.claims(story)
            return _render(
                "story.html.j2",
                story=story,
                claims=claims,
                tl=timeline(story),
                short={v.id: f"v{k + 1}" for k, v in enumerate(claims.versions)},
            )

        return cached_html(("/story", story_id), make)

    @app.get("/api/story/{story_id:path}")
    def story_api(story_id: str) -> Response:
        def make() -> bytes:
            story = viewer.story(story_id)
            return _json_body({**story.to_dict(), "claims": viewer.claims(story).to_dict()})

        return cached_json(("/api/story", story_id), make)

    @app.get("/article/{article_id:path}", response_class=HTMLResponse)
    def article_page(article_id: str) -> HTMLResponse:
        def make() -> bytes:
            article, full = viewer.article(article_id)
            return _render(
                "article.html.j2",
                a=article,
                full=full,
                paras=paragraphs(article),
                story_id=viewer.story_id_of(article.id),
            )

        return cached_html(("/article", article_id), make)

    @app.get("/api/article/{article_id:path}")
    def article_api(article_id: str) -> Response:
        def make() -> bytes:
            a, full = viewer.article(article_id)
            return _json_body(
                {
                    "id": a.id,
                    "title": a.title,
                    "lang": a.lang,
                    "source": a.source,
                    "url": a.url,
                    "published": a.published.isoformat() if a.published else None,
                    "text": a.text,
                    "debris": [{"start": d.start, "end": d.end, "kind": d.kind} for d in a.debris],
                    "full_text": full,
                    "story_id": viewer.story_id_of(a.id),
                }
            )

        return cached_json(("/api/article", article_id), make)

    def ids() -> Any:
        return Query(..., min_length=1, max_length=512)

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(a: str = ids(), b: str = ids()) -> HTMLResponse:
        def make() -> bytes:
            c = viewer.compare(a, b)
            return _render("compare.html.j2", c=c, report=Markup(to_html_body(c)))

        return cached_html(("/compare", a, b), make)

    @app.get("/api/compare")
    def compare_api(a: str = ids(), b: str = ids()) -> Response:
        from samestory.report.json_report import to_json

        return cached_json(("/api/compare", a, b), lambda: to_json(viewer.compare(a, b)).encode("utf-8"))

    @app.get("/static/compare.js")
    def compare_script() -> FileResponse:
        return FileResponse(SCRIPT_PATH, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")  # after compare.js
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process of `samestory serve --workers N` (uvicorn calls this in each): the store
    and encoder named by the environment variables `samestory.web.DB_ENV` and `samestory.web.ENCODER_ENV`."""
    from samestory.web import DB_ENV, ENCODER_ENV

    return create_app(os.environ[DB_ENV], encoder=os.environ.get(ENCODER_ENV, "auto"))
