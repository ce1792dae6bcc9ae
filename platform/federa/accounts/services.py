"""Changes to people and their sessions: sign-up, sign-in, verification, reset, profile, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import (
    ApiToken,
    EmailToken,
    LoginFailure,
    Person,
    TokenPurpose,
    WebSession,
)
from federa.accounts.schemas import PasswordChangeIn, ProfileIn, SignUpIn
from federa.audit.log import record
from federa.errors import Invalid, NotFound, PermissionDenied, Throttled
from federa.notifications import outbox
from federa.web.i18n import gettext as _
from federa.web.security import hash_password, hash_token, new_token, verify_password

VERIFY_TTL = timedelta(days=3)
RESET_TTL = timedelta(hours=2)


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def sign_up(data: SignUpIn) -> Person:
    """Create an account and send the verification e-mail."""
    email = normalise_email(data.email)
    try:
        async with in_transaction():
            person = await Person.create(email=email, name=data.name, locale=data.locale,
                                         password_hash=hash_password(data.password))
            message = await _send_verification(person)
            await record("person.signed_up", actor=person, obj=person)
    except IntegrityError as exc:
        raise Invalid.field("email", _("An account with this e-mail already exists.")) from exc
    await outbox.dispatch([message])
    return person


async def _send_verification(person: Person) -> outbox.OutboxMessage:
    token = new_token()
    await EmailToken.create(person=person, purpose=TokenPurpose.VERIFY_EMAIL.value,
                            token_hash=hash_token(token), expires_at=datetime.now(UTC) + VERIFY_TTL)
    return await outbox.add("verify_email", person.email, locale=person.locale, name=person.name,
                            path=f"/account/verify/{token}")


async def resend_verification(person: Person) -> None:
    if person.email_verified_at is not None:
        return
    async with in_transaction():
        message = await _send_verification(person)
    await outbox.dispatch([message])


async def _use_token(token: str, purpose: TokenPurpose) -> EmailToken:
    row = await EmailToken.get_or_none(token_hash=hash_token(token), purpose=purpose.value).select_related(
        "person")
    if row is None or row.used_at is not None or row.expires_at < datetime.now(UTC):
        raise NotFound(_("This link is not valid any more. Ask for a new one."))
    claimed = await EmailToken.filter(id=row.id, used_at=None).update(used_at=datetime.now(UTC))
    if not claimed:
        raise NotFound(_("This link is not valid any more. Ask for a new one."))
    return row


async def verify_email(token: str) -> Person:
    """Mark the e-mail address as verified (single-use link)."""
    async with in_transaction():
        row = await _use_token(token, TokenPurpose.VERIFY_EMAIL)
        await Person.filter(id=row.person_id).update(email_verified_at=datetime.now(UTC))
        await record("person.verified_email", actor=row.person, obj=row.person)
    return await Person.get(id=row.person_id)


async def check_throttle(email: str, *, ip: str = "", max_failures: int, window_seconds: int,
                         max_ip_failures: int = 50) -> None:
    """Refuse (429) once an account, or one address, has failed too often within the window."""
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    by_account = await LoginFailure.filter(email=normalise_email(email), created_at__gte=since).count()
    # Credential stuffing tries many accounts from one address (ASVS 6.3.1).
    by_ip = await LoginFailure.filter(ip=ip[:45], created_at__gte=since).count() if ip else 0
    if by_account >= max_failures or by_ip >= max_ip_failures:
        await record("person.sign_in_throttled", email=email, ip=ip)
        raise Throttled(_("Too many failed sign-in attempts. Try again in 15 minutes."))


async def authenticate(email: str, password: str, *, ip: str, max_failures: int = 10,
                       window_seconds: int = 900) -> Person:
    """Check the password; count failures per account and refuse with 429 past the limit."""
    email = normalise_email(email)
    await check_throttle(email, ip=ip, max_failures=max_failures, window_seconds=window_seconds)
    person = await Person.get_or_none(email=email)
    ok = verify_password(person.password_hash if person else None, password)
    if not ok or person is None or not person.is_active:
        # The same message whether the account exists or not: no enumeration (ASVS 6.3.8).
        async with in_transaction():
            await LoginFailure.create(email=email, ip=ip[:45])
            await record("person.sign_in_failed", email=email, ip=ip)
        raise Invalid.field("password", _("The e-mail or the password is not right."))
    await LoginFailure.filter(email=email).delete()
    return person


async def open_session(person: Person, *, replacing: str | None = None) -> str:
    """A new server-side session; the caller puts the returned key in the signed cookie.

    The session the browser had before (another account, say) ends: one browser, one live session.
    """
    key = new_token()
    async with in_transaction():
        if replacing:
            await WebSession.filter(key_hash=hash_token(replacing)).delete()
        await WebSession.create(key_hash=hash_token(key), person=person)
        await record("person.signed_in", actor=person, obj=person)
    return key


async def close_session(key: str | None) -> None:
    """End a browser session on the server, so its cookie is worthless even if replayed."""
    if key:
        async with in_transaction():
            row = await WebSession.get_or_none(key_hash=hash_token(key)).select_related("person")
            if row is not None:
                await row.delete()
                await record("person.signed_out", actor=row.person, obj=row.person)


async def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; say nothing either way (no enumeration)."""
    person = await Person.get_or_none(email=normalise_email(email), is_active=True)
    if person is None:
        return
    token = new_token()
    async with in_transaction():
        await EmailToken.create(person=person, purpose=TokenPurpose.RESET_PASSWORD.value,
                                token_hash=hash_token(token), expires_at=datetime.now(UTC) + RESET_TTL)
        message = await outbox.add("reset_password", person.email, locale=person.locale, name=person.name,
                                   path=f"/account/reset/{token}")
        await record("person.reset_requested", actor=person, obj=person)
    await outbox.dispatch([message])


