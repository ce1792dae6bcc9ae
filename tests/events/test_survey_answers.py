"""The satisfaction survey: confirmed registrants only, once the event has started, once each; scores 1–5
(else 422 naming the field); results for coordinators as accessible SVG charts with a data table, and CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest
from conftest import World, post_form, sign_in
from test_attendance import NOW, coordinator, held_event

from federa.audit.models import AuditEntry
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.events import charts, survey
from federa.events.models import Event, Registration, SurveyResponse

GOOD = {"contents": "5", "trainers": "4", "organisation": "3", "usefulness": "5", "overall": "4",
        "comment": "Molto utile, grazie!"}


def survey_path(event: Event, slug: str = "rete-alfa") -> str:
    return f"/n/{slug}/events/{event.id}/survey"


async def test_answer_once(client: httpx.AsyncClient, world: World) -> None:
    event, _, (reg,) = await held_event(world, people=(world.member,))
    await sign_in(client, world.member)
    page = await client.get(survey_path(event))
    assert page.status_code == 200
    assert all(f'name="{key}"' in page.text for key in ("contents", "trainers", "organisation", "usefulness",
                                                        "overall", "comment"))
    response = await post_form(client, survey_path(event), GOOD, token_from=survey_path(event))
    assert response.status_code == 303 and response.headers["location"] == survey_path(event)
    saved = await SurveyResponse.get(registration_id=reg.id)
    assert saved.scores == {"contents": 5, "trainers": 4, "organisation": 3, "usefulness": 5, "overall": 4}
    assert saved.comment == "Molto utile, grazie!" and saved.event_id == event.id
    assert saved.network_id == world.alpha.id
    assert await AuditEntry.filter(action="event.survey_answered").count() == 1
    after = await client.get(survey_path(event))
    assert 'name="contents"' not in after.text  # a thank-you instead of the form
    again = await post_form(client, survey_path(event), {**GOOD, "overall": "1"}, token_from=survey_path(event))
    assert again.status_code == 303
    assert await SurveyResponse.all().count() == 1
    assert (await SurveyResponse.get(registration_id=reg.id)).scores["overall"] == 4


@pytest.mark.parametrize(("field", "value"), [("contents", "0"), ("trainers", "6"), ("organisation", "x"),
                                              ("usefulness", ""), ("overall", "4.5"), ("comment", "x" * 2001)])
async def test_bad_answers_name_the_field(client: httpx.AsyncClient, world: World, field: str, value: str) -> None:
    event, _, _ = await held_event(world, people=(world.member,))
    await sign_in(client, world.member)
    response = await post_form(client, survey_path(event), {**GOOD, field: value}, token_from=survey_path(event))
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text and 'aria-invalid="true"' in response.text
    assert await SurveyResponse.all().count() == 0


async def test_missing_field_is_named(world: World) -> None:
    event, _, _ = await held_event(world, people=(world.member,))
    with pytest.raises(Invalid) as bad:
        await survey.answer_survey(world.alpha, event.id, actor=world.member, scores={"contents": 3})
    assert set(bad.value.fields) == {"trainers", "organisation", "usefulness", "overall"}
    with pytest.raises(Invalid) as bad:
        await survey.answer_survey(world.alpha, event.id, actor=world.member,
                                   scores={**{k: 3 for k, _ in survey.STANDARD}, "contents": True, "extra": 1})
    assert set(bad.value.fields) == {"contents", "extra"}
    ok = await survey.answer_survey(world.alpha, event.id, actor=world.member,
                                    scores={k: 3 for k, _ in survey.STANDARD})
    assert ok.scores["overall"] == 3


async def test_not_before_the_event_starts(client: httpx.AsyncClient, world: World) -> None:
    event, _, _ = await held_event(world, start=NOW + timedelta(days=3), people=(world.member,))
    with pytest.raises(Conflict):
        await survey.answer_survey(world.alpha, event.id, actor=world.member, scores={})
    await sign_in(client, world.member)
    page = await client.get(survey_path(event))
    assert page.status_code == 200 and 'name="contents"' not in page.text
    refused = await post_form(client, survey_path(event), GOOD, token_from=survey_path(event))
    assert refused.status_code == 303
    assert await SurveyResponse.all().count() == 0
    later = NOW + timedelta(days=3, hours=1)
    assert (await survey.survey_for(world.alpha, event.id, actor=world.member, now=later)).open


async def test_who_may_answer(world: World) -> None:
    event, _, (_reg, waiting) = await held_event(world, people=(world.member, world.dual))
    await Registration.filter(id=waiting.id).update(status="waiting")
    beta, _, _ = await held_event(world, world.beta, people=(world.outsider,))
    with pytest.raises(NotAuthenticated):
        await survey.survey_for(world.alpha, event.id, actor=None)
    for person in (world.coop_admin, world.coordinator, world.dual):  # may see the event, not registered
        with pytest.raises(PermissionDenied):
            await survey.answer_survey(world.alpha, event.id, actor=person, scores=GOOD)
    with pytest.raises(NotFound):  # another network's person: the event is not even shown to them
        await survey.survey_for(world.alpha, event.id, actor=world.outsider)
    with pytest.raises(NotFound):  # beta's event through alpha
        await survey.survey_for(world.alpha, beta.id, actor=world.outsider)
    await Event.filter(id=event.id).update(status="cancelled")
    with pytest.raises(Conflict):
        await survey.answer_survey(world.alpha, event.id, actor=world.member,
                                   scores={k: 3 for k, _ in survey.STANDARD})
    assert await SurveyResponse.all().count() == 0


async def test_the_event_may_ask_its_own_questions(world: World) -> None:
    event, _, _ = await held_event(world, people=(world.member,))
    await Event.filter(id=event.id).update(survey_questions=["Clima del gruppo", {"key": "lab", "label": "Lab"}])
    event = await Event.get(id=event.id)
    assert [(q.key, q.label) for q in survey.questions_of(event)] == [("q1", "Clima del gruppo"), ("lab", "Lab")]
    saved = await survey.answer_survey(world.alpha, event.id, actor=world.member, scores={"q1": 2, "lab": "5"})
    assert saved.scores == {"q1": 2, "lab": 5}


# ----- results -----------------------------------------------------------------------------------------

async def _answered(world: World) -> Event:
    event, _, _ = await held_event(world, people=(world.member, world.coop_admin, world.dual))
    await survey.answer_survey(world.alpha, event.id, actor=world.member, scores={k: 5 for k, _ in survey.STANDARD},
                               comment="Ottimo; da ripetere")
    await survey.answer_survey(world.alpha, event.id, actor=world.coop_admin,
                               scores={**{k: 4 for k, _ in survey.STANDARD}, "overall": 2},
                               comment="=HYPERLINK(\"http://x\")")
    return event


async def test_results(world: World) -> None:
    event = await _answered(world)
    results = await survey.survey_results(await coordinator(world), event.id)
    assert results.confirmed == 3 and len(results.responses) == 2
    overall = next(r for r in results.questions if r.question.key == "overall")
    assert overall.counts == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1} and overall.average == 3.5 and overall.answered == 2
    assert [c.comment for c in results.comments] == ["Ottimo; da ripetere", "=HYPERLINK(\"http://x\")"]


async def test_results_page_has_accessible_charts(client: httpx.AsyncClient, world: World) -> None:
    event = await _answered(world)
    path = survey_path(event) + "/results"
    await sign_in(client, world.member)
    assert (await client.get(path)).status_code == 403
    assert (await client.get(path + ".csv")).status_code == 403
    client.cookies.clear()
    await sign_in(client, world.coordinator)
    page = await client.get(path)
    assert page.status_code == 200
    assert page.text.count("<svg") == 5 and page.text.count('role="img"') == 5
    assert '<title id="chart-0-t">' in page.text and '<desc id="chart-0-d">' in page.text
    assert 'aria-labelledby="chart-0-t chart-0-d"' in page.text
    assert page.text.count("<table") == 5 and 'scope="row"' in page.text
    assert "Ottimo; da ripetere" in page.text
    assert "Socio" not in page.text  # answers are shown without names
    assert (await client.get(survey_path(event, "rete-beta") + "/results")).status_code == 403


async def test_results_csv(client: httpx.AsyncClient, world: World) -> None:
    event = await _answered(world)
    await sign_in(client, world.coordinator)
    response = await client.get(survey_path(event) + "/results.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] in ("Data", "Date") and rows[0][-1] in ("Commento", "Comment") and len(rows[0]) == 7
    assert rows[1][1:6] == ["5"] * 5 and rows[1][6] == "Ottimo; da ripetere"
    assert rows[2][5] == "2" and rows[2][6].startswith("'=")  # a formula stays text
    assert len(rows) == 3


def test_chart_is_escaped_and_described() -> None:
    svg = str(charts.score_bars("c1", "<script>alert(1)</script>", {1: 0, 2: 1, 3: 0, 4: 2, 5: 7}, 4.5))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and 'role="img"' in svg and "<desc id=\"c1-d\">" in svg
    empty = str(charts.score_bars("c2", "Vuoto", {n: 0 for n in range(1, 6)}, None))
    assert 'width="0"' in empty
