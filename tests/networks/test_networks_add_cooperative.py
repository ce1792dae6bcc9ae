"""Adding a cooperative to a network, by HTML form and by the API; invalid input writes nothing."""

import re

import httpx
import pytest
from conftest import World, api_token, post_form, sign_in

from federa.audit.models import AuditEntry
from federa.networks.models import Cooperative, CooperativeSector, Membership, MembershipChange
from federa.networks.reference import make_tax_code

NEW = "/n/rete-alfa/directory/new"
API = "/api/v1/networks/rete-alfa/cooperatives"
GOOD = {"legal_name": "Cooperativa Nuova", "coop_type": "B", "tax_code": make_tax_code(777), "province": "MI",
        "city": "Milano", "email": "info@nuova.example.org", "website": "https://nuova.example.org"}
BAD = {
    "tax_code": "12345678901",
    "province": "ZZ",
    "sectors": ["astronautica"],
    "email": "not-an-email@",
    "legal_name": "x" * 201,
}


async def _written() -> tuple[int, int, int]:
    return await Cooperative.all().count(), await Membership.all().count(), await MembershipChange.all().count()


async def test_add_by_form(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.coordinator)
    response = await post_form(client, NEW, {**GOOD, "sectors": ["minori", "anziani"], "is_public": "on"},
                               token_from=NEW)
    assert response.status_code == 303, response.text
    coop = await Cooperative.get(tax_code=GOOD["tax_code"])
    assert response.headers["location"] == f"/n/rete-alfa/cooperatives/{coop.id}"
    assert coop.coop_type == "B" and coop.is_public and coop.email == GOOD["email"]
    assert sorted(await CooperativeSector.filter(cooperative=coop).values_list("sector", flat=True)) == [
        "anziani", "minori"]
    membership = await Membership.get(cooperative=coop)
    assert membership.network_id == world.alpha.id and membership.status == "active"
    assert membership.started_at is not None
    change = await MembershipChange.get(membership=membership)
    assert change.to_status == "active" and change.actor_id == world.coordinator.id
    assert await AuditEntry.exists(action="cooperative.added", network_id=world.alpha.id, actor_id=world.coordinator.id,
                                   object_id=str(coop.id))
    page = await client.get(response.headers["location"])
    assert page.status_code == 200 and "Cooperativa Nuova" in page.text


async def test_add_by_api(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.network_admin)
    services = [{"name": "Centro diurno", "audience": "Anziani", "access": "Su appuntamento"}]
    response = await client.post(API, json={**GOOD, "sectors": ["minori"], "services": services}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["membership_status"] == "active" and body["sectors"] == ["minori"]
    assert body["services"] == services
    assert await MembershipChange.filter(network_id=world.alpha.id, to_status="active").count() == 1
    assert await AuditEntry.exists(action="cooperative.added", network_id=world.alpha.id)


@pytest.mark.parametrize("field", list(BAD))
async def test_invalid_field_by_form(client: httpx.AsyncClient, world: World, field: str) -> None:
    await sign_in(client, world.coordinator)
    before = await _written()
    response = await post_form(client, NEW, {**GOOD, field: BAD[field]}, token_from=NEW)
    assert response.status_code == 422
    # the message sits beside the field, and only that field is marked
    assert len(re.findall(r'class="field-error" id="e-([a-z_]+)"', response.text)) == 1
    assert f'id="e-{field}"' in response.text
    assert 'value="Milano"' in response.text  # what was typed is kept
    assert await _written() == before


async def test_invalid_fields_by_api(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.coordinator)
    before = await _written()
    response = await client.post(API, json={**GOOD, **BAD}, headers=headers)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(BAD)
    assert all(response.json()["errors"].values())
    missing = await client.post(API, json={"legal_name": "Solo Nome"}, headers=headers)
    assert missing.status_code == 422
    assert {"coop_type", "tax_code", "province"} <= set(missing.json()["errors"])
    unknown = await client.post(API, json={**GOOD, "network_id": 2}, headers=headers)
    assert unknown.status_code == 422 and "network_id" in unknown.json()["errors"]
    assert await _written() == before


async def test_duplicate_tax_code(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.coordinator)
    taken = {**GOOD, "tax_code": world.beta_coop.tax_code}  # registered by another network
    before = await _written()
    response = await client.post(API, json=taken, headers=headers)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["tax_code"]
    await sign_in(client, world.coordinator)
    form = await post_form(client, NEW, taken, token_from=NEW)
    assert form.status_code == 422 and 'id="e-tax_code"' in form.text
    assert await _written() == before


async def test_only_coordinators_add(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.post(API, json=GOOD)).status_code == 401
    for person in (world.member, world.coop_admin, world.outsider):
        response = await client.post(API, json=GOOD, headers=await api_token(person))
        assert response.status_code == 403
    await sign_in(client, world.member)
    assert (await client.get(NEW)).status_code == 403
    assert not await Cooperative.exists(tax_code=GOOD["tax_code"])
