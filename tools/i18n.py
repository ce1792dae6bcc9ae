"""Re-extract the English msgids and update the Italian catalog, keeping every existing translation.

    python tools/i18n.py           # extract + update platform/federa/locales/it/LC_MESSAGES/messages.po
    python tools/i18n.py --check   # also list the messages still without a translation (exit 1 if any)

New messages arrive with an empty msgstr: translate them in the .po file. Messages no longer in the
code are dropped. The app compiles the .po in memory at start (federa.web.i18n), so no .mo is written.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "platform" / "federa" / "locales" / "it" / "LC_MESSAGES" / "messages.po"
KEYWORDS = ("-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "lazy")
HEADER = "# Federa: Italian catalog (the default language). msgids are the English texts in the code.\n" \
         "# Update with `make messages` (tools/i18n.py), then translate every empty msgstr."


def extract(destination: Path) -> Catalog:
    """Run pybabel over the tree (babel.cfg decides which files) and return the template catalog."""
    pybabel = Path(sys.executable).with_name("pybabel")
    command = [str(pybabel), "-q", "extract", "-F", "babel.cfg", *KEYWORDS, "--no-location",
               "-o", str(destination), "."]
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - fixed argument list, no shell
    with destination.open("rb") as fh:
        return read_po(fh)


def _load_catalog() -> Catalog:
    if not CATALOG.exists():
        return Catalog(locale="it", project="Federa", fuzzy=False)
    with CATALOG.open("rb") as fh:
        return read_po(fh, locale="it")


def _render(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, ignore_obsolete=True, include_previous=False)
    return buf.getvalue()


def _without_dates(text: bytes) -> bytes:
    return b"\n".join(line for line in text.splitlines() if b"-Date:" not in line)


def _stamp(catalog: Catalog) -> None:
    """Fixed header values, so that only real changes show in a diff."""
    catalog.header_comment = HEADER
    catalog.project, catalog.version = "Federa", "1"
    catalog.msgid_bugs_address = catalog.last_translator = catalog.language_team = "Federa"
    catalog.fuzzy = False


def update() -> Catalog:
    """Merge a fresh extraction into the catalog; write it only when its messages changed."""
    with tempfile.TemporaryDirectory() as tmp:
        template = extract(Path(tmp) / "messages.pot")
    catalog = _load_catalog()
    before = _render(catalog) if CATALOG.exists() else b""
    # No fuzzy matching: a guessed translation for a new message is worse than an empty one.
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    _stamp(catalog)
    after = _render(catalog)
    if _without_dates(after) != _without_dates(before):
        catalog.revision_date = datetime.now(UTC)
        after = _render(catalog)
        CATALOG.parent.mkdir(parents=True, exist_ok=True)
        CATALOG.write_bytes(after)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """Msgids with an empty (or fuzzy) translation."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list untranslated messages, exit 1 if any")
    args = parser.parse_args()
    catalog = update()
    missing = untranslated(catalog)
    print(f"{CATALOG.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")
    for msgid in missing:
        print(f"  - {msgid!r}")
    return 1 if args.check and missing else 0


if __name__ == "__main__":
    sys.exit(main())
