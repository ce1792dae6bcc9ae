"""Demo training events: upcoming, full with a waiting list, a draft, a past one with attendance,
certificates and survey answers. Called by demo._load_small inside its transaction.

Rows are written directly (like the rest of the demo) but keep the services' invariants: confirmed_count is
the number of confirmed registrations, starts_at is the first session's start, sectors are stored as
",a,b,", description_html is render_markdown(description), nobody waits while a seat is free.
Dates are relative to today (Italian time), so the demo stays fresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from federa.accounts.models import Affiliation, Person
from federa.events.attendance import attended_share, new_code
from federa.events.models import (
    Attendance,
    Certificate,
    Event,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    SurveyResponse,
)
from federa.events.schemas import ROME
from federa.events.survey import STANDARD
from federa.networks.models import Cooperative, Membership, Network
from federa.web.markdown import render_markdown

R = RegistrationStatus
SOCIO = "socio@coop21.example.org"
COOP_ADMIN = "admin@coop21.example.org"

# Invented participants (example.org addresses): Lombard cooperatives (legacoopsociali and consorzio-light),
# Umana Persone cooperatives, and one cooperative only in Consorzio Metropoli (a partner of Umana Persone).
_FIRST = ["Chiara", "Matteo", "Sara", "Luca", "Francesca", "Andrea", "Silvia", "Stefano", "Valentina",
          "Alessandro", "Martina", "Federico", "Laura", "Simone", "Elisa", "Tommaso", "Giorgia", "Riccardo",
          "Anna", "Pietro", "Serena", "Nicola", "Ilaria", "Fabio", "Beatrice", "Giacomo", "Marta", "Emanuele",
          "Camilla", "Daniele", "Roberta", "Filippo", "Caterina", "Michele", "Noemi", "Jacopo", "Irene",
          "Gabriele"]
_LAST = ["Bianchi", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Costa", "Fontana", "Moretti",
         "Barbieri", "Lombardi", "Mariani", "Rizzo", "Caruso", "Ferrara", "Santoro", "Pellegrini", "Vitale",
         "Martini", "Leone", "Longo", "Gentile", "Villa", "Cattaneo", "Fabbri", "Benedetti", "Bernardi",
         "Sartori", "Parisi", "Neri", "Testa", "Orlando", "Monti", "Guerra", "Palumbo", "Riva", "Donati"]
LOMBARD_PEOPLE = 22
UMANA_PEOPLE = 14
METROPOLI_PEOPLE = 2
METROPOLI_COOP = "Cooperativa Sociale Arno Solidale"
COOP21_COLLEAGUE = 7  # umana participants are spread over the network's cooperatives: 0 and 7 work at Coop21

SURVEY_KEYS = [key for key, _label in STANDARD]  # the standard satisfaction questions


Booking = tuple[str, str, dict[str, str], str | None]  # person e-mail, status, answers, registered by e-mail


@dataclass
class Spec:
    """One demo event: sessions as (days from today, start, end) in Italian time; key names it in tests."""

    key: str
    network: str
    title: str
    description: str
    sessions: list[tuple[int, time, time]]
    capacity: int
    sectors: list[str] = field(default_factory=list)
    audience: str = "network"
    venue: str = ""
    province: str = ""
    online_url: str = ""
    status: str = EventStatus.PUBLISHED.value
    opens: int = -10      # registration opens, days from today
    closes: int | None = None  # registration closes, days from today (None: until the start)
    questions: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[Booking] = field(default_factory=list)


def _t(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


def _at(today: datetime, days: int, clock: time) -> datetime:
    """That many days from today at that Italian time, in UTC."""
    day = today.astimezone(ROME).date() + timedelta(days=days)
    return datetime.combine(day, clock, ROME).astimezone(UTC)


def _weekday(today: datetime, days: int, clock: time) -> datetime:
    """As _at, moved to the Monday after when that day falls on a weekend: courses are held on working days."""
    weekday = (today.astimezone(ROME).date() + timedelta(days=days)).weekday()
    return _at(today, days + (7 - weekday if weekday >= 5 else 0), clock)


def participants() -> dict[str, list[tuple[str, str]]]:
    """(e-mail, name) of the invented participants, by group."""
    people = [(f"{first.lower()}.{last.lower()}@partecipanti.example.org", f"{first} {last}")
              for first, last in zip(_FIRST, _LAST, strict=True)]
    a, b = LOMBARD_PEOPLE, LOMBARD_PEOPLE + UMANA_PEOPLE
    return {"lombard": people[:a], "umana": people[a:b], "metropoli": people[b:b + METROPOLI_PEOPLE]}


def _emails(group: str, start: int, stop: int) -> list[str]:
    return [email for email, _name in participants()[group][start:stop]]


def _confirmed(emails: list[str], answers: dict[str, str] | None = None) -> list[Booking]:
    return [(email, R.CONFIRMED.value, dict(answers or {}), None) for email in emails]


ROLES = ["Coordinatrice di servizio", "Educatore professionale", "Operatrice socio-sanitaria (OSS)",
         "Assistente sociale", "Responsabile qualità", "Infermiere"]
AREAS = ["Minori", "Anziani", "Disabili", "Psichiatria", "Riabilitazione"]


def _percorso_answers(i: int) -> dict[str, str]:
    answers = {"q0": ROLES[i % len(ROLES)], "q1": AREAS[i % len(AREAS)], "q2": "yes" if i % 3 else "no"}
    if i % 2 == 0:
        answers["q3"] = "Confrontarmi con altre cooperative sugli strumenti di rilevazione."
    return answers


def specs() -> list[Spec]:
    """The demo events, in the order they are created."""
    lombard, umana, metropoli = (_emails(g, 0, 99) for g in ("lombard", "umana", "metropoli"))
    return [
        Spec(
            key="percorso", network="consorzio-light",
            title="Percorso formativo – Lavorare in rete: qualità e rilevazione della soddisfazione",
            description=(
                "Un percorso in **quattro incontri** per coordinatrici, coordinatori e referenti qualità "
                "delle cooperative associate.\n\n"
                "## Programma\n\n"
                "1. Il sistema qualità del consorzio e delle cooperative\n"
                "2. Progettare la rilevazione della soddisfazione di utenti e famiglie\n"
                "3. Leggere i risultati e restituirli alle équipe\n"
                "4. Lavorare in rete: casi dalle province lombarde\n\n"
                "Il percorso vale **14 ore di formazione**; l'attestato di partecipazione è rilasciato a chi "
                "frequenta almeno il 75% delle ore."),
            sessions=[(d, _t(9, 30), _t(13)) for d in (8, 15, 22, 29)],
            capacity=25, sectors=["anziani", "disabili", "minori", "psichiatria"],
            venue="Consorzio Sociale Light, Via Tolmezzo 3, 20132 Milano", province="MI", closes=6,
            questions=[
                {"label": "Ruolo nella cooperativa", "kind": "text", "choices": [], "required": True},
                {"label": "Area di lavoro principale", "kind": "choice", "choices": AREAS, "required": True},
                {"label": "Ti serve l'attestato per i crediti formativi?", "kind": "yesno", "choices": [],
                 "required": False},
                {"label": "Che cosa ti aspetti dal percorso?", "kind": "text", "choices": [], "required": False},
            ],
            registrations=[(e, R.CONFIRMED.value, _percorso_answers(i), None) for i, e in enumerate(lombard[:9])],
        ),
        Spec(
            key="webinar", network="legacoopsociali",
            title="Webinar: Terzo settore, che cosa cambia per le cooperative sociali",
            description=(
                "Un aggiornamento di due ore sulla riforma del Terzo settore: registro unico, "
                "rendicontazione, rapporti con la pubblica amministrazione (co-programmazione e "
                "co-progettazione).\n\n"
                "Il webinar è **aperto a tutti**: il collegamento arriva alle persone iscritte con la "
                "conferma e compare nella pagina dell'evento."),
            sessions=[(12, _t(15), _t(17))], capacity=300, sectors=["inserimento_lavorativo", "varie"],
            audience="public", online_url="https://meet.example.org/legacoopsociali/terzo-settore",
            registrations=_confirmed(lombard[9:17] + umana[10:12]),
        ),
        Spec(
            key="nearly_full", network="legacoopsociali",
            title="Codice etico e modello organizzativo 231 nelle cooperative sociali",
            description=(
                "Una giornata di lavoro per consigli di amministrazione e responsabili di area: dal codice "
                "etico al modello di organizzazione e gestione, con esempi di cooperative di tipo A e B.\n\n"
                "- mattina: principi, responsabilità, organismo di vigilanza\n"
                "- pomeriggio: laboratorio sui casi portati dai partecipanti\n\n"
                "*Posti limitati*: iscrivetevi per tempo."),
            sessions=[(16, _t(9, 30), _t(17, 30))], capacity=20, sectors=["varie"],
            venue="Sala convegni, Via Guattani 9, 00161 Roma", province="RM", closes=13,
            registrations=_confirmed(lombard[:18]),
        ),
        Spec(
            key="draft", network="legacoopsociali",
            title="Laboratorio: il bilancio sociale delle cooperative di tipo B",
            description=("Bozza in preparazione. Come raccontare l'inserimento lavorativo con indicatori "
                         "chiari: strumenti, esempi e un modello da adattare."),
            sessions=[(40, _t(14, 30), _t(18))], capacity=40, sectors=["inserimento_lavorativo"],
            venue="Sede Legacoop, Viale Aldo Moro 16, 40127 Bologna", province="BO", status="draft",
        ),
        Spec(
            key="partners", network="umana-persone",
            title="Educativa di strada e lavoro di comunità: esperienze a confronto",
            description=(
                "Un pomeriggio per conoscere i modelli sperimentati dalle cooperative della rete, a partire "
                "dall'educativa di strada di Coop21 nella zona fiorentina sud est.\n\n"
                "L'incontro è **aperto anche alle cooperative delle reti partner**, come Consorzio Metropoli: "
                "trasferire i modelli che funzionano è il senso del lavorare in rete."),
            sessions=[(9, _t(15), _t(18, 30))], capacity=40, sectors=["minori"], audience="partners",
            venue="Centro giovani, Via di Rimaggio 36, 50012 Bagno a Ripoli", province="FI",
            registrations=[*_confirmed([SOCIO]), *_confirmed(metropoli), *_confirmed(umana[:5])],
        ),
        Spec(
            key="full", network="umana-persone",
            title="Primo soccorso pediatrico e BLSD per educatrici ed educatori",
            description=(
                "Corso pratico con istruttori certificati: manovre di disostruzione, rianimazione "
                "cardiopolmonare pediatrica, uso del defibrillatore.\n\n"
                "I posti sono **12** per permettere a ciascuno di esercitarsi sui manichini; quando il "
                "corso è completo ci si può mettere in lista d'attesa."),
            sessions=[(5, _t(9), _t(17))], capacity=12, sectors=["infanzia", "minori"],
            venue="Sala formazione, Via Benedetto Dei 2, 50127 Firenze", province="FI", closes=3,
            registrations=[
                *_confirmed([e for i, e in enumerate(umana[:12]) if i != COOP21_COLLEAGUE]),
                # Coop21's administrator registered a colleague (register-people), then herself: too late.
                (umana[COOP21_COLLEAGUE], R.CONFIRMED.value, {}, COOP_ADMIN),
                (COOP_ADMIN, R.WAITING.value, {}, None),
                (umana[12], R.WAITING.value, {}, None),
                (umana[13], R.WAITING.value, {}, None),
            ],
        ),
        Spec(
            key="dsa", network="umana-persone",
            title="Tutoraggio scolastico e DSA: strumenti compensativi e alleanza con la scuola",
            description=(
                "Incontro per educatrici, educatori e tutor dei servizi per i disturbi specifici "
                "dell'apprendimento: strumenti compensativi, piano didattico personalizzato, come lavorare "
                "con insegnanti e famiglie."),
            sessions=[(20, _t(17), _t(19, 30))], capacity=30, sectors=["minori"],
            venue="Sala riunioni, Via Roma 18, 59100 Prato", province="PO",
            registrations=_confirmed(umana[5:9]),
        ),
    ]


def past_spec() -> Spec:
    """The completed event: the member, Coop21's administrator and nine colleagues; one cancelled."""
    umana = _emails("umana", 0, UMANA_PEOPLE)
    return Spec(
        key="past", network="umana-persone",
        title="Tutela dei minori e lavoro di rete con i servizi sociali territoriali",
        description=(
            "Due mattine di formazione con assistenti sociali dei Comuni e della Società della Salute: "
            "segnalazioni, progetto quadro, ruolo dell'educatore nell'équipe multiprofessionale.\n\n"
            "Al termine: **attestato di partecipazione** (8 ore) e questionario di soddisfazione."),
        sessions=[(-36, _t(9, 30), _t(13, 30)), (-29, _t(9, 30), _t(13, 30))], capacity=25,
        sectors=["minori"], venue="Sala formazione, Via Benedetto Dei 2, 50127 Firenze", province="FI",
        status=EventStatus.COMPLETED.value, opens=-60, closes=-38,
        registrations=[*_confirmed([SOCIO, COOP_ADMIN, *umana[:9]]), (umana[9], R.CANCELLED.value, {}, None)],
    )


