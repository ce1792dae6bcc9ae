"""Demo working groups: a cross-network group of Umana Persone open to Consorzio Metropoli's people, groups
with each join policy, a hidden one, a request waiting and an invitation to answer (called from demo.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from federa import demo_events
from federa.accounts.models import Person
from federa.events.models import Event
from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember, WorkingGroup
from federa.networks.models import Network
from federa.search import index
from federa.web.markdown import render_markdown
from federa.web.security import hash_token, new_token

UMANA_COORD = "coordinatore@umana-persone.example.org"
COOP21_ADMIN = "admin@coop21.example.org"
COOP21_MEMBER = "socio@coop21.example.org"


@dataclass
class GroupSpec:
    key: str
    network: str
    name: str
    purpose: str
    sector: str
    join_policy: str
    coordinators: list[str]
    members: list[str] = field(default_factory=list)
    visibility: str = "listed"
    open_to_partners: bool = False


def specs() -> list[GroupSpec]:
    people = demo_events.participants()
    umana = [e for e, _n in people["umana"]]
    metropoli = [e for e, _n in people["metropoli"]]
    lombard = [e for e, _n in people["lombard"]]
    return [
        GroupSpec(
            "strada", "umana-persone", "Educativa di strada – rete fiorentina",
            "Educatrici ed educatori di **Umana Persone** e del **Consorzio Metropoli** si confrontano sul "
            "lavoro di strada con ragazze e ragazzi dagli 11 ai 18 anni.\n\n"
            "- una mappa condivisa dei luoghi di aggregazione\n- strumenti comuni di osservazione\n"
            "- un incontro al mese, a turno nelle sedi delle cooperative",
            "minori", "request", [UMANA_COORD, COOP21_ADMIN], [COOP21_MEMBER, *umana[:4], *metropoli],
            open_to_partners=True),
        GroupSpec(
            "anziani", "umana-persone", "Qualità nei servizi per anziani",
            "Indicatori di qualità, questionari per le famiglie e buone pratiche nei centri diurni e "
            "nell'assistenza domiciliare.", "anziani", "open", [UMANA_COORD], umana[4:9]),
        GroupSpec(
            "direzione", "umana-persone", "Tavolo di direzione",
            "Il coordinamento delle direzioni delle imprese della rete.", "", "invitation", [UMANA_COORD],
            visibility="hidden"),
        GroupSpec(
            "inserimento", "legacoopsociali", "Inserimento lavorativo e cooperative di tipo B",
            "Come accompagnare le persone svantaggiate nel lavoro: tutoraggio, rapporti con i servizi, "
            "convenzioni con le imprese.", "inserimento_lavorativo", "open",
            ["coordinatore@legacoopsociali.example.org"], lombard[:6]),
        GroupSpec(
            "minori_light", "consorzio-light", "Minori e famiglie",
            "Comunità educative, affido e sostegno alla genitorialità in Lombardia.", "minori", "request",
            ["coordinatore@consorzio-light.example.org"], lombard[6:12]),
    ]


async def load(nets: dict[str, Network], now: datetime) -> None:
    """The groups of specs(), a request waiting, an invitation, and a demo event organised by a group."""
    emails = {e for spec in specs() for e in (*spec.coordinators, *spec.members)}
    requester = demo_events.participants()["lombard"][12][0]
    emails |= {COOP21_MEMBER, COOP21_ADMIN, requester}
    people = {p.email: p for p in await Person.filter(email__in=list(emails))}
    groups: dict[str, WorkingGroup] = {}
    for spec in specs():
        groups[spec.key] = await _group(spec, nets[spec.network], people)
        await index.refresh("group", groups[spec.key].id)
    strada = groups["strada"]
    await Event.filter(network_id=strada.network_id, title=_partners_title()).update(group_id=strada.id)
    # A request waits for Consorzio Light's coordinator; an invitation to the hidden group waits for Coop21's admin.
    await GroupJoinRequest.create(network_id=groups["minori_light"].network_id, group=groups["minori_light"],
                                  person=people[requester], message="Lavoro in una comunità educativa.")
    await GroupInvitation.create(network_id=groups["direzione"].network_id, group=groups["direzione"],
                                 person=people[COOP21_ADMIN], email=COOP21_ADMIN, token_hash=hash_token(new_token()),
                                 invited_by=people[UMANA_COORD], expires_at=now + timedelta(days=14))


def _partners_title() -> str:
    return next(s.title for s in demo_events.specs() if s.key == "partners")


async def _group(spec: GroupSpec, network: Network, people: dict[str, Person]) -> WorkingGroup:
    everyone = [(e, "coordinator") for e in spec.coordinators] + [(e, "member") for e in spec.members]
    group = await WorkingGroup.create(
        network=network, name=spec.name, purpose=spec.purpose, purpose_html=render_markdown(spec.purpose),
        sector=spec.sector, join_policy=spec.join_policy, visibility=spec.visibility,
        open_to_partners=spec.open_to_partners, created_by=people[spec.coordinators[0]], member_count=len(everyone))
    await GroupMember.bulk_create([GroupMember(network_id=network.id, group_id=group.id, person_id=people[e].id,
                                               role=role) for e, role in everyone])
    return group
