"""Demo data from shared/domain: four networks, Lombardy cooperatives by province and sector, demo accounts,
training events (demo_events.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from federa import demo_discussions, demo_events, demo_groups, demo_identity, demo_library, demo_provider
from federa.accounts.models import Affiliation, NetworkRole, Person
from federa.networks.models import (
    Cooperative,
    CooperativeSector,
    CooperativeService,
    Membership,
    MembershipChange,
    Network,
    Partnership,
)
from federa.networks.reference import make_tax_code, provinces
from federa.web.security import hash_password

DEMO_PASSWORD = "federa-demo-2026"  # noqa: S105 -- public, printed by make run

NETWORKS = [
    ("legacoopsociali", "Legacoopsociali", "association", "Italia",
     "Associazione nazionale che organizza e rappresenta le cooperative sociali aderenti a Legacoop "
     "e ne promuove lo sviluppo progettuale, sociale e imprenditoriale."),
    ("consorzio-light", "Consorzio Sociale Light", "consortium", "Lombardia",
     "Consorzio regionale di cooperative sociali lombarde aderenti a Legacoop: luogo d'incontro e di "
     "scambio tra bisogni, risposte, conoscenze ed esperienze della cooperazione sociale."),
    ("umana-persone", "Umana Persone", "enterprise_network", "Toscana",
     "Rete di tredici imprese sociali che offre soluzioni personalizzate per la cura e il benessere "
     "della famiglia, dei lavoratori e della comunità."),
    ("consorzio-metropoli", "Consorzio Metropoli", "consortium", "Toscana",
     "Consorzio di cooperative sociali della Città Metropolitana di Firenze."),
]
PARTNERS = [("consorzio-light", "legacoopsociali"), ("consorzio-metropoli", "umana-persone")]

# Source 001, "La presenza regionale per settore": one cooperative per entry.
LOMBARDY = {
    "BG": ["varie"],
    "CO": ["minori", "anziani", "psichiatria", "disabili"],
    "BS": ["minori", "minori", "disabili", "disabili", "anziani"],
    "MI": ["anziani", "riabilitazione", "varie", "psichiatria", "minori"],
    "MN": ["disabili"],
    "PV": ["riabilitazione", "anziani", "minori", "minori", "varie", "disabili", "disabili", "anziani"],
    "CR": ["minori", "anziani", "varie", "disabili", "anziani"],
}
NAME_WORDS = ["Arcobaleno", "Il Sentiero", "La Rete", "Il Ponte", "Orizzonti", "La Bottega", "Il Girasole",
              "Terra Nuova", "Il Faro", "La Quercia", "Insieme", "Il Melograno", "Sole", "La Tenda",
              "Il Seme", "Aurora", "Il Mosaico", "La Fonte", "Il Cammino", "Germogli", "La Casa", "Spazio Aperto",
              "Il Volo", "La Lanterna", "Il Grappolo", "Koinè", "La Strada", "Prisma", "Il Timone", "Libeccio"]
UMANA = ["Coop21", "Cooperativa Sociale Le Rondini", "Cooperativa Sociale Oltrarno Insieme",
         "Cooperativa Sociale Il Glicine", "Cooperativa Sociale Val di Sieve", "Cooperativa Sociale La Piazza",
         "Cooperativa Sociale Ponte Vecchio"]

ACCOUNTS = [
    ("admin@federa.example.org", "Amministrazione Federa", "platform administrator"),
    ("coordinatore@legacoopsociali.example.org", "Giulia Ferri", "coordinator, legacoopsociali"),
    ("amministratore@legacoopsociali.example.org", "Marco Bellini", "network admin, legacoopsociali"),
    ("coordinatore@consorzio-light.example.org", "Paola Sala", "coordinator, consorzio-light"),
    ("coordinatore@umana-persone.example.org", "Lorenzo Guidi", "coordinator, umana-persone"),
    ("admin@coop21.example.org", "Elena Rinaldi", "cooperative admin, Coop21"),
    ("socio@coop21.example.org", "Davide Conti", "member, Coop21"),
]


async def load(*, large: bool = False, echo: Callable[[str], object] = print) -> None:
    """Load the demo (idempotent per network slug: an existing demo is left as it is)."""
    if await Network.exists(slug="legacoopsociali"):
        echo("Demo networks exist already; skipping the small demo.")
    else:
        async with in_transaction():
            await _load_small()
        echo("Loaded the demo networks, cooperatives, accounts and training events.")
    if large:
        await _load_large(echo)
    # The loaders write rows directly: build the search index from them (both scales, idempotent).
    from federa.search import index

    echo(f"Indexed {await index.reindex()} search entries.")


async def _load_small() -> None:
    now = datetime.now(UTC)
    nets = {slug: await Network.create(slug=slug, name=name, kind=kind, region=region, description=desc)
            for slug, name, kind, region, desc in NETWORKS}
    for a, b in PARTNERS:
        await Partnership.create(network=nets[a], partner=nets[b], status="active", decided_at=now)
    password = hash_password(DEMO_PASSWORD)
    people = {email: await Person.create(email=email, name=name, password_hash=password, email_verified_at=now,
                                         is_platform_admin=email.startswith("admin@federa"))
              for email, name, _ in ACCOUNTS}
    await NetworkRole.create(network=nets["legacoopsociali"], person=people[ACCOUNTS[1][0]], role="coordinator")
    await NetworkRole.create(network=nets["legacoopsociali"], person=people[ACCOUNTS[2][0]], role="admin")
    await NetworkRole.create(network=nets["consorzio-light"], person=people[ACCOUNTS[3][0]], role="coordinator")
    await NetworkRole.create(network=nets["consorzio-light"], person=people[ACCOUNTS[3][0]], role="admin")
    await NetworkRole.create(network=nets["umana-persone"], person=people[ACCOUNTS[4][0]], role="coordinator")
    await NetworkRole.create(network=nets["umana-persone"], person=people[ACCOUNTS[4][0]], role="admin")
    await NetworkRole.create(network=nets["consorzio-metropoli"], person=people[ACCOUNTS[0][0]], role="admin")

    seed = 1000
    index = 0
    for code, sectors in LOMBARDY.items():
        for sector in sectors:
            index += 1
            seed += 7
            coop = await _coop(f"Cooperativa Sociale {NAME_WORDS[index % len(NAME_WORDS)]} {code}", "A"
                               if sector != "varie" else "B", seed, code, [sector])
            for slug in ("consorzio-light", "legacoopsociali"):
                await _member(nets[slug], coop, "active", now)

    for i, name in enumerate(UMANA):
        seed += 7
        coop = await _coop(name, "A", seed, "PO" if i % 3 == 2 else "FI", ["minori", "anziani"][: 1 + i % 2],
                           city="Bagno a Ripoli" if name == "Coop21" else "Firenze")
        await _member(nets["umana-persone"], coop, "active", now)
        if name == "Coop21":
            await _member(nets["consorzio-metropoli"], coop, "active", now)
            await CooperativeService.create(
                cooperative=coop, name="Educativa di strada", position=0,
                audience="Ragazze e ragazzi dagli 11 ai 18 anni della zona fiorentina sud est",
                access="Sportello al Centro giovani, dal lunedì al venerdì 15-19; telefono del servizio")
            await CooperativeService.create(
                cooperative=coop, name="Tutoraggio scolastico e DSA", position=1,
                audience="Famiglie con figli con disturbi specifici dell'apprendimento",
                access="Su appuntamento, scrivendo all'indirizzo della cooperativa")
            await Affiliation.create(person=people["admin@coop21.example.org"], cooperative=coop, role="admin")
            await Affiliation.create(person=people["socio@coop21.example.org"], cooperative=coop, role="member")
    # A cooperative only in Consorzio Metropoli: its people reach Umana Persone's events open to partners.
    seed += 7
    coop = await _coop(demo_events.METROPOLI_COOP, "A", seed, "FI", ["minori", "immigrazione"], city="Firenze")
    await _member(nets["consorzio-metropoli"], coop, "active", now)
    # Two requests waiting for legacoopsociali's coordinators.
    for i, code in enumerate(("FI", "BO")):
        seed += 7
        coop = await _coop(f"Cooperativa Sociale {NAME_WORDS[-1 - i]} {code}", "B", seed, code,
                           ["inserimento_lavorativo"])
        await _member(nets["legacoopsociali"], coop, "requested", now)
    await demo_events.load(nets, people, now)
    await demo_groups.load(nets, now)
    await demo_discussions.load(nets, now)
    await demo_library.load(nets, people)
    await demo_provider.load(nets, people)
    await demo_identity.load(nets, people)


async def _coop(name: str, coop_type: str, seed: int, province: str, sectors: list[str], *,
                city: str = "") -> Cooperative:
    coop = await Cooperative.create(
        legal_name=name, coop_type=coop_type, tax_code=make_tax_code(seed), province=province,
        city=city or provinces()[province].name, website="https://example.org/",
        email=f"info{seed}@example.org",
        description="Cooperativa sociale che gestisce servizi socio-assistenziali, educativi e di inserimento "
                    "lavorativo sul territorio.")
    for sector in dict.fromkeys(sectors):
        await CooperativeSector.create(cooperative=coop, sector=sector)
    return coop


async def _member(network: Network, coop: Cooperative, status: str, now: datetime) -> None:
    membership = await Membership.create(network=network, cooperative=coop, status=status,
                                         started_at=now if status == "active" else None)
    await MembershipChange.create(network=network, membership=membership, to_status=status, note="demo")


async def _load_large(echo: Callable[[str], object]) -> None:
    """~2,300 cooperatives and ~50,000 people in legacoopsociali, in bulk (for benchmarks)."""
    network = await Network.get(slug="legacoopsociali")
    if await Cooperative.filter(tax_code=make_tax_code(9_000_000)).exists():
        echo("The large demo is loaded already.")
        return
    rng = random.Random(2300)
    codes = list(provinces())
    sectors = ["minori", "anziani", "disabili", "psichiatria", "riabilitazione", "inserimento_lavorativo",
               "infanzia", "immigrazione", "dipendenze", "varie"]
    now = datetime.now(UTC)
    async with in_transaction():
        coops = [Cooperative(legal_name=f"Cooperativa Sociale {NAME_WORDS[i % len(NAME_WORDS)]} {i:04d}",
                             coop_type=rng.choice("AAAAB" if i % 23 else "C"),
                             tax_code=make_tax_code(9_000_000 + i), province=rng.choice(codes),
                             city="", description="Cooperativa sociale.", is_public=i % 10 != 0)
                 for i in range(2300)]
        await Cooperative.bulk_create(coops, batch_size=500)
        created = await Cooperative.filter(tax_code__gte=make_tax_code(9_000_000)).order_by("id")
        await CooperativeSector.bulk_create(
            [CooperativeSector(cooperative_id=c.id, sector=s) for c in created
             for s in rng.sample(sectors, rng.randint(1, 3))], batch_size=1000)
        await Membership.bulk_create(
            [Membership(network_id=network.id, cooperative_id=c.id, status="active" if i % 50 else "suspended",
                        started_at=now) for i, c in enumerate(created)], batch_size=1000)
        people = [Person(email=f"persona{i:05d}@large.example.org", name=f"Persona {i:05d}")
                  for i in range(50_000)]
        await Person.bulk_create(people, batch_size=2000)
        ids = await Person.filter(email__endswith="@large.example.org").order_by("id").values_list("id", flat=True)
        await Affiliation.bulk_create(
            [Affiliation(person_id=pid, cooperative_id=created[i % len(created)].id, role="member")
             for i, pid in enumerate(ids)], batch_size=2000)
    echo("Loaded the large demo: 2,300 cooperatives and 50,000 people in legacoopsociali.")


def print_accounts(echo: Callable[[str], object] = print) -> None:
    echo("")
    echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, _name, role in ACCOUNTS:
        echo(f"  {email:45} {role}")
