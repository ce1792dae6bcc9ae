"""The search benchmark's data: network `bench-ricerca` with 100,000 library items and 10,000 discussion
threads (20,000 posts), written with COPY, and their index entries built by Federa's own builders
(federa.search.documents) and written with COPY too. Created once in the bench database.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

SLUG = "bench-ricerca"
PARTNER = "bench-ricerca-partner"
MEMBER = ("membro@bench-ricerca.example.org", "bench-ricerca-2026")
ITEMS, THREADS, GROUPS = 100_000, 10_000, 50
BATCH = 2_000
SECTORS = ["minori", "anziani", "disabili", "psichiatria", "riabilitazione", "inserimento_lavorativo", "infanzia",
           "immigrazione", "dipendenze", "varie"]
# Words of the field, most frequent first: drawn with a Zipf-like weight, so a few are everywhere (as
# "cooperativa" is) and most are rare.
_HEAD = """
cooperativa sociale servizi persone formazione lavoro progetto territorio comunità rete famiglie operatori
educatori inserimento lavorativo minori anziani disabilità accoglienza percorso sostegno assistenza domiciliare
centro diurno struttura residenziale comune azienda sanitaria bando regione finanziamento valutazione qualità
bilancio trasparenza volontari giovani scuola doposcuola tutoraggio orientamento tirocinio borsa lavoro
agricoltura orto laboratorio artigianato ristorazione mensa pulizie manutenzione verde pubblico logistica
magazzino trasporto sociale mediazione culturale migranti richiedenti asilo lingua italiana alfabetizzazione
salute mentale psichiatria riabilitazione dipendenze prevenzione riduzione danno strada unità mobile ascolto
sportello consulenza legale abitare casa housing autonomia dopo di noi caregiver sollievo respite demenza
alzheimer memoria stimolazione cognitiva fisioterapia piscina sport inclusione disabili autismo comunicazione
aumentativa tecnologie assistive domotica telemedicina digitale piattaforma dati privacy sicurezza lavoratori
contratto collettivo turni straordinari ferie malattia infortuni formazione obbligatoria antincendio primo
soccorso haccp rischio stress burnout supervisione équipe coordinamento riunione verbale assemblea soci
consiglio amministrazione statuto regolamento codice etico modello organizzativo vigilanza revisione
certificazione accreditamento convenzione appalto coprogettazione coprogrammazione amministrazione condivisa
patto collaborazione beni comuni quartiere periferia biblioteca teatro musica arte fotografia video radio
giornalino festa mercato solidale commercio equo riuso riciclo ambiente energia rinnovabile mobilità bicicletta
città metropolitana provincia montagna aree interne spopolamento welfare generativo innovazione impatto
misurazione indicatori rendicontazione sociale relazione annuale donatori raccolta fondi cinque per mille
crowdfunding fondazione banca credito microcredito povertà educativa alimentare emergenza freddo dormitorio
senza dimora carcere detenuti misure alternative giustizia riparativa vittime violenza donne antiviolenza
nido infanzia ludoteca centro estivo adolescenti educativa famiglia affido adozione tutela neuropsichiatria
"""
VOCABULARY = _HEAD.split()


_SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo la le li lo lu ma me mi mo mu na ne ni no " \
            "nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo zu"
SYLLABLES = _SYLLABLES.split()


def _vocabulary() -> list[str]:
    """The words above, then 20,000 made-up ones: a real corpus has a long tail of rare words."""
    rng = random.Random(20_000)
    made_up = {"".join(rng.choices(SYLLABLES, k=rng.randint(3, 5))) for _ in range(22_000)}
    return VOCABULARY + sorted(made_up - set(VOCABULARY))[:20_000]


WORDS = _vocabulary()


def _weights() -> list[float]:
    """Cumulative weights (computed once: random.choices would add them up again on every call)."""
    return list(itertools.accumulate(1 / (rank + 8) for rank in range(len(WORDS))))


def words(rng: random.Random, n: int, weights: list[float]) -> str:
    return " ".join(rng.choices(WORDS, cum_weights=weights, k=n))


async def _setup(now: datetime) -> dict[str, Any]:
    """The networks, a member cooperative, the member (in 5 of the 50 groups) and the groups (ORM)."""
    from federa.accounts.models import Affiliation, Person
    from federa.groups.models import GroupMember, WorkingGroup
    from federa.networks.models import Cooperative, Membership, Network, Partnership
    from federa.networks.reference import make_tax_code
    from federa.web.security import hash_password

    network = await Network.create(slug=SLUG, name="Bench ricerca", kind="consortium")
    partner = await Network.create(slug=PARTNER, name="Bench ricerca partner", kind="consortium")
    await Partnership.create(network=network, partner=partner, status="active", decided_at=now)
    coop = await Cooperative.create(tax_code=make_tax_code(990_044), legal_name="Cooperativa Ricerca",
                                    province="BO", description="Cooperativa sociale di servizi educativi.")
    await Membership.create(network=network, cooperative=coop, status="active", started_at=now)
    member = await Person.create(email=MEMBER[0], name="Membro Ricerca", password_hash=hash_password(MEMBER[1]))
    await Affiliation.create(person=member, cooperative=coop, role="member", status="active")
    groups = [await WorkingGroup.create(network=network, name=f"Gruppo di lavoro {i:02d}", sector=SECTORS[i % 10],
                                        visibility="hidden" if i % 5 == 4 else "listed") for i in range(GROUPS)]
    for g in groups[:5]:
        await GroupMember.create(network=network, group=g, person=member)
    return {"network": network.id, "partner": partner.id, "member": member.id, "coop": coop.id,
            "groups": [g.id for g in groups]}


async def _copy_items(con: asyncpg.Connection, ids: dict[str, Any], rng: random.Random, now: datetime) -> None:
    w = _weights()
    visibilities = ["network"] * 6 + ["partners"] * 2 + ["public", "group"]
    rows = []
    for i in range(ITEMS):
        visibility = visibilities[i % 10]
        network = ids["partner"] if i % 20 == 7 else ids["network"]  # 5 % belong to the partner network
        group = ids["groups"][i % GROUPS] if visibility == "group" and network == ids["network"] else None
        if visibility == "group" and group is None:
            visibility = "network"
        body = words(rng, rng.randint(60, 240), w)
        secs = "," + ",".join(sorted(set(rng.sample(SECTORS, rng.randint(1, 2))))) + ","
        when = now - timedelta(days=rng.randint(0, 900), minutes=i % 1440)
        rows.append((network, "article" if i % 4 else "document", words(rng, rng.randint(4, 9), w).capitalize(),
                     words(rng, 20, w), body if i % 4 else "", "", secs, "", "it", visibility, group,
                     "", "", "", 0, "", body if i % 4 == 0 else "", 0, 0, when, when))
    await con.copy_records_to_table("library_item", records=rows, columns=[
        "network_id", "kind", "title", "summary", "body", "body_html", "sectors", "tags", "language", "visibility",
        "group_id", "filename", "content_type", "sha256", "size", "storage_key", "extracted_text", "useful_count",
        "comment_count", "created_at", "updated_at"])


async def _copy_threads(con: asyncpg.Connection, ids: dict[str, Any], rng: random.Random, now: datetime) -> None:
    w = _weights()
    threads = []
    for i in range(THREADS):
        when = now - timedelta(days=rng.randint(0, 700), minutes=i)
        threads.append((ids["network"], ids["groups"][i % GROUPS], words(rng, rng.randint(3, 8), w).capitalize(),
                        ids["member"], when, when, 2, False, False))
    await con.copy_records_to_table("discussion_thread", records=threads, columns=[
        "network_id", "group_id", "title", "author_id", "created_at", "last_post_at", "post_count", "pinned",
        "locked"])
    thread_ids = await con.fetch("SELECT id, created_at FROM discussion_thread WHERE network_id = $1 ORDER BY id",
                                 ids["network"])
    posts = [(ids["network"], t["id"], ids["member"], words(rng, rng.randint(20, 120), w), "", t["created_at"])
             for t in thread_ids for _ in range(2)]
    await con.copy_records_to_table("discussion_post", records=posts, columns=[
        "network_id", "thread_id", "author_id", "body", "body_html", "created_at"])


async def _copy_entries(con: asyncpg.Connection, ids: dict[str, Any]) -> int:
    """Index entries built by Federa's builders, batch by batch, written with COPY."""
    from federa.search.documents import BUILDERS
    from federa.search.index import _entry

    written = 0
    columns = ["network_id", "kind", "object_id", "title", "body", "path", "sectors", "language", "date", "tokens",
               "shared", "title_stem", "body_stem", "updated_at"]
    for kind, table in (("library_item", "library_item"), ("thread", "discussion_thread"),
                        ("group", "working_group"), ("cooperative", None)):
        if table is None:
            object_ids = [ids["coop"]]
        else:
            object_ids = [r["id"] for r in await con.fetch(
                f"SELECT id FROM {table} WHERE network_id = ANY($1::int[]) ORDER BY id",
                [ids["network"], ids["partner"]])]
        for start in range(0, len(object_ids), BATCH):
            entries = [_entry(d) for d in await BUILDERS[kind](object_ids[start:start + BATCH])]
            now = datetime.now(UTC)
            await con.copy_records_to_table("search_entry", columns=columns, records=[
                (e.network_id, e.kind, e.object_id, e.title, e.body, e.path, e.sectors, e.language, e.date, e.tokens,
                 e.shared, e.title_stem, e.body_stem, now) for e in entries])
            written += len(entries)
    return written


async def ensure(url: str) -> dict[str, Any]:
    """Load the data once (Tortoise for the few rows, COPY for the many); what the benchmark needs."""
    from federa import db
    from federa.accounts.models import Person
    from federa.accounts.services import create_api_token
    from federa.networks.models import Network

    await db.open_database(url)
    try:
        network = await Network.get_or_none(slug=SLUG)
        con = await asyncpg.connect(url)
        try:
            if network is None:
                now = datetime.now(UTC).replace(microsecond=0)
                rng = random.Random(4004)
                ids = await _setup(now)
                print("search bench: writing 100,000 library items and 10,000 threads (COPY)")
                await _copy_items(con, ids, rng, now)
                await _copy_threads(con, ids, rng, now)
                print(f"search bench: indexed {await _copy_entries(con, ids):,} entries")
                await con.execute("ANALYZE")
                network = await Network.get(slug=SLUG)
            member = await Person.get(email=MEMBER[0])
            _row, token = await create_api_token(member, "bench")
            count = await con.fetchval("SELECT count(*) FROM search_entry WHERE network_id = $1", network.id)
        finally:
            await con.close()
        return {"network": network.id, "member": member.id, "token": token, "entries": count}
    finally:
        await db.close_database()
