"""The demo data follows shared/domain: networks, partners, Coop21 in two networks, Lombardy presence."""

from federa import demo
from federa.accounts.models import Affiliation, NetworkRole, Person
from federa.networks.models import Cooperative, Membership, Network, Partnership
from federa.networks.queries import presence_matrix
from federa.web.security import verify_password


async def test_demo_loads_once_with_the_documented_shape() -> None:
    await demo.load()
    await demo.load()  # a second load changes nothing
    slugs = set(await Network.all().values_list("slug", flat=True))
    assert slugs == {"legacoopsociali", "consorzio-light", "umana-persone", "consorzio-metropoli"}
    pairs = {(p.network.slug, p.partner.slug) for p in await Partnership.filter(status="active").select_related(
        "network", "partner")}
    assert pairs == {("consorzio-light", "legacoopsociali"), ("consorzio-metropoli", "umana-persone")}
    coop21 = await Cooperative.get(legal_name="Coop21")
    in_networks = set(await Membership.filter(cooperative=coop21, status="active").values_list(
        "network__slug", flat=True))
    assert in_networks == {"consorzio-metropoli", "umana-persone"}
    for email, _name, _role in demo.ACCOUNTS:
        person = await Person.get(email=email)
        assert verify_password(person.password_hash, demo.DEMO_PASSWORD)
    assert (await Person.get(email="admin@federa.example.org")).is_platform_admin
    assert await NetworkRole.exists(person__email="coordinatore@legacoopsociali.example.org",
                                    network__slug="legacoopsociali", role="coordinator")
    assert await Affiliation.exists(person__email="admin@coop21.example.org", cooperative=coop21, role="admin")
    light = await Network.get(slug="consorzio-light")
    matrix = await presence_matrix(light)
    # Source 001: Pavia has two cooperatives for minors, Como one for mental health.
    assert matrix[("PV", "minori")] == 2
    assert matrix[("CO", "psichiatria")] == 1
    assert sum(matrix.values()) == sum(len(v) for v in demo.LOMBARDY.values())
