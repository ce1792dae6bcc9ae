"""Discussion pages of a working group: the thread list, a new thread, a thread with its replies, editing
and deleting one's posts, moderation buttons, and each member's choice of e-mails."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from federa.errors import Conflict, Invalid, PermissionDenied
from federa.groups import discussion_queries as queries
from federa.groups import discussions as services
from federa.groups.discussion_models import Post
from federa.groups.discussion_queries import Seat
from federa.groups.discussion_schemas import DiscussionPageQuery, PostIn, PreferenceIn, ThreadIn, ThreadPatch
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.i18n import lazy
from federa.web.pages import access_of, act, flash, redirect, render

MODES: dict[str, str] = {
    "each": lazy("An e-mail for each new thread and reply"),
    "digest": lazy("One e-mail a day with what is new (daily digest)"),
    "none": lazy("No e-mails: I read on the site"),
}
MODERATION = {"pin": {"pinned": True}, "unpin": {"pinned": False}, "lock": {"locked": True},
              "unlock": {"locked": False}}
DONE = {"pin": lazy("The thread is pinned at the top."), "unpin": lazy("The thread is no longer pinned."),
        "lock": lazy("The thread is locked: no more replies."), "unlock": lazy("The thread is open again.")}


def base_path(seat: Seat) -> str:
    return f"/n/{seat.access.network.slug}/groups/{seat.group.id}/discussions"


async def _seat(request: Request) -> Seat:
    return await queries.readable_seat(await access_of(request), request.path_params["group_id"])


def _page(request: Request) -> int:
    return validate(DiscussionPageQuery, {"page": request.query_params.get("page") or "1"}).page


def _context(seat: Seat, **extra: Any) -> dict[str, Any]:
    return {"seat": seat, "group": seat.group, "access": seat.access, "dbase": base_path(seat), "modes": MODES,
            **extra}


# ----- the list and a new thread --------------------------------------------------------------------------

async def thread_list(request: Request) -> Response:
    seat = await _seat(request)
    page = _page(request)
    threads, total = await queries.list_threads(seat, page)
    return render(request, "groups/discussions/list.html", _context(
        seat, threads=threads, total=total, page=page, pages=queries.pages(total, queries.THREADS_PER_PAGE),
        mode=await queries.mode_of(seat) if seat.member else None))


async def _new_form(request: Request, seat: Seat, form: dict | None = None, errors: dict | None = None,
                    status: int = 200) -> Response:
    return render(request, "groups/discussions/new.html", _context(seat, form=form or {}, errors=errors or {}),
                  status=status)


async def new_thread_form(request: Request) -> Response:
    seat = await services.posting_seat(await access_of(request), request.path_params["group_id"])
    return await _new_form(request, seat)


async def new_thread(request: Request) -> Response:
    seat = await services.posting_seat(await access_of(request), request.path_params["group_id"])
    data = await read_form(request)
    try:
        thread = await services.start_thread(seat.access, seat.group.id, validate(ThreadIn, data))
    except Invalid as exc:
        return await _new_form(request, seat, data, exc.fields, 422)
    flash(request, _("Your thread is open."))
    return redirect(f"{base_path(seat)}/{thread.id}")


# ----- a thread -------------------------------------------------------------------------------------------

async def _thread_page(request: Request, seat: Seat, thread_id: int, *, page: int | None = None,
                       form: dict | None = None, errors: dict | None = None, status: int = 200) -> Response:
    thread = await queries.access_thread(seat, thread_id)
    pages = queries.pages(thread.post_count, queries.POSTS_PER_PAGE)
    page = min(page or 1, pages)
    posts = await queries.thread_posts(thread, page)
    return render(request, "groups/discussions/thread.html", _context(
        seat, thread=thread, posts=posts, page=page, pages=pages, form=form or {}, errors=errors or {},
        me=seat.person.id if seat.person else None), status=status)


async def thread_page(request: Request) -> Response:
    seat = await _seat(request)
    return await _thread_page(request, seat, request.path_params["thread_id"], page=_page(request))


async def reply(request: Request) -> Response:
    thread_id = request.path_params["thread_id"]
    try:
        seat = await services.posting_seat(await access_of(request), request.path_params["group_id"])
    except Conflict as exc:  # an archived group: back to the thread with the reason
        flash(request, str(exc), "error")
        return redirect(f"{request.url.path.rsplit('/', 1)[0]}")
    data = await read_form(request)
    try:
        post = await services.reply(seat.access, seat.group.id, thread_id, validate(PostIn, data))
    except Invalid as exc:
        last = queries.pages((await queries.access_thread(seat, thread_id)).post_count, queries.POSTS_PER_PAGE)
        return await _thread_page(request, seat, thread_id, page=last, form=data, errors=exc.fields, status=422)
    except Conflict as exc:
        flash(request, str(exc), "error")
        return redirect(f"{base_path(seat)}/{thread_id}")
    flash(request, _("Your reply is posted."))
    return redirect(f"{base_path(seat)}/posts/{post.id}")


async def moderate(request: Request) -> Response:
    seat = await _seat(request)
    action = request.path_params["action"]
    thread_id = request.path_params["thread_id"]
    await read_form(request)
    if action not in MODERATION:
        await queries.access_thread(seat, thread_id)  # another group's thread is a 404 first
        raise Invalid.field("action", _("Choose one of the options."))
    return await act(request, services.moderate_thread(seat.access, seat.group.id, thread_id,
                                                       ThreadPatch(**MODERATION[action])),
                     done=_(DONE[action]), then=f"{base_path(seat)}/{thread_id}")


async def delete_thread(request: Request) -> Response:
    seat = await _seat(request)
    thread_id = request.path_params["thread_id"]
    data = await read_form(request)
    if data.get("confirm") != "yes":  # deleting a whole thread takes the confirming button
        await queries.access_thread(seat, thread_id)
        flash(request, _("Confirm with the button to delete the thread."), "error")
        return redirect(f"{base_path(seat)}/{thread_id}")
    await services.delete_thread(seat.access, seat.group.id, thread_id)
    flash(request, _("The thread is deleted."))
    return redirect(base_path(seat))


# ----- one post -------------------------------------------------------------------------------------------

async def show_post(request: Request) -> Response:
    """A post's own address (used in e-mails): the page of its thread where it stands."""
    seat = await _seat(request)
    post, thread = await queries.access_post(seat, request.path_params["post_id"])
    before = await Post.filter(network_id=thread.network_id, thread_id=thread.id, id__lt=post.id).count()
    page = before // queries.POSTS_PER_PAGE + 1
    return redirect(f"{base_path(seat)}/{thread.id}" + (f"?page={page}" if page > 1 else "") + f"#post-{post.id}")


