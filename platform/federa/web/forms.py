"""Reading HTML forms (with the CSRF check) and turning validation errors into field messages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from federa.errors import Invalid, PermissionDenied
from federa.web.i18n import gettext as _
from federa.web.security import same

M = TypeVar("M", bound=BaseModel)


class CsrfFailed(PermissionDenied):
    pass


async def read_form(request: Request, *, multi: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted fields, after checking the form's CSRF token against the session's."""
    form = await request.form()
    expected = request.scope.get("session", {}).get("csrf", "")
    # htmx requests may send the token as a header instead of a field.
    submitted = form.get("csrf_token") or request.headers.get("x-csrf-token")
    if not expected or not isinstance(submitted, str) or not same(submitted, expected):
        raise CsrfFailed(_("The form has expired or did not come from this site. Please try again."))
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        values = form.getlist(key)
        if key in multi:
            data[key] = [_clean(v) if isinstance(v, str) else v for v in values
                         if not isinstance(v, str) or v.strip()]
        else:
            value = values[-1]
            data[key] = value if isinstance(value, UploadFile) else _clean(str(value)).strip()
    for key in multi:
        data.setdefault(key, [])
    return data


def _clean(value: str) -> str:
    # NUL cannot be stored in PostgreSQL text; no one types it on purpose.
    return value.replace("\x00", "")


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("This field is required.")
        return _("Use at least %(n)s characters.", n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.", n=ctx.get("max_length"))
    if kind == "value_error" and "reason" in ctx:  # pydantic's EmailStr: its reason is English only
        return _("Enter a valid e-mail address.")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        return _("Choose one of the options.")
    if kind.startswith(("int_", "float_")):
        return _("Enter a whole number.") if kind.startswith("int") else _("Enter a number.")
    if kind.startswith("bool"):
        return _("Choose yes or no.")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _("The value is out of range.")
    if kind == "extra_forbidden":
        return _("This field is not accepted.")
    return _("This value is not valid.")


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not isinstance(part, int)] or ["__all__"]
        errors.setdefault(".".join(loc), _message(error))  # type: ignore[arg-type]
    return errors


def validate(model: type[M], data: Any) -> M:
    """Validate input with a schema; raise Invalid naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(field_errors(exc)) from exc
