"""Demo discussions: in each demo working group, a few threads with replies by its members, one pinned and
one locked (called from demo.py after demo_groups; the e-mails are marked as done, so none goes out)."""

from __future__ import annotations

from datetime import datetime, timedelta

from federa.accounts.models import Person
from federa.groups.discussion_models import Post, Thread
from federa.groups.models import GroupMember, GroupRole, WorkingGroup
from federa.networks.models import Network
from federa.web.markdown import render_markdown

# (title, opening post, replies): who writes is taken in turn from the group's members.
THREADS: list[tuple[str, str, list[str]]] = [
    ("Calendario degli incontri di primavera",
     "Ciao a tutte e a tutti,\n\npropongo di vederci **il secondo martedì di ogni mese**, dalle 17 alle 19, "
     "a turno nelle sedi delle cooperative. Chi può ospitare il primo incontro?",
     ["Noi possiamo ospitare ad aprile: la sala riunioni ha 25 posti ed è accessibile.",
      "Perfetto. Per maggio proporrei un incontro online, così partecipa anche chi lavora nei turni serali.",
      "D'accordo su entrambe le date. Preparo una bozza dell'ordine del giorno e la condivido qui."]),
    ("Modulistica condivisa: chi ha un modello aggiornato?",
     "Stiamo rivedendo i moduli di **consenso informato** e di **presa in carico**. Qualcuno ha una versione "
     "aggiornata al nuovo regolamento regionale?",
     ["Abbiamo aggiornato i nostri a gennaio. Li carico nella biblioteca della rete con le note di revisione.",
      "Grazie! Segnalo che per i minori serve anche la firma di entrambi i genitori: nel nostro modello c'è "
      "uno spazio apposito.",
      "Ottimo, li adottiamo anche noi. Aggiungerei una versione in lingua semplice per le famiglie."]),
    ("Resoconto dell'incontro di febbraio",
     "Ecco i punti principali:\n\n1. mappatura dei servizi del territorio\n2. proposta di formazione comune\n"
     "3. prossimi passi con i servizi sociali del Comune\n\nCorreggetemi se ho dimenticato qualcosa.",
     ["Aggiungo che ci siamo impegnati a raccogliere i dati di presenza entro fine mese.",
      "Sul punto 2: il percorso potrebbe partire a settembre, ne parliamo con il coordinamento della rete."]),
]


async def load(nets: dict[str, Network], now: datetime) -> None:
    """Threads and replies in every demo group of these networks (skipped where the group has threads)."""
    groups = await WorkingGroup.filter(network_id__in=[n.id for n in nets.values()]).order_by("id")
    for number, group in enumerate(groups):
        if await Thread.exists(group_id=group.id):
            continue
        writers = await _writers(group)
        if writers:
            await _group_threads(group, writers, now - timedelta(days=20), lock_last=number == 0)


async def _writers(group: WorkingGroup) -> list[Person]:
    """The group's coordinators first, then its members (a stable order for the demo)."""
    rows = await GroupMember.filter(group_id=group.id).select_related("person").order_by("id")
    rows = sorted(rows, key=lambda m: (m.role != GroupRole.COORDINATOR.value, m.id))
    return [m.person for m in rows]


async def _group_threads(group: WorkingGroup, writers: list[Person], start: datetime, *, lock_last: bool) -> None:
    for t, (title, opening, replies) in enumerate(THREADS):
        opened_at = start + timedelta(days=5 * t, hours=9)
        bodies = [opening, *replies]
        thread = await Thread.create(network_id=group.network_id, group_id=group.id, title=title,
                                     author=writers[t % len(writers)], created_at=opened_at,
                                     last_post_at=opened_at + timedelta(hours=3 * (len(bodies) - 1)),
                                     post_count=len(bodies), pinned=t == 0,
                                     locked=lock_last and t == len(THREADS) - 1)
        await Post.bulk_create([
            Post(network_id=group.network_id, thread_id=thread.id, author=writers[(t + i) % len(writers)],
                 body=body, body_html=render_markdown(body), created_at=opened_at + timedelta(hours=3 * i),
                 notified_at=opened_at + timedelta(hours=3 * i))
            for i, body in enumerate(bodies)])
