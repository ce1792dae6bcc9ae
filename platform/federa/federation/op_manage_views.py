"""Connected applications: registered by a network's admins or the platform admin; consents on the profile."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts.services import require_platform_admin
from federa.errors import Invalid
from federa.federation import op_queries, op_services
from federa.federation.op_claims import SCOPE_LABELS, SCOPES
from federa.federation.op_models import OAuthClient
from federa.federation.op_schemas import ClientIn
from federa.networks.access import Access
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, act, render, require_person


async def _scope(request: Request) -> tuple[Access | None, str]:
    """The network's admin standing (None on the platform pages) and the pages' base path."""
    if "slug" in request.path_params:
        access = await access_of(request)
        access.require_admin()
        return access, f"/n/{access.network.slug}/manage/apps"
    require_platform_admin(require_person(request))
    return None, "/admin/apps"


async def _page(request: Request, access: Access | None, base: str, *, form: dict | None = None,
                errors: dict | None = None, created: tuple[OAuthClient, str] | None = None,
                status: int = 200) -> Response:
    rows = await op_queries.clients_of(access.network if access else None)
    return render(request, "federation/op/apps.html", {
        "rows": rows, "apps_base": base, "access": access, "form": form or {"scopes": ["openid", "profile", "email"]},
        "errors": errors or {}, "created": created, "scopes": SCOPES, "scope_labels": SCOPE_LABELS,
        "issuer": request.app.state.settings.base_url}, status=status)


async def apps(request: Request) -> Response:
    access, base = await _scope(request)
    if request.method == "GET":
        return await _page(request, access, base)
    data = await read_form(request, multi=("scopes",))
    try:
        client, secret = await op_services.register_client(access, validate(ClientIn, data),
                                                           actor=require_person(request))
    except Invalid as exc:
        return await _page(request, access, base, form=data, errors=exc.fields, status=422)
    # The secret is shown on this answer only: it is not stored, so a reload cannot show it again.
    return await _page(request, access, base, created=(client, secret))


async def rotate(request: Request) -> Response:
    access, base = await _scope(request)
    await read_form(request)
    client, secret = await op_services.rotate_secret(access, request.path_params["client_pk"],
                                                     actor=require_person(request))
    return await _page(request, access, base, created=(client, secret))


async def delete(request: Request) -> Response:
    access, base = await _scope(request)
    await read_form(request)
    return await act(request, op_services.delete_client(access, request.path_params["client_pk"],
                                                        actor=require_person(request)),
                     done=_("Application removed."), then=base)


async def my_apps(request: Request) -> Response:
    person = require_person(request)
    return render(request, "federation/op/my_apps.html", {
        "consents": await op_queries.consents_of(person), "scope_labels": SCOPE_LABELS})


async def my_app_revoke(request: Request) -> Response:
    person = require_person(request)
    await read_form(request)
    return await act(request, op_services.revoke_consent(person, request.path_params["consent_id"]),
                     done=_("Access withdrawn."), then="/me/apps")


routes = [  # under /n/{slug}
    Route("/manage/apps", apps, methods=["GET", "POST"], name="network_apps"),
    Route("/manage/apps/{client_pk:int}/rotate", rotate, methods=["POST"], name="network_app_rotate"),
    Route("/manage/apps/{client_pk:int}/delete", delete, methods=["POST"], name="network_app_delete"),
]
account_routes = [
    Route("/admin/apps", apps, methods=["GET", "POST"], name="admin_apps"),
    Route("/admin/apps/{client_pk:int}/rotate", rotate, methods=["POST"], name="admin_app_rotate"),
    Route("/admin/apps/{client_pk:int}/delete", delete, methods=["POST"], name="admin_app_delete"),
    Route("/me/apps", my_apps, name="my_apps"),
    Route("/me/apps/{consent_id:int}/revoke", my_app_revoke, methods=["POST"], name="my_app_revoke"),
]