async def _edit_form(request: Request, seat: Seat, post: Post, form: dict | None = None,
                     errors: dict | None = None, status: int = 200) -> Response:
    return render(request, "groups/discussions/edit.html", _context(
        seat, post=post, form=form or {"body": post.body}, errors=errors or {}), status=status)


async def edit_form(request: Request) -> Response:
    seat = await _seat(request)
    post, _thread = await queries.access_post(seat, request.path_params["post_id"])
    if seat.person is None or post.author_id != seat.person.id:
        raise PermissionDenied(_("You can edit only your own posts."))
    if post.deleted_at is not None:
        raise Conflict(_("This post was removed."))
    return await _edit_form(request, seat, post)


async def edit(request: Request) -> Response:
    seat = await _seat(request)
    post, _thread = await queries.access_post(seat, request.path_params["post_id"])
    data = await read_form(request)
    if seat.person is None or post.author_id != seat.person.id:  # before the input: no errors for others
        raise PermissionDenied(_("You can edit only your own posts."))
    try:
        await services.edit_post(seat.access, seat.group.id, post.id, validate(PostIn, data))
    except Invalid as exc:
        return await _edit_form(request, seat, post, data, exc.fields, 422)
    except Conflict as exc:
        flash(request, str(exc), "error")
        return redirect(f"{base_path(seat)}/posts/{post.id}")
    flash(request, _("Your post is updated."))
    return redirect(f"{base_path(seat)}/posts/{post.id}")


async def delete(request: Request) -> Response:
    seat = await _seat(request)
    post, thread = await queries.access_post(seat, request.path_params["post_id"])
    await read_form(request)
    return await act(request, services.delete_post(seat.access, seat.group.id, post.id),
                     done=_("The post is removed."), then=f"{base_path(seat)}/{thread.id}")


# ----- e-mail preference ------------------------------------------------------------------------------------

async def preferences(request: Request) -> Response:
    seat = await _seat(request)
    mode = await queries.mode_of(seat)
    return render(request, "groups/discussions/preferences.html", _context(seat, mode=mode, errors={}))


async def save_preferences(request: Request) -> Response:
    seat = await _seat(request)
    data = await read_form(request)
    try:
        choice = validate(PreferenceIn, {"mode": data.get("mode", "")})
    except Invalid as exc:
        return render(request, "groups/discussions/preferences.html",
                      _context(seat, mode=await queries.mode_of(seat), errors=exc.fields), status=422)
    await services.set_preference(seat.access, seat.group.id, choice.mode)
    flash(request, _("Your choice is saved."))
    return redirect(base_path(seat))


_G = "/groups/{group_id:int}/discussions"
routes: list[BaseRoute] = [
    Route(_G, thread_list, name="discussions"),
    Route(_G + "/new", new_thread_form),
    Route(_G + "/new", new_thread, methods=["POST"]),
    Route(_G + "/preferences", preferences),
    Route(_G + "/preferences", save_preferences, methods=["POST"]),
    Route(_G + "/{thread_id:int}", thread_page, name="discussion_thread"),
    Route(_G + "/{thread_id:int}/reply", reply, methods=["POST"]),
    Route(_G + "/{thread_id:int}/delete", delete_thread, methods=["POST"]),
    Route(_G + "/{thread_id:int}/{action:str}", moderate, methods=["POST"]),
    Route(_G + "/posts/{post_id:int}", show_post),
    Route(_G + "/posts/{post_id:int}/edit", edit_form),
    Route(_G + "/posts/{post_id:int}/edit", edit, methods=["POST"]),
    Route(_G + "/posts/{post_id:int}/delete", delete, methods=["POST"]),
]
account_routes: list[BaseRoute] = []  # mounted at the top level
