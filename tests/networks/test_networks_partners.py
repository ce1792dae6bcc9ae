"""Partner agreements between networks: proposed by an admin, accepted by the other network's admin."""

import httpx
from conftest import World, api_token, make_person, post_form, sign_in

from federa.accounts.models import NetworkRole, Person
from federa.audit.models import AuditEntry
from federa.networks.models import Partnership

ALPHA = "/api/v1/networks/rete-alfa/partners"
BETA = "/api/v1/networks/rete-beta/partners"


async def _beta_admin(world: World) -> Person:
    admin = await make_person("betaadmin@example.org", name="Beta Admin")
    await NetworkRole.create(network=world.beta, person=admin, role="admin")
    return admin


async def test_propose_accept_end(client: httpx.AsyncClient, world: World) -> None:
    alpha_admin, beta_admin = await api_token(world.network_admin), await api_token(await _beta_admin(world))
    proposed = await client.post(ALPHA, json={"partner": "rete-beta"}, headers=alpha_admin)
    assert proposed.status_code == 201, proposed.text
    row = proposed.json()
    assert (row["network"], row["partner"], row["status"]) == ("rete-alfa", "rete-beta", "proposed")
    decision = f"/{row['id']}/decision"
    # the proposer cannot accept its own proposal; the coordinator is not an admin
    assert (await client.post(ALPHA + decision, json={"action": "accept"}, headers=alpha_admin)).status_code == 409
    coordinator = await api_token(world.coordinator)
    assert (await client.post(ALPHA + decision, json={"action": "end"}, headers=coordinator)).status_code == 403
    # the partner network sees it and accepts
    listed = await client.get(BETA, headers=beta_admin)
    assert [p["status"] for p in listed.json()] == ["proposed"]
    accepted = await client.post(BETA + decision, json={"action": "accept"}, headers=beta_admin)
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    assert (await client.get("/api/v1/networks/rete-alfa")).json()["partners"] == ["rete-beta"]
    assert (await client.get("/api/v1/networks/rete-beta")).json()["partners"] == ["rete-alfa"]
    # either side can end it, once
    ended = await client.post(ALPHA + decision, json={"action": "end"}, headers=alpha_admin)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert (await client.post(BETA + decision, json={"action": "end"}, headers=beta_admin)).status_code == 409
    assert (await client.get("/api/v1/networks/rete-alfa")).json()["partners"] == []
    actions = await AuditEntry.filter(action__startswith="partnership.").order_by("id").values_list(
        "action", flat=True)
    assert actions == ["partnership.proposed", "partnership.accepted", "partnership.ended"]


async def test_proposing_back_is_accepting(client: httpx.AsyncClient, world: World) -> None:
    beta_admin = await api_token(await _beta_admin(world))
    await client.post(ALPHA, json={"partner": "rete-beta"}, headers=await api_token(world.network_admin))
    back = await client.post(BETA, json={"partner": "rete-alfa"}, headers=beta_admin)
    assert back.status_code == 201
    assert back.json()["status"] == "active" and back.json()["network"] == "rete-alfa"
    assert await Partnership.all().count() == 1
    again = await client.post(BETA, json={"partner": "rete-alfa"}, headers=beta_admin)
    assert again.status_code == 409


async def test_only_admins_propose(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.post(ALPHA, json={"partner": "rete-beta"})).status_code == 401
    for person in (world.coordinator, world.coop_admin, world.outsider):
        response = await client.post(ALPHA, json={"partner": "rete-beta"}, headers=await api_token(person))
        assert response.status_code == 403
    await sign_in(client, world.coordinator)
    assert (await client.get("/n/rete-alfa/manage/partners")).status_code == 403
    assert not await Partnership.exists()


async def test_partner_must_be_another_network(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.network_admin)
    for slug in ("rete-alfa", "nessuna-rete"):
        response = await client.post(ALPHA, json={"partner": slug}, headers=headers)
        assert response.status_code == 422 and "partner" in response.json()["errors"]
    malformed = await client.post(ALPHA, json={"partner": "Not A Slug"}, headers=headers)
    assert malformed.status_code == 422 and "partner" in malformed.json()["errors"]


async def test_list_shows_proposals_to_admins_only(client: httpx.AsyncClient, world: World) -> None:
    await client.post(ALPHA, json={"partner": "rete-beta"}, headers=await api_token(world.network_admin))
    assert (await client.get(ALPHA)).json() == []
    assert (await client.get(ALPHA, headers=await api_token(world.member))).json() == []
    admin_view = (await client.get(ALPHA, headers=await api_token(world.network_admin))).json()
    assert [(p["partner"], p["status"]) for p in admin_view] == [("rete-beta", "proposed")]


async def test_html_propose_and_accept(client: httpx.AsyncClient, new_client, world: World) -> None:
    page = "/n/rete-alfa/manage/partners"
    await sign_in(client, world.network_admin)
    response = await post_form(client, page, {"partner": "rete-beta"}, token_from=page)
    assert response.status_code == 303
    row = await Partnership.get(network=world.alpha, partner=world.beta)
    beta_browser = new_client()
    await sign_in(beta_browser, await _beta_admin(world))
    beta_page = "/n/rete-beta/manage/partners"
    listing = await beta_browser.get(beta_page)
    assert f"/manage/partners/{row.id}/accept" in listing.text
    accepted = await post_form(beta_browser, f"{beta_page}/{row.id}/accept", token_from=beta_page)
    assert accepted.status_code == 303
    assert (await Partnership.get(id=row.id)).status == "active"
    home = await client.get("/n/rete-alfa/")
    assert 'href="/n/rete-beta/"' in home.text
    bad = await post_form(client, page, {"partner": "rete-alfa"}, token_from=page)
    assert bad.status_code == 422 and 'id="e-partner"' in bad.text
