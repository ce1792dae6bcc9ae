"""The network admin's pages for its identity providers: list, add, edit, enable or disable, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.errors import Invalid, NotFound
from federa.federation import rp_services
from federa.federation.discovery import FetchPolicy
from federa.federation.rp_models import IdentityProvider
from federa.federation.rp_queries import access_provider, list_providers, network_cooperatives
from federa.federation.rp_schemas import ProviderIn, form_data, form_values
from federa.networks.access import Access
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, act, flash, redirect, render

_SENSITIVE = ("client_secret",)


def _base(access: Access) -> str:
    return f"/n/{access.network.slug}/manage/identity-providers"


def _callback(request: Request, access: Access, provider: IdentityProvider | None) -> str:
    tail = str(provider.id) if provider else "<id>"
    return f"{request.app.state.settings.base_url}/n/{access.network.slug}/signin/oidc/{tail}/callback"


async def providers_list(request: Request) -> Response:
    access = await access_of(request)
    access.require_admin()
    return render(request, "federation/rp/manage_list.html", {
        "access": access, "providers": await list_providers(access.network), "base": _base(access)})


async def _form_page(request: Request, access: Access, provider: IdentityProvider | None, form: dict[str, Any],
                     errors: dict[str, str], status: int = 200) -> Response:
    coops = await network_cooperatives(access.network)
    return render(request, "federation/rp/manage_form.html", {
        "access": access, "provider": provider, "form": form, "errors": errors, "base": _base(access),
        "cooperatives": [(str(c.id), c.legal_name) for c in coops], "callback": _callback(request, access, provider),
    }, status=status)


async def _save(request: Request, access: Access, provider: IdentityProvider | None) -> Response:
    data = form_data(await read_form(request))
    settings = request.app.state.settings
    try:
        saved = await rp_services.save_provider(access, provider.id if provider else None, validate(ProviderIn, data),
                                                secret_key=settings.secret_key,
                                                policy=FetchPolicy.from_settings(settings))
    except Invalid as exc:
        form = {k: v for k, v in data.items() if k not in _SENSITIVE}
        return await _form_page(request, access, provider, form, exc.fields, status=422)
    flash(request, _("The provider is saved: its discovery document and keys were checked."))
    return redirect(f"{_base(access)}/{saved.id}")


async def provider_new(request: Request) -> Response:
    access = await access_of(request)
    access.require_admin()
    if request.method == "POST":
        return await _save(request, access, None)
    return await _form_page(request, access, None, {"scopes": "openid email profile", "email_claim": "email",
                                                     "name_claim": "name"}, {})


async def provider_edit(request: Request) -> Response:
    access = await access_of(request)
    access.require_admin()
    provider = await access_provider(access.network, request.path_params["provider_id"])
    if request.method == "POST":
        return await _save(request, access, provider)
    coops = {c.id: c.tax_code for c in await network_cooperatives(access.network)}
    return await _form_page(request, access, provider, form_values(provider, coops), {})


async def provider_enable(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    if request.path_params["action"] not in ("enable", "disable"):
        raise NotFound(_("This action is not available here."))
    enabled = request.path_params["action"] == "enable"
    return await act(request, rp_services.set_enabled(access, request.path_params["provider_id"], enabled),
                     done=_("The provider is offered on the sign-in page.") if enabled else
                     _("The provider is no longer offered on the sign-in page."), then=_base(access))


async def provider_delete(request: Request) -> Response:
    access = await access_of(request)
    form = await read_form(request)
    if form.get("confirm") != "yes":  # the button says what it does; a bare POST deletes nothing
        access.require_admin()
        await access_provider(access.network, request.path_params["provider_id"])
        flash(request, _("Confirm the deletion with the Delete button."), "error")
        return redirect(_base(access))
    return await act(request, rp_services.delete_provider(access, request.path_params["provider_id"]),
                     done=_("The provider is deleted."), then=_base(access))


routes = [
    Route("/manage/identity-providers", providers_list, name="identity_providers"),
    Route("/manage/identity-providers/new", provider_new, methods=["GET", "POST"], name="identity_provider_new"),
    Route("/manage/identity-providers/{provider_id:int}", provider_edit, methods=["GET", "POST"],
          name="identity_provider"),
    Route("/manage/identity-providers/{provider_id:int}/delete", provider_delete, methods=["POST"],
          name="identity_provider_delete"),
    Route("/manage/identity-providers/{provider_id:int}/{action:str}", provider_enable, methods=["POST"],
          name="identity_provider_enable"),
]
