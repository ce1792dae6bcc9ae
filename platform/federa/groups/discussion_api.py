"""JSON API for a group's discussions: threads (list, start, read, moderate) and posts (list, reply, edit
one's own, delete). Only the group's members read and write; moderators (the group's coordinators, the
network's coordinators and admins) read, pin, lock and remove. A removed post keeps its place, without text.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from federa.accounts.models import Person
from federa.groups import discussion_queries as queries
from federa.groups import discussions as services
from federa.groups.discussion_models import Post, Thread
from federa.groups.discussion_queries import Seat
from federa.groups.discussion_schemas import (
    DiscussionPageQuery,
    PostAuthorOut,
    PostIn,
    PostOut,
    PostPage,
    ThreadDetailOut,
    ThreadIn,
    ThreadOut,
    ThreadPage,
    ThreadPatch,
)
from federa.web.api import ApiRoute
from federa.web.pages import access_of

TAG = "discussions"


def _author(person: Person | None) -> PostAuthorOut | None:
    return PostAuthorOut(id=person.id, name=person.name) if person is not None else None


def _thread_out(thread: Thread) -> ThreadOut:
    return ThreadOut(id=thread.id, group_id=thread.group_id, title=thread.title, author=_author(thread.author),
                     created_at=thread.created_at, last_post_at=thread.last_post_at, post_count=thread.post_count,
                     pinned=thread.pinned, locked=thread.locked)


def _post_out(post: Post) -> PostOut:
    removed = post.deleted_at is not None
    return PostOut(id=post.id, thread_id=post.thread_id, author=_author(post.author),
                   body=None if removed else post.body, body_html=None if removed else post.body_html,
                   created_at=post.created_at, edited_at=post.edited_at, deleted=removed)


async def _seat(request: Request) -> Seat:
    return await queries.readable_seat(await access_of(request), request.path_params["group_id"])


async def _detail(seat: Seat, thread_id: int) -> ThreadDetailOut:
    thread = await queries.access_thread(seat, thread_id)
    await thread.fetch_related("author")
    return ThreadDetailOut(**_thread_out(thread).model_dump(), can_post=seat.can_post and not thread.locked,
                           can_moderate=seat.moderator)


async def list_threads(request: Request, query: DiscussionPageQuery) -> ThreadPage:
    """The group's threads, pinned first, then the latest active."""
    seat = await _seat(request)
    threads, total = await queries.list_threads(seat, query.page)
    return ThreadPage(items=[_thread_out(t) for t in threads], total=total, page=query.page,
                      per_page=queries.THREADS_PER_PAGE)


async def start_thread(request: Request, body: ThreadIn) -> ThreadDetailOut:
    """A member opens a thread with its first post."""
    seat = await services.posting_seat(await access_of(request), request.path_params["group_id"])
    thread = await services.start_thread(seat.access, seat.group.id, body)
    return await _detail(seat, thread.id)


async def get_thread(request: Request) -> ThreadDetailOut:
    seat = await _seat(request)
    return await _detail(seat, request.path_params["thread_id"])


async def moderate_thread(request: Request, body: ThreadPatch) -> ThreadDetailOut:
    """Moderators pin or unpin, lock or unlock."""
    access = await access_of(request)
    await services.moderate_thread(access, request.path_params["group_id"], request.path_params["thread_id"], body)
    return await _detail(await _seat(request), request.path_params["thread_id"])


async def list_posts(request: Request, query: DiscussionPageQuery) -> PostPage:
    """The thread's posts in the order written."""
    seat = await _seat(request)
    thread = await queries.access_thread(seat, request.path_params["thread_id"])
    posts = await queries.thread_posts(thread, query.page)
    return PostPage(items=[_post_out(p) for p in posts], total=thread.post_count, page=query.page,
                    per_page=queries.POSTS_PER_PAGE)


async def reply(request: Request, body: PostIn) -> PostOut:
    """A member replies; a locked thread or a group one has left refuses it."""
    access = await access_of(request)
    post = await services.reply(access, request.path_params["group_id"], request.path_params["thread_id"], body)
    await post.fetch_related("author")
    return _post_out(post)


async def edit_post(request: Request, body: PostIn) -> PostOut:
    """The author edits their post."""
    access = await access_of(request)
    post = await services.edit_post(access, request.path_params["group_id"], request.path_params["post_id"], body)
    await post.fetch_related("author")
    return _post_out(post)


async def delete_post(request: Request) -> None:
    """The author deletes their post, or a moderator removes it."""
    access = await access_of(request)
    await services.delete_post(access, request.path_params["group_id"], request.path_params["post_id"])


_G = "/networks/{slug}/groups/{group_id:int}"
_T = _G + "/threads/{thread_id:int}"
routes: list[BaseRoute] = [
    ApiRoute(_G + "/threads", list_threads, name="api_discussion_threads", method="GET",
             summary="List a group's threads", tag=TAG, query=DiscussionPageQuery, response=ThreadPage, auth=True),
    ApiRoute(_G + "/threads", start_thread, name="api_discussion_thread_create", method="POST",
             summary="Start a thread", tag=TAG, body=ThreadIn, response=ThreadDetailOut, status=201, auth=True),
    ApiRoute(_T, get_thread, name="api_discussion_thread", method="GET", summary="Get a thread", tag=TAG,
             response=ThreadDetailOut, auth=True),
    ApiRoute(_T, moderate_thread, name="api_discussion_thread_update", method="PATCH",
             summary="Pin or lock a thread", tag=TAG, body=ThreadPatch, response=ThreadDetailOut, auth=True),
    ApiRoute(_T + "/posts", list_posts, name="api_discussion_posts", method="GET", summary="List a thread's posts",
             tag=TAG, query=DiscussionPageQuery, response=PostPage, auth=True),
    ApiRoute(_T + "/posts", reply, name="api_discussion_post_create", method="POST", summary="Reply to a thread",
             tag=TAG, body=PostIn, response=PostOut, status=201, auth=True),
    ApiRoute(_G + "/posts/{post_id:int}", edit_post, name="api_discussion_post_update", method="PATCH",
             summary="Edit one's post", tag=TAG, body=PostIn, response=PostOut, auth=True),
    ApiRoute(_G + "/posts/{post_id:int}", delete_post, name="api_discussion_post_delete", method="DELETE",
             summary="Delete a post", tag=TAG, status=204, auth=True),
]