# Who attended which of the past event's sessions (by index): the rest attended both.
PAST_PARTIAL = {8: [0], 9: [1], 10: []}
COMMENTS = [
    "Molto utile il confronto con le assistenti sociali: porto a casa strumenti concreti.",
    "Docenti preparati. Avrei voluto più tempo per i casi portati da noi.",
    "",
    "La sala era un po' piccola, ma l'organizzazione è stata puntuale.",
    "Ottimo: da ripetere anche per le colleghe dei centri diurni.",
    "",
    "Chiaro e ben organizzato.",
]


async def load(nets: dict[str, Network], people: dict[str, Person], now: datetime) -> None:
    """Participants, the events of specs() and the past event, with their registrations."""
    everyone = dict(people)
    everyone.update(await _participants(nets, now))
    creators = {"legacoopsociali": "coordinatore@legacoopsociali.example.org",
                "consorzio-light": "coordinatore@consorzio-light.example.org",
                "umana-persone": "coordinatore@umana-persone.example.org"}
    for spec in specs():
        await _event(spec, nets[spec.network], everyone[creators[spec.network]], everyone, now)
    await _past_event(nets["umana-persone"], everyone, everyone[creators["umana-persone"]], now)


async def _participants(nets: dict[str, Network], now: datetime) -> dict[str, Person]:
    groups = {
        "lombard": await _coops_of(nets["consorzio-light"]),
        "umana": await _coops_of(nets["umana-persone"]),
        "metropoli": [await Cooperative.get(legal_name=METROPOLI_COOP)],
    }
    found: dict[str, Person] = {}
    for group, listed in participants().items():
        for i, (email, name) in enumerate(listed):
            person = await Person.create(email=email, name=name, email_verified_at=now)
            await Affiliation.create(person=person, cooperative=groups[group][i % len(groups[group])],
                                     role="member")
            found[email] = person
    return found


