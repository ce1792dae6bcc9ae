"""Search on SQLite: FTS5 over stemmed copies (search/stemming.py), bm25 ranking, snippets made here.

The words typed never reach FTS5 as syntax: each becomes a quoted stem, so quotes, NEAR, *, ^ or
column filters typed by someone are plain text. Understood: "a phrase", -excluded, a OR b.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise import connections

from federa.search.snippets import around
from federa.search.stemming import stems

if TYPE_CHECKING:
    from federa.search.queries import FacetRow, Hit, Scope

_PIECE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
TITLE_WEIGHT, BODY_WEIGHT = 5.0, 1.0


def match_expression(q: str) -> tuple[str, set[str]]:
    """The FTS5 query for the words typed, and the stems to highlight ('' when nothing is searchable)."""
    groups: list[list[str]] = []  # AND of groups, each an OR of quoted stems or phrases
    excluded: list[str] = []
    wanted: set[str] = set()
    join_next = False
    for m in _PIECE.finditer(q):
        negated, text = (m[1], m[2]) if m[2] is not None else (m[3], m[4])
        if not negated and m[2] is None and text.lower() == "or":
            join_next = bool(groups)
            continue
        found = stems(text)
        if not found:
            continue
        quoted = '"' + " ".join(found) + '"'  # stems are letters and digits only: nothing to escape
        if negated:
            excluded.append(quoted)
            continue
        wanted.update(found)
        if join_next:
            groups[-1].append(quoted)
        else:
            groups.append([quoted])
        join_next = False
    if not groups:
        return "", set()
    expression = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    for item in excluded:
        expression = f"({expression}) NOT {item}"
    return expression, wanted


def _visible(scope: Scope, values: list[Any]) -> str:
    v = scope.viewer
    networks = [v.network_id, *v.partner_ids]
    tokens = sorted(v.tokens)
    values += [*networks, v.network_id, *(f" {t} " for t in tokens)]
    return (f"e.network_id IN ({', '.join('?' * len(networks))}) AND (e.network_id = ? OR e.shared) "
            f"AND ({' OR '.join(['instr(e.tokens, ?) > 0'] * len(tokens))})")


def _period(scope: Scope, values: list[Any]) -> str:
    values += [scope.now, scope.month_start, scope.year_start]
    return ("CASE WHEN e.date > ? THEN 'upcoming' WHEN e.date >= ? THEN 'month' WHEN e.date >= ? THEN 'year' "
            "ELSE 'older' END")


def _chosen(scope: Scope, values: list[Any]) -> str:
    where = ""
    f = scope.filters
    if "kind" in f:
        where += " AND e.kind = ?"
        values.append(f["kind"])
    if "sector" in f:
        where += " AND e.sectors LIKE ?"
        values.append("%," + f["sector"] + ",%")
    if "network" in f:
        where += f" AND e.network_id {'=' if f['network'] == 'own' else '<>'} ?"
        values.append(scope.viewer.network_id)
    if "date" in f:
        where += f" AND {_period(scope, values)} = ?"
        values.append(f["date"])
    return where


async def facet_rows(scope: Scope) -> list[FacetRow]:
    """Visible matches counted by kind, side, period and sector list (one query), at most MATCH_CAP + 1."""
    from federa.search.queries import MATCH_CAP, FacetRow

    expression, _wanted = match_expression(scope.q)
    if not expression:
        return []
    values: list[Any] = [scope.viewer.network_id]
    period = _period(scope, values)
    values.append(expression)
    visible = _visible(scope, values)
    values.append(MATCH_CAP + 1)
    sql = (f"SELECT kind, own, period, sectors, count(*) AS n FROM (SELECT e.kind, e.network_id = ? AS own, "
           f"{period} AS period, e.sectors FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid "
           f"WHERE search_fts MATCH ? AND {visible} ORDER BY e.id DESC LIMIT ?) GROUP BY 1, 2, 3, 4")
    rows = await connections.get("default").execute_query_dict(sql, values)
    return [FacetRow(r["kind"], bool(r["own"]), r["period"], r["sectors"], int(r["n"])) for r in rows]


async def page(scope: Scope, limit: int, offset: int) -> list[Hit]:
    """One page of visible matches with the chosen facets, best first (bm25, the title weighing more)."""
    expression, wanted = match_expression(scope.q)
    values: list[Any] = [expression]
    where = _visible(scope, values)
    where += _chosen(scope, values)
    values += [limit, offset]
    sql = (f"SELECT e.kind, e.object_id, e.network_id, n.slug, n.name AS network_name, e.title, e.body, e.path, "
           f"e.sectors, e.date "
           f"FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid JOIN network n ON n.id = e.network_id "
           f"WHERE search_fts MATCH ? AND {where} "
           f"ORDER BY bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}), e.id DESC LIMIT ? OFFSET ?")
    rows = await connections.get("default").execute_query_dict(sql, values)
    return [_hit(r, wanted) for r in rows]


async def similar(scope: Scope, limit: int) -> list[Hit]:
    """No typo tolerance on SQLite (FTS5 has no trigram similarity over stems): nothing."""
    return []


def _hit(r: dict[str, Any], wanted: set[str]) -> Hit:
    from federa.search.queries import Hit

    date = r["date"]
    return Hit(kind=r["kind"], object_id=r["object_id"], network_id=r["network_id"], network_slug=r["slug"],
               network_name=r["network_name"], title=r["title"], path=r["path"],
               sectors=[s for s in r["sectors"].split(",") if s],
               date=datetime.fromisoformat(date) if isinstance(date, str) else date,
               snippet=around(r["body"] or r["title"], wanted))
