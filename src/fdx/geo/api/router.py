"""Places API: countries, regions (with validity and successions), border crossing points."""

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from fdx.core.api.errors import ApiError
from fdx.core.api.pagination import FdxPagination
from fdx.core.api.types import IsoDate
from fdx.geo import selectors
from fdx.geo.api.schemas import CountryOut, CrossingPointOut, RegionDetailOut, RegionOut
from fdx.geo.models import BorderCrossingPoint

router = Router(tags=["places"])


class RegionFilters(Schema):
    country: str | None = None
    on_date: IsoDate | None = None
    top_level: bool = False
    q: str | None = None


@router.get("/countries", response=list[CountryOut], summary="Countries (ISO 3166-1)")
@paginate(FdxPagination)
def list_countries(request, q: str | None = None):
    return selectors.list_countries(text=q)


@router.get("/countries/{code}", response=CountryOut, summary="One country")
def get_country(request, code: str):
    return selectors.get_country(code)


@router.get("/regions", response=list[RegionOut], summary="Regions (ISO 3166-2), optionally valid on a date")
@paginate(FdxPagination)
def list_regions(request, filters: Query[RegionFilters]):
    return selectors.list_regions(
        country=filters.country, on_date=filters.on_date, text=filters.q, top_level=filters.top_level
    )


@router.get(
    "/regions/resolve",
    response=RegionDetailOut,
    summary="The region a current or former code meant on a date",
)
def resolve_region(request, code: str, on_date: IsoDate | None = None):
    region = selectors.resolve_region(code, on_date)
    if region is None:
        raise ApiError(404, "not_found", f"No region has the code {code!r}.")
    return region


@router.get(
    "/regions/{code}", response=RegionDetailOut, summary="One region, with successions and former codes"
)
def get_region(request, code: str):
    return selectors.get_region(code)


@router.get("/border-crossing-points", response=list[CrossingPointOut], summary="Border crossing points")
@paginate(FdxPagination)
def list_crossing_points(request, country: str | None = None):
    queryset = BorderCrossingPoint.objects.select_related("region").filter(is_active=True)
    if country:
        queryset = queryset.filter(country_id=country.upper())
    return queryset.order_by("country_id", "code")
