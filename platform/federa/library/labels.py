"""Names the library's pages show for its codes (translated when rendered)."""

from __future__ import annotations

from typing import Any

from federa.library.queries import split
from federa.networks.reference import SECTORS
from federa.web.i18n import lazy

VISIBILITIES: dict[str, str] = {
    "group": lazy("Working group"),
    "network": lazy("Members of the network"),
    "partners": lazy("Partner networks too"),
    "public": lazy("Everyone"),
}
KINDS: dict[str, str] = {"article": lazy("Article"), "document": lazy("Document")}
LANGUAGES: dict[str, str] = {"it": lazy("Italian"), "en": lazy("English")}


def labels() -> dict[str, Any]:
    """Names the library templates translate."""
    return {"sectors": SECTORS, "visibilities": VISIBILITIES, "kinds": KINDS, "languages": LANGUAGES,
            "split": split}
