"""Demo library: articles (one edited twice, so it has a history), a Markdown note and a small PDF made
with fpdf2, across the demo networks, some shared with partner networks or public; comments and marks."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from federa.accounts.models import Person
from federa.library import feedback, services
from federa.library.schemas import ArticleIn, DocumentMetaIn, ItemPatch
from federa.library.storage import storage_for
from federa.networks.access import access_in
from federa.networks.models import Network
from federa.settings import Settings

SOCIO = "socio@coop21.example.org"
COOP_ADMIN = "admin@coop21.example.org"
UMANA_COORDINATOR = "coordinatore@umana-persone.example.org"
LIGHT_COORDINATOR = "coordinatore@consorzio-light.example.org"
LEGACOOP_COORDINATOR = "coordinatore@legacoopsociali.example.org"
METROPOLI_ADMIN = "admin@federa.example.org"  # the platform admin is consorzio-metropoli's admin

ARTICLES: list[dict[str, Any]] = [
    {"network": "umana-persone", "author": SOCIO, "visibility": "partners", "sectors": ["minori"],
     "tags": ["educativa di strada", "adolescenti"], "key": "educativa",
     "title": "Educativa di strada: il modello sperimentato a Bagno a Ripoli",
     "summary": "Come abbiamo costruito un servizio di educativa di strada con il Comune e le scuole: tempi, "
                "ruoli, costi e indicatori.",
     "body": "## Da dove siamo partiti\n\nNel 2023 il Comune ci ha chiesto di **raggiungere i ragazzi** che non "
             "frequentano i centri giovani.\n\n## Cosa ha funzionato\n\n- due educatori in coppia, tre "
             "pomeriggi a settimana\n- un tavolo mensile con scuole e servizi sociali\n- un diario di bordo "
             "condiviso\n\n## Cosa rifaremmo diversamente\n\nCoinvolgere prima le famiglie."},
    {"network": "umana-persone", "author": COOP_ADMIN, "visibility": "public", "sectors": ["minori"],
     "tags": ["dsa", "scuola"], "key": "dsa",
     "title": "Tutoraggio per ragazzi con DSA: una guida per le famiglie",
     "summary": "Una guida breve, da consegnare alle famiglie al primo colloquio.",
     "body": "Il tutoraggio aiuta a **trovare un metodo di studio**.\n\n1. Primo colloquio\n2. Piano "
             "personalizzato\n3. Verifica a tre mesi"},
    {"network": "umana-persone", "author": UMANA_COORDINATOR, "visibility": "network", "sectors": ["anziani"],
     "tags": ["domiciliare"], "language": "it", "key": "domiciliare",
     "title": "Assistenza domiciliare: la checklist della prima visita",
     "summary": "Le venti domande che facciamo alla prima visita a casa.",
     "body": "- Chi vive in casa?\n- Ci sono scale?\n- Chi è il medico di base?"},
    {"network": "consorzio-metropoli", "author": METROPOLI_ADMIN, "visibility": "partners",
     "sectors": ["immigrazione"], "tags": ["accoglienza"], "key": "accoglienza",
     "title": "Accoglienza diffusa: il protocollo con i Comuni dell'area fiorentina",
     "summary": "Il protocollo firmato nel 2024, con i moduli allegati.",
     "body": "Il protocollo prevede **un referente per Comune** e una riunione trimestrale."},
    {"network": "consorzio-light", "author": LIGHT_COORDINATOR, "visibility": "partners",
     "sectors": ["inserimento_lavorativo"], "tags": ["tirocini", "cooperative B"], "key": "tirocini",
     "title": "Tirocini di inclusione nelle cooperative di tipo B",
     "summary": "Che cosa abbiamo imparato da quaranta tirocini in tre anni.",
     "body": "I tirocini funzionano quando il **tutor aziendale** ha tempo dedicato."},
    {"network": "legacoopsociali", "author": LEGACOOP_COORDINATOR, "visibility": "public", "language": "en",
     "sectors": ["varie"], "tags": ["social impact"], "key": "impact",
     "title": "Measuring social impact: a short primer",
     "summary": "A one-page introduction for boards of social cooperatives.",
     "body": "Start from **the change you want to see**, then choose three indicators."},
]


def demo_pdf() -> bytes:
    """A one-page PDF, generated now (no binary file in the repository)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(text="Carta dei servizi per l'educativa di strada")
    pdf.ln(12)
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(w=0, text="Il servizio accoglie ragazze e ragazzi dagli 11 ai 18 anni. Gli educatori "
                             "sono presenti tre pomeriggi a settimana nei luoghi di ritrovo del quartiere.")
    return bytes(pdf.output())


NOTE = ("# Verbale del tavolo minori\n\nPresenti: cinque cooperative della rete.\n\n"
        "- Proposta di formazione comune sugli strumenti di valutazione\n- Prossimo incontro a marzo\n")


async def load(nets: dict[str, Network], people: dict[str, Person]) -> None:
    """Write the demo library through the services (so files are checked, stored and their text read)."""
    storage = storage_for(Settings.from_env())
    items = {}
    for spec in ARTICLES:
        access = await access_in(nets[spec["network"]], people[spec["author"]])
        items[spec["key"]] = await services.create_article(access, ArticleIn(
            title=spec["title"], summary=spec["summary"], body=spec["body"], sectors=spec["sectors"],
            tags=spec["tags"], language=spec.get("language", "it"), visibility=spec["visibility"]))
    umana = nets["umana-persone"]
    socio = await access_in(umana, people[SOCIO])
    await services.create_document(socio, DocumentMetaIn(
        title="Carta dei servizi: educativa di strada", summary="La carta dei servizi in PDF, una pagina.",
        sectors=["minori"], tags=["educativa di strada"], visibility="partners",
        filename="Carta dei servizi.pdf"), demo_pdf(), storage=storage, limit=5 * 1024 * 1024)
    await services.create_document(socio, DocumentMetaIn(
        title="Verbale del tavolo minori", summary="Appunti dell'ultimo incontro.", sectors=["minori"],
        visibility="network", filename="verbale-tavolo-minori.md"), NOTE.encode(), storage=storage,
        limit=5 * 1024 * 1024)
    await _history_and_feedback(umana, people, items)


async def _history_and_feedback(umana: Network, people: dict[str, Person], items: dict[str, Any]) -> None:
    admin = await access_in(umana, people[COOP_ADMIN])
    socio = await access_in(umana, people[SOCIO])
    coordinator = await access_in(umana, people[UMANA_COORDINATOR])
    educativa = items["educativa"].id
    await services.update_item(admin, educativa, ItemPatch(
        body=items["educativa"].body + "\n\n## Costi\n\nCirca 38.000 euro l'anno per due educatori part-time."))
    await services.update_item(socio, educativa, ItemPatch(summary=items["educativa"].summary
                                                           + " Aggiornato con i costi."))
    for access in (admin, coordinator):
        await feedback.mark_useful(access, educativa)
    await feedback.mark_useful(socio, items["dsa"].id)
    await feedback.add_comment(coordinator, educativa, "Ottimo lavoro: lo proponiamo al **tavolo minori** di marzo.")
    await feedback.add_comment(admin, educativa, "Grazie! Possiamo condividere anche il diario di bordo.")