async def reset_password(token: str, password: str) -> Person:
    """Set a new password from a reset link; every open session ends."""
    async with in_transaction():
        row = await _use_token(token, TokenPurpose.RESET_PASSWORD)
        await Person.filter(id=row.person_id).update(
            password_hash=hash_password(password),
            email_verified_at=row.person.email_verified_at or datetime.now(UTC),
        )
        await WebSession.filter(person_id=row.person_id).delete()
        await LoginFailure.filter(email=row.person.email).delete()
        await record("person.reset_password", actor=row.person, obj=row.person)
    return await Person.get(id=row.person_id)


async def update_profile(person: Person, data: ProfileIn) -> Person:
    async with in_transaction():
        person.name = data.name
        person.locale = data.locale
        await person.save(update_fields=["name", "locale"])
        await record("person.updated_profile", actor=person, obj=person)
    return person


async def change_password(person: Person, data: PasswordChangeIn, *, keep_session: str | None) -> None:
    if not verify_password(person.password_hash, data.current_password):
        raise Invalid.field("current_password", _("The current password is not right."))
    async with in_transaction():
        person.password_hash = hash_password(data.new_password)
        await person.save(update_fields=["password_hash"])
        others = WebSession.filter(person_id=person.id)
        if keep_session:
            others = others.exclude(key_hash=hash_token(keep_session))
        await others.delete()
        await record("person.changed_password", actor=person, obj=person)


async def create_api_token(person: Person, name: str) -> tuple[ApiToken, str]:
    """A new personal access token; the plain value is returned once and never stored."""
    token = new_token("fed_")
    async with in_transaction():
        row = await ApiToken.create(person=person, name=name, token_hash=hash_token(token), prefix=token[:8])
        await record("token.created", actor=person, obj=row, name=name)
    return row, token


async def revoke_api_token(person: Person, token_id: int) -> None:
    async with in_transaction():
        count = await ApiToken.filter(id=token_id, person_id=person.id, revoked_at=None).update(
            revoked_at=datetime.now(UTC))
        if not count:
            raise NotFound(_("No such token."))
        await record("token.revoked", actor=person, token_id=token_id)


def require_platform_admin(person: Person | None) -> Person:
    if person is None or not person.is_platform_admin:
        raise PermissionDenied(_("Only platform administrators can do this."))
    return person
