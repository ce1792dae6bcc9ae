"""The satisfaction survey after an event ("rilevazione della soddisfazione"): 1–5 scores and a comment.

Confirmed registrants answer once (one SurveyResponse per registration) when the event has started.
The questions are the standard set below unless the event lists its own (Event.survey_questions: labels,
or {"key": ..., "label": ...} objects). Coordinators see the results aggregated; comments without names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.events.eligibility import may_see
from federa.events.models import Event, EventStatus, Registration, RegistrationStatus, SurveyResponse
from federa.events.services import access_event
from federa.networks.access import Access
from federa.networks.models import Network
from federa.web.i18n import gettext as _
from federa.web.i18n import lazy

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000
STANDARD = (
    ("contents", lazy("Contents of the course")),
    ("trainers", lazy("Trainers")),
    ("organisation", lazy("Organisation: times, place, materials")),
    ("usefulness", lazy("Usefulness for your work")),
    ("overall", lazy("Overall satisfaction")),
)


@dataclass(frozen=True)
class Question:
    key: str
    label: str  # translated


def questions_of(event: Event) -> list[Question]:
    """The event's own questions, or the standard set, labels in the current language."""
    custom = event.survey_questions or []
    if not custom:
        return [Question(key, _(label)) for key, label in STANDARD]
    found = []
    for index, item in enumerate(custom, start=1):
        if isinstance(item, dict):
            found.append(Question(str(item.get("key") or f"q{index}"), str(item.get("label", ""))))
        else:
            found.append(Question(f"q{index}", str(item)))
    return found


def is_open(event: Event, now: datetime | None = None) -> bool:
    """Answers are taken once the event has started (or it is completed), never for a cancelled one."""
    if event.status == EventStatus.COMPLETED.value:
        return True
    now = now or datetime.now(UTC)
    return event.status == EventStatus.PUBLISHED.value and event.starts_at is not None and now >= event.starts_at


@dataclass
class SurveyState:
    event: Event
    registration: Registration
    response: SurveyResponse | None
    open: bool
    questions: list[Question]


async def survey_for(network: Network, event_id: int, *, actor: Person | None,
                     now: datetime | None = None) -> SurveyState:
    """What the survey page shows the actor: the form, their answer, or that it is not open yet."""
    if actor is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    event = await access_event(network, event_id)
    registration = await Registration.get_or_none(event_id=event.id, person_id=actor.id,
                                                  status=RegistrationStatus.CONFIRMED.value)
    if registration is None:
        if not await may_see(event, network, actor):
            raise NotFound(_("No such event."))
        raise PermissionDenied(_("Only the people registered for this event can answer its survey."))
    response = await SurveyResponse.get_or_none(registration_id=registration.id)
    return SurveyState(event, registration, response, is_open(event, now), questions_of(event))


def check_answers(questions: list[Question], scores: dict[str, Any], comment: str) -> dict[str, int]:
    """Every question scored 1 to 5; a comment of reasonable length. Invalid names each bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for question in questions:
        value = scores.get(question.key)
        if value is None or str(value).strip() == "":
            errors[question.key] = _("This field is required.")
        elif isinstance(value, bool) or str(value).strip() not in {str(s) for s in SCORES}:
            errors[question.key] = _("Choose a score from 1 to 5.")
        else:
            clean[question.key] = int(str(value).strip())
    unknown = set(scores) - {q.key for q in questions}
    if unknown:
        errors[sorted(unknown)[0]] = _("Unknown question.")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("Use at most %(n)s characters.", n=COMMENT_MAX)
    if errors:
        raise Invalid(errors)
    return clean


async def answer_survey(network: Network, event_id: int, *, actor: Person | None, scores: dict[str, Any],
                        comment: str = "", now: datetime | None = None) -> SurveyResponse:
    """A confirmed registrant answers the survey, once."""
    state = await survey_for(network, event_id, actor=actor, now=now)
    if state.response is not None:
        raise Conflict(_("You have already answered this survey. Thank you!"))
    if not state.open:
        raise Conflict(_("The survey opens when the event has started."))
    clean = check_answers(state.questions, scores, comment.strip())
    try:
        async with in_transaction():
            response = await SurveyResponse.create(network_id=network.id, event_id=state.event.id,
                                                   registration_id=state.registration.id, scores=clean,
                                                   comment=comment.strip())
            await record("event.survey_answered", actor=actor, network=network, obj=response)
    except IntegrityError as exc:  # the same person twice at once: the one-to-one key keeps one
        raise Conflict(_("You have already answered this survey. Thank you!")) from exc
    return response


@dataclass
class QuestionResult:
    question: Question
    counts: dict[int, int]  # score → how many gave it
    answered: int
    average: float | None


@dataclass
class SurveyResults:
    event: Event
    questions: list[QuestionResult]
    responses: list[SurveyResponse]  # oldest first
    confirmed: int  # registrants who could answer
    comments: list[SurveyResponse] = field(default_factory=list)


async def survey_results(access: Access, event_id: int) -> SurveyResults:
    """Per question: how many gave each score and the average; the comments (coordinators; 2 queries)."""
    access.require_manage()
    event = await access_event(access.network, event_id)
    responses = list(await SurveyResponse.filter(event_id=event.id, network_id=access.network.id).order_by(
        "created_at", "id"))
    results = []
    for question in questions_of(event):
        given = [r.scores[question.key] for r in responses if isinstance(r.scores.get(question.key), int)]
        counts = {score: given.count(score) for score in SCORES}
        results.append(QuestionResult(question, counts, len(given),
                                      round(sum(given) / len(given), 2) if given else None))
    confirmed = await Registration.filter(event_id=event.id, status=RegistrationStatus.CONFIRMED.value).count()
    return SurveyResults(event, results, responses, confirmed, [r for r in responses if r.comment])
