"""Reads for the networks domain: directory, public members, presence matrix, partners."""

from __future__ import annotations

from collections import defaultdict

from tortoise.expressions import Q
from tortoise.functions import Count

from federa.networks.models import (
    Cooperative,
    CooperativeSector,
    Membership,
    MembershipStatus,
    Network,
    Partnership,
)
from federa.networks.schemas import CooperativeOut, DirectoryQuery, ServiceOut


def _directory_filter(network: Network, query: DirectoryQuery, *, public: bool) -> Q:
    where = Q(memberships__network_id=network.id)
    if public:
        where &= Q(memberships__status=MembershipStatus.ACTIVE.value, is_public=True)
    elif query.status:
        where &= Q(memberships__status=query.status)
    if query.q:
        text = Q(legal_name__icontains=query.q) | Q(city__icontains=query.q)
        # A tax code has 11 characters: a longer query cannot be one (and would fail the field's validation).
        where &= text | Q(tax_code=query.q) if len(query.q) <= 11 else text
    if query.province:
        where &= Q(province=query.province.upper())
    if query.coop_type:
        where &= Q(coop_type=query.coop_type)
    if query.sector:
        where &= Q(sector_rows__sector=query.sector)
    return where


async def directory(network: Network, query: DirectoryQuery, *, public: bool = False
                    ) -> tuple[list[CooperativeOut], int]:
    """One page of the network's cooperatives, with sectors and membership status (3 queries)."""
    base = Cooperative.filter(_directory_filter(network, query, public=public))
    total = await base.count()
    offset = (query.page - 1) * query.per_page
    # The status comes from the membership join the filter already makes (one row per network and
    # cooperative): no separate query for it (bench/RESULTS.md: every query costs a pool round trip).
    rows = await base.order_by("legal_name", "id").offset(offset).limit(query.per_page).values(
        "id", "legal_name", "coop_type", "tax_code", "province", "city", "website", "description", "is_public",
        membership_status="memberships__status")
    sectors: dict[int, list[str]] = defaultdict(list)
    if rows:
        for cid, sector in await CooperativeSector.filter(cooperative_id__in=[r["id"] for r in rows]).order_by(
                "sector").values_list("cooperative_id", "sector"):
            sectors[cid].append(sector)  # type: ignore[index]
    items = [CooperativeOut(**r, sectors=sectors[r["id"]]) for r in rows]
    return items, total


async def cooperative_detail(cooperative: Cooperative, membership_status: str | None = None) -> CooperativeOut:
    """One cooperative with its sectors and services catalogue."""
    await cooperative.fetch_related("sector_rows", "services")
    return CooperativeOut(
        id=cooperative.id, legal_name=cooperative.legal_name, coop_type=cooperative.coop_type,
        tax_code=cooperative.tax_code, province=cooperative.province, city=cooperative.city,
        website=cooperative.website, description=cooperative.description, is_public=cooperative.is_public,
        address=cooperative.address, email=cooperative.email, phone=cooperative.phone,
        sectors=sorted(s.sector for s in cooperative.sector_rows),
        services=[ServiceOut(name=s.name, audience=s.audience, access=s.access) for s in cooperative.services],
        membership_status=membership_status,
    )


async def presence_matrix(network: Network) -> dict[tuple[str, str], int]:
    """Active member cooperatives counted by province × sector (source 001's presence table)."""
    rows = await CooperativeSector.filter(
        cooperative__memberships__network_id=network.id,
        cooperative__memberships__status=MembershipStatus.ACTIVE.value,
    ).annotate(n=Count("cooperative_id", distinct=True)).group_by("cooperative__province", "sector").values(
        "cooperative__province", "sector", "n")
    return {(r["cooperative__province"], r["sector"]): r["n"] for r in rows}


async def partnerships(network: Network) -> list[Partnership]:
    """Agreements this network proposed or received, newest first."""
    return await Partnership.filter(Q(network_id=network.id) | Q(partner_id=network.id)).select_related(
        "network", "partner").order_by("-created_at")


async def membership_counts(network: Network) -> dict[str, int]:
    """How many memberships of the network are in each status."""
    rows = await Membership.filter(network_id=network.id).annotate(n=Count("id")).group_by("status").values(
        "status", "n")
    return {r["status"]: r["n"] for r in rows}
