"""create_app(settings) -> Starlette: middleware, the one mount table, and the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from federa import db
from federa.accounts import api as accounts_api
from federa.accounts import views as accounts_views
from federa.events import api as events_api
from federa.events import attendance_api, attendance_views, calendar_api, calendar_views, reminders
from federa.events import views as events_views
from federa.federation import op_views, rp_views
from federa.groups import api as groups_api
from federa.groups import digests, discussion_api, discussion_views
from federa.groups import views as groups_views
from federa.library import api as library_api
from federa.library import views as library_views
from federa.library.body_limit import BodyLimitMiddleware
from federa.networks import admin_views, coop_views, manage_views, public_views, transfer_views
from federa.networks import api as networks_api
from federa.notifications import outbox
from federa.notifications import views as notification_views
from federa.notifications.courier import Courier
from federa.search import api as search_api
from federa.search import views as search_views
from federa.settings import Settings
from federa.tenancy import TenancyMiddleware
from federa.web import errors, health, openapi
from federa.web.identity import IdentityMiddleware
from federa.web.middleware import CsrfSeedMiddleware, LocaleMiddleware, MachineEndpoints, SecurityHeadersMiddleware
from federa.web.templating import make_environment, make_templates

log = logging.getLogger("federa.app")


def routes(settings: Settings) -> list:
    api_routes: list[BaseRoute] = [*accounts_api.routes, *networks_api.routes, *events_api.routes,
                                   *attendance_api.routes, *calendar_api.routes, *groups_api.routes,
                                   *discussion_api.routes, *library_api.routes, *search_api.routes]
    return [
        Mount("/static", StaticFiles(directory=settings.static_dir), name="static"),
        *health.routes,
        Mount("/api/v1", routes=[*api_routes, *openapi.routes(api_routes)]),
        Mount("/n/{slug}", routes=[*public_views.routes, *manage_views.routes, *transfer_views.routes,
                                   *events_views.routes, *attendance_views.routes, *calendar_views.routes,
                                   *groups_views.routes, *discussion_views.routes, *library_views.routes,
                                   *search_views.routes, *rp_views.routes, *op_views.routes]),
        *accounts_views.routes,
        *events_views.account_routes,
        *attendance_views.account_routes,
        *calendar_views.account_routes,
        *coop_views.routes,
        *admin_views.routes,
        *notification_views.routes,
        *groups_views.account_routes,
        *discussion_views.account_routes,
        *library_views.account_routes,
        *search_views.account_routes,
        *rp_views.account_routes,
        *op_views.account_routes,
    ]


def create_app(settings: Settings | None = None, *, own_database: bool = True) -> Starlette:
    """Build the web app. Tests pass own_database=False and manage the ORM themselves."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if own_database:
            await db.open_database(settings.database_url)
        courier = Courier.from_settings(settings)
        app.state.courier = courier
        background: list[asyncio.Task] = []
        pool = None
        if settings.redis_url:
            pool = outbox.connect_queue(settings.redis_url)
            outbox.set_dispatcher(outbox.ArqDispatcher(pool))
        elif settings.run_drainer:
            dispatcher = outbox.EmbeddedDispatcher()
            outbox.set_dispatcher(dispatcher)
            background.append(asyncio.create_task(courier.run_embedded(dispatcher)))
            dispatcher.wake.set()  # deliver whatever was left from before a restart
            # No arq cron without Redis: the reminders' sweep runs here too (exactly once even with
            # several web processes: the database's unique key decides).
            background.append(asyncio.create_task(reminders.run_embedded()))
            background.append(asyncio.create_task(digests.run_embedded()))
        app.state.redis = pool
        try:
            yield
        finally:
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if pool is not None:
                await pool.aclose()
            outbox.set_dispatcher(outbox.ManualDispatcher())
            if own_database:
                await db.close_database()

    middleware = [
        Middleware(SecurityHeadersMiddleware, production=settings.production),
        # The body limit sits inside the security headers, so its 413 answers carry them too.
        # (the library's upload form gets a larger cap here: the CSRF check reads its body before routing)
        Middleware(BodyLimitMiddleware, max_body_size=settings.max_body_size),
        # The OpenID endpoints other servers call skip sessions, CSRF, tenancy, identity and locale.
        Middleware(MachineEndpoints, routes=op_views.machine_routes, hosts=settings.network_hosts,
                   handlers={k: v for k, v in errors.handlers.items() if k is not Exception}),
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="federa_session",
                   same_site="lax", https_only=settings.production, max_age=14 * 24 * 3600),
        Middleware(CsrfSeedMiddleware),
        Middleware(TenancyMiddleware, hosts=settings.network_hosts),
        Middleware(IdentityMiddleware),
        Middleware(LocaleMiddleware),
    ]
    app = Starlette(routes=routes(settings), middleware=middleware, lifespan=lifespan,
                    exception_handlers=errors.handlers)  # type: ignore[arg-type]
    app.state.settings = settings
    app.state.templates = make_templates(make_environment(settings.templates_dir))
    return app
