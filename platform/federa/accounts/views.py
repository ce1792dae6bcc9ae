"""Platform-wide pages: home, sign-up/in/out, e-mail verification, password reset, profile, tokens."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts import affiliations, services
from federa.accounts.models import ApiToken, Person, TokenPurpose
from federa.accounts.queries import email_token_usable, my_networks
from federa.accounts.schemas import (
    ForgotIn,
    PasswordChangeIn,
    ProfileIn,
    ResetIn,
    SignInIn,
    SignUpIn,
    TokenIn,
)
from federa.errors import Invalid, NotFound, Throttled
from federa.networks.models import Network
from federa.web.forms import read_form, validate
from federa.web.i18n import LOCALES
from federa.web.i18n import gettext as _
from federa.web.pages import flash, person_of, redirect, render, require_person, safe_next


async def _start_session(request: Request, person: Person) -> None:
    # A fresh cookie on every sign-in: new session key and new CSRF token (no fixation),
    # and whatever session this browser had before ends on the server too.
    key = await services.open_session(person, replacing=request.session.get("sid"))
    request.session.clear()
    request.session.update({"sid": key, "csrf": secrets.token_urlsafe(24), "locale": person.locale})


async def home(request: Request) -> Response:
    networks = await Network.all().order_by("name")
    mine = await my_networks(person_of(request)) if person_of(request) else []
    return render(request, "home.html", {"networks": networks, "mine": mine})


async def networks(request: Request) -> Response:
    """The network switcher: every network the person belongs to, and how."""
    person = require_person(request)
    return render(request, "accounts/networks.html", {"mine": await my_networks(person)})


async def signup(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "accounts/signup.html", {"form": {}, "errors": {}, "next": next_url})
    data = await read_form(request)
    try:
        person = await services.sign_up(validate(SignUpIn, data))
    except Invalid as exc:
        data.pop("password", None)
        return render(request, "accounts/signup.html", {"form": data, "errors": exc.fields, "next": next_url},
                      status=422)
    await _start_session(request, person)
    flash(request, _("Welcome! We sent you an e-mail to confirm your address."))
    return redirect(next_url)


async def signin(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "accounts/signin.html", {"form": {}, "errors": {}, "next": next_url})
    data = await read_form(request)
    settings = request.app.state.settings
    try:
        payload = validate(SignInIn, data)
        person = await services.authenticate(
            payload.email, payload.password, ip=request.client.host if request.client else "",
            max_failures=settings.login_max_failures, window_seconds=settings.login_window_seconds)
    except Invalid as exc:
        return render(request, "accounts/signin.html",
                      {"form": {"email": data.get("email", "")}, "errors": exc.fields, "next": next_url},
                      status=422)
    except Throttled as exc:
        response = render(request, "accounts/signin.html",
                          {"form": {"email": data.get("email", "")}, "errors": {"__all__": str(exc)},
                           "next": next_url}, status=429)
        response.headers["Retry-After"] = str(settings.login_window_seconds)
        return response
    await _start_session(request, person)
    return redirect(next_url)


async def signout(request: Request) -> Response:
    await read_form(request)
    await services.close_session(request.session.get("sid"))
    request.session.clear()
    flash(request, _("You have signed out."))
    return redirect("/")


async def verify(request: Request) -> Response:
    await services.verify_email(request.path_params["token"])
    flash(request, _("Your e-mail address is confirmed."))
    return redirect("/me" if person_of(request) else "/signin")


async def resend(request: Request) -> Response:
    person = require_person(request)
    await read_form(request)
    await services.resend_verification(person)
    flash(request, _("We sent you a new confirmation e-mail."))
    return redirect("/me")


async def forgot(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/forgot.html", {"form": {}, "errors": {}})
    data = await read_form(request)
    try:
        payload = validate(ForgotIn, data)
    except Invalid as exc:
        return render(request, "accounts/forgot.html", {"form": data, "errors": exc.fields}, status=422)
    await services.request_password_reset(payload.email)
    # The same answer whether or not the account exists.
    flash(request, _("If an account uses this address, we sent it a link to choose a new password."))
    return redirect("/signin")


async def reset(request: Request) -> Response:
    token = request.path_params["token"]
    if request.method == "GET":
        if not await email_token_usable(token, TokenPurpose.RESET_PASSWORD):
            raise NotFound(_("This link is not valid any more. Ask for a new one."))
        return render(request, "accounts/reset.html", {"errors": {}})
    data = await read_form(request)
    try:
        payload = validate(ResetIn, data)
        if payload.password != payload.password_again:
            raise Invalid.field("password_again", _("The two passwords are different."))
        await services.reset_password(token, payload.password)
    except Invalid as exc:
        return render(request, "accounts/reset.html", {"errors": exc.fields}, status=422)
    request.session.clear()
    flash(request, _("Your password is changed. Sign in with the new one."))
    return redirect("/signin")


async def profile(request: Request) -> Response:
    person = require_person(request)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = await read_form(request)
        try:
            await services.update_profile(person, validate(ProfileIn, data))
            request.session["locale"] = person.locale
            flash(request, _("Profile saved."))
            return redirect("/me")
        except Invalid as exc:
            errors, status = exc.fields, 422
    return await _profile_page(request, errors=errors, status=status, failed="profile")


async def _profile_page(request: Request, *, errors: dict | None = None, status: int = 200,
                        new_token: str | None = None, failed: str = "") -> Response:
    """The profile page; `failed` names the one form whose messages are shown (profile, password, token)."""
    person = require_person(request)
    tokens = await ApiToken.filter(person_id=person.id, revoked_at=None).order_by("-created_at")
    return render(request, "accounts/profile.html", {
        "errors": errors or {}, "failed": failed, "tokens": tokens, "new_token": new_token,
        "networks": await my_networks(person),
    }, status=status)


async def password(request: Request) -> Response:
    person = require_person(request)
    data = await read_form(request)
    try:
        await services.change_password(person, validate(PasswordChangeIn, data),
                                       keep_session=request.session.get("sid"))
    except Invalid as exc:
        return await _profile_page(request, errors=exc.fields, status=422, failed="password")
    flash(request, _("Your password is changed."))
    return redirect("/me")


async def token_create(request: Request) -> Response:
    person = require_person(request)
    data = await read_form(request)
    try:
        # The field is token_name on the page, so its id does not clash with the profile's name.
        payload = validate(TokenIn, {"name": data.get("token_name", "")})
    except Invalid as exc:
        return await _profile_page(request, errors={"token_name": exc.fields.get("name", str(exc))},
                                   status=422, failed="token")
    _row, token = await services.create_api_token(person, payload.name)
    return await _profile_page(request, new_token=token)


async def token_revoke(request: Request) -> Response:
    person = require_person(request)
    await read_form(request)
    await services.revoke_api_token(person, request.path_params["token_id"])
    flash(request, _("The token is revoked."))
    return redirect("/me")


async def set_language(request: Request) -> Response:
    data = await read_form(request)
    locale = data.get("locale")
    if locale in LOCALES:
        request.session["locale"] = locale
        person = person_of(request)
        if person is not None and person.locale != locale:
            await services.update_profile(person, ProfileIn(name=person.name, locale=locale))  # type: ignore[arg-type]
    return redirect(safe_next(data.get("next")))


async def invitation(request: Request) -> Response:
    token = request.path_params["token"]
    row = await affiliations.invitation_by_token(token)
    person = person_of(request)
    if request.method == "POST":
        person = require_person(request)
        await read_form(request)
        await affiliations.accept_invitation(token, person=person)
        flash(request, _("You joined %(name)s.", name=row.cooperative.legal_name))
        return redirect(f"/cooperatives/{row.cooperative_id}")
    wrong_account = person is not None and services.normalise_email(person.email) != row.email
    return render(request, "accounts/invitation.html", {"invitation": row, "wrong_account": wrong_account})


routes = [
    Route("/", home, name="home"),
    Route("/signup", signup, methods=["GET", "POST"], name="signup"),
    Route("/signin", signin, methods=["GET", "POST"], name="signin"),
    Route("/signout", signout, methods=["POST"], name="signout"),
    Route("/account/verify/{token}", verify, name="verify_email"),
    Route("/account/verify", resend, methods=["POST"], name="resend_verification"),
    Route("/account/forgot", forgot, methods=["GET", "POST"], name="forgot_password"),
    Route("/account/reset/{token}", reset, methods=["GET", "POST"], name="reset_password"),
    Route("/me", profile, methods=["GET", "POST"], name="profile"),
    Route("/me/networks", networks, name="my_networks"),
    Route("/me/password", password, methods=["POST"], name="change_password"),
    Route("/me/tokens", token_create, methods=["POST"], name="token_create"),
    Route("/me/tokens/{token_id:int}/revoke", token_revoke, methods=["POST"], name="token_revoke"),
    Route("/language", set_language, methods=["POST"], name="set_language"),
    Route("/invitations/{token}", invitation, methods=["GET", "POST"], name="invitation"),
]