async def _coops_of(network: Network) -> list[Cooperative]:
    ids = await Membership.filter(network=network, status="active").order_by("id").values_list(
        "cooperative_id", flat=True)
    coops = {c.id: c for c in await Cooperative.filter(id__in=list(ids))}
    return [coops[i] for i in ids]  # type: ignore[index]


async def _event(spec: Spec, network: Network, creator: Person, people: dict[str, Person],
                 now: datetime) -> tuple[Event, list[EventSession], list[Registration]]:
    times = [(_weekday(now, d, start), _weekday(now, d, end)) for d, start, end in spec.sessions]
    first = min(start for start, _end in times)
    confirmed = sum(1 for r in spec.registrations if r[1] == R.CONFIRMED.value)
    if confirmed > spec.capacity:
        raise ValueError(f"demo event over capacity: {spec.title}")
    event = await Event.create(
        network=network, title=spec.title, description=spec.description,
        description_html=render_markdown(spec.description),
        sectors="," + ",".join(sorted(spec.sectors)) + "," if spec.sectors else "", status=spec.status,
        audience=spec.audience, venue=spec.venue, province=spec.province, online_url=spec.online_url,
        capacity=spec.capacity, confirmed_count=confirmed, questions=spec.questions, starts_at=first,
        registration_opens_at=_at(now, spec.opens, _t(9)),
        registration_closes_at=_at(now, spec.closes, _t(23, 59)) if spec.closes is not None else None,
        created_by=creator)
    sessions = [await EventSession.create(event=event, starts_at=start, ends_at=end,
                                          hours=Decimal(round((end - start).total_seconds() / 3600, 2)))
                for start, end in times]
    registrations = []
    for i, (email, status, answers, by) in enumerate(spec.registrations):
        # three a day, in office hours, from the day registration opens
        at = _at(now, spec.opens + i // 3, _t(9 + 3 * (i % 3), 7 * i % 60))
        registrations.append(await Registration.create(
            network=network, event=event, person=people[email], status=status, answers=answers,
            registered_by=people[by] if by else None, queued_at=at,
            confirmed_at=at if status == R.CONFIRMED.value else None,
            cancelled_at=at + timedelta(days=2) if status == R.CANCELLED.value else None))
    return event, sessions, registrations


async def _past_event(network: Network, people: dict[str, Person], creator: Person, now: datetime) -> None:
    """Completed: attendance per session, certificates for who reached the threshold, survey answers."""
    event, sessions, registrations = await _event(past_spec(), network, creator, people, now)
    checked_by = people["coordinatore@umana-persone.example.org"]
    confirmed = [r for r in registrations if r.status == R.CONFIRMED.value]
    codes: set[str] = set()
    for i, registration in enumerate(confirmed):
        attended = [sessions[k] for k in PAST_PARTIAL.get(i, range(len(sessions)))]
        for session in attended:
            await Attendance.create(network=network, registration=registration, session=session,
                                    checked_in_by=checked_by, checked_in_at=session.starts_at - timedelta(minutes=10))
        if attended_share(attended, sessions) >= event.attendance_threshold:
            code = new_code()
            while code in codes:
                code = new_code()
            codes.add(code)
            await Certificate.create(network=network, registration=registration, code=code,
                                     hours=sum((s.hours for s in attended), Decimal(0)),
                                     issued_at=sessions[-1].ends_at + timedelta(days=1))
    # The member has not answered yet, so the demo shows them the survey form; seven colleagues have.
    for i, registration in enumerate(confirmed[1:1 + len(COMMENTS)]):
        scores = {key: 5 - (i + j) % 3 for j, key in enumerate(SURVEY_KEYS)}
        await SurveyResponse.create(network=network, event=event, registration=registration, scores=scores,
                                    comment=COMMENTS[i], created_at=sessions[-1].ends_at + timedelta(hours=2 + i))
