"""Platform administration: networks and their first administrators."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts.services import require_platform_admin
from federa.errors import Invalid
from federa.networks import services
from federa.networks.models import Network
from federa.networks.reference import NETWORK_KINDS
from federa.networks.schemas import NetworkIn
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import flash, person_of, redirect, render, require_person


async def networks(request: Request) -> Response:
    require_person(request)
    actor = require_platform_admin(person_of(request))
    errors: dict[str, str] = {}
    form: dict = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        data = {k: v for k, v in form.items() if v != "" or k != "admin_email"}
        try:
            network = await services.create_network(validate(NetworkIn, data), actor=actor)
            flash(request, _("Network %(name)s created.", name=network.name))
            return redirect("/admin/networks")
        except Invalid as exc:
            errors, status = exc.fields, 422
    rows = await Network.all().order_by("name")
    return render(request, "admin/networks.html", {"rows": rows, "errors": errors, "form": form,
                                                   "kinds": NETWORK_KINDS}, status=status)


routes = [Route("/admin/networks", networks, methods=["GET", "POST"], name="admin_networks")]
