"""Reads of the substance registry: lookups and the five kinds of search.

The registry is reference data: every signed-in user may read it. Structure searches use one in-memory
``StructureIndex`` per process, rebuilt from the stored fingerprints when the registry changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from fdx.substances import chem, names
from fdx.substances.choices import NameKind
from fdx.substances.models import Substance, SubstanceClass, SubstanceName
from fdx.substances.structure_index import IndexedStructure, StructureIndex

MAX_STRUCTURE_HITS = 1000


@dataclass(frozen=True)
class SearchHit:
    substance: Substance
    score: float | None = None


def substances_queryset() -> QuerySet[Substance]:
    """Substances with what list pages and the API show, in a fixed number of queries."""
    return (
        Substance.objects.select_related("parent")
        .prefetch_related(
            Prefetch("classes", queryset=SubstanceClass.objects.order_by("position")),
            Prefetch("names", queryset=SubstanceName.objects.order_by("kind", "name")),
        )
        .defer("morgan_fingerprint", "pattern_fingerprint")
    )


def get_substance(global_id) -> Substance:
    return get_object_or_404(substances_queryset().prefetch_related("salt_forms"), global_id=global_id)


#: The order of a name search: best rank first, then by name (the primary key makes it total, so that a page
#: cut from the narrowed candidates below is the page of the whole ranking).
NAME_SEARCH_ORDER = ("rank", "name_en", "pk")
#: How each rank part is read alone: by the registry's name order (``substance_name_key``).
_TIER_ORDER = ("name_en", "pk")


def search_by_name(text: str, queryset: QuerySet[Substance] | None = None) -> QuerySet[Substance]:
    """Substances whose name, synonym, CAS number or InChIKey matches ``text``, best matches first.

    Case-insensitive and partial, across Cyrillic and Latin spellings (see ``names.normalise``): exact
    names rank first, then exact normalised forms, then prefixes, then any containment; by name within a
    rank. A slice of the result (a page) is read without ranking every match: see ``_RankedNameSearch``.
    """
    queryset = substances_queryset() if queryset is None else queryset
    text = text.strip()
    if not text:
        return queryset
    key = names.normalise(text)
    own_names = SubstanceName.objects.filter(substance=OuterRef("pk"))
    identifier = Q(cas_number=text) | Q(inchikey=text.upper())
    exact_name = Exists(own_names.filter(name__iexact=text))
    condition = identifier | Q(Exists(own_names.filter(normalised__contains=key))) if key else identifier
    ranked = (
        queryset.filter(condition)
        .annotate(
            rank=Case(
                When(exact_name, then=Value(0)),
                When(identifier, then=Value(0)),
                When(Exists(own_names.filter(normalised=key)), then=Value(1)),
                When(Exists(own_names.filter(normalised__startswith=key)), then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by(*NAME_SEARCH_ORDER)
    )
    # Each part is a condition every row of which ranks at most as the part says, and every match is in
    # a part of its own rank. The exact-name part is also held to the search's condition (a name equal
    # but for case folds to the same key, but nothing in SQL says so); the others imply it.
    tiers = [Q(exact_name) & condition, identifier]
    if key:
        tiers += [
            Q(Exists(own_names.filter(normalised=key))),
            Q(Exists(own_names.filter(normalised__startswith=key))),
            Q(Exists(own_names.filter(normalised__contains=key))),
        ]
    return _RankedNameSearch.of(ranked, tiers)


class _RankedNameSearch(QuerySet):
    """A ranked name search whose slices are read from a few rows per rank, not from every match.

    The rank is computed, so no index gives the rows in (rank, name) order: ``ORDER BY rank, name_en LIMIT
    50`` reads and sorts every match (the whole registry for a text every name holds). But the first ``n``
    rows of the ranking are among the first ``n`` by name of each part (``tiers``): a row of rank ``r`` is in
    a part whose rows all rank ``r`` or better, so every row before it in that part (by name) is before it in
    the ranking too. So a slice ending at ``n`` keeps only those candidates (``pk IN (part 1 LIMIT n UNION
    ALL …)``, each part walked in name order by an index, or found through its own index when it is rare)
    and ranks them: the same rows in the same order, and at most five times ``n`` rows sorted. Everything
    else (counting, filtering further, reading all of it, another order) is the plain ranked queryset's.

    A subclass of the given queryset's own class (``of``), so its methods stay.
    """

    _name_tiers: list[Q] | None = None

    @classmethod
    def of(cls, queryset: QuerySet, tiers: list[Q]) -> QuerySet:
        ranked = queryset.all()
        ranked.__class__ = _ranked_class(type(queryset))
        ranked._name_tiers = tiers
        return ranked

    def _clone(self):
        clone = super()._clone()
        clone._name_tiers = self._name_tiers
        return clone

    def __getitem__(self, k):
        if not self._name_tiers or self._result_cache is not None or not self._ranked_or_unordered():
            return super().__getitem__(k)
        if isinstance(k, slice):
            stop = k.stop
        elif isinstance(k, int) and k >= 0:
            stop = k + 1
        else:
            stop = None
        if stop is None or (isinstance(k, slice) and k.step is not None) or stop < 0:
            return super().__getitem__(k)
        return self._candidates(stop)[k]

    def _ranked_or_unordered(self) -> bool:
        """Still in the ranking's order (the candidates hold its first rows), or in none (they hold enough
        rows: a bounded count); reordered, a slice is the plain queryset's."""
        query = self.query
        if not query.standard_ordering:
            return False
        return tuple(query.order_by) == NAME_SEARCH_ORDER or not (query.order_by or query.default_ordering)

    def _candidates(self, count: int) -> QuerySet:
        """This search held to the first ``count`` rows (by name) of each part: a plain ranked queryset."""
        plain = self._chain()
        plain._name_tiers = None
        model = self.model
        # Each part wrapped in a query of its own: a compound query may not slice its parts on SQLite.
        parts = [
            model._base_manager.filter(pk__in=plain.order_by(*_TIER_ORDER).filter(tier).values("pk")[:count])
            .order_by()
            .values("pk")
            for tier in self._name_tiers
        ]
        return plain.filter(pk__in=parts[0].union(*parts[1:], all=True))


_ranked_classes: dict[type, type] = {}


def _ranked_class(base: type) -> type:
    if issubclass(base, _RankedNameSearch):
        return base
    if base not in _ranked_classes:
        _ranked_classes[base] = type(f"RankedNameSearch{base.__name__}", (_RankedNameSearch, base), {})
    return _ranked_classes[base]


def search_by_inchikey(inchikey: str) -> QuerySet[Substance]:
    """A full InChIKey finds that exact structure; a 14-letter first block every stereo form and salt."""
    inchikey = inchikey.strip().upper()
    if len(inchikey) == 14:
        return substances_queryset().filter(skeleton=inchikey)
    return substances_queryset().filter(inchikey=inchikey)


def search_exact_structure(text: str) -> QuerySet[Substance]:
    """The substances whose parent is exactly the given structure (stereo included): salts and base."""
    structure = _standardise(text)
    return substances_queryset().filter(
        skeleton=chem.skeleton_key(structure.parent.inchikey), search_smiles=structure.parent.smiles
    )


def search_substructure(query_text: str, limit: int = MAX_STRUCTURE_HITS) -> list[SearchHit]:
    """Substances containing the SMILES or SMARTS query (screened by fingerprint, then matched)."""
    try:
        query = chem.parse_query(query_text)
    except chem.StructureError as exc:
        raise ValidationError({"substructure": str(exc)}) from None
    ids = structure_index().substructure(query, max_results=limit)
    return _hits_in_order(ids, {})


def search_similar(text: str, threshold: float = 0.7, limit: int = 100) -> list[SearchHit]:
    """Substances whose parent's Morgan fingerprint has a Tanimoto of at least ``threshold``, best first."""
    if not 0 < threshold <= 1:
        raise ValidationError({"threshold": "must be above 0 and at most 1"})
    structure = _standardise(text)
    hits = structure_index().similar(structure.parent_mol, threshold=threshold, top=limit)
    return _hits_in_order([substance_id for substance_id, _score in hits], dict(hits))


def _standardise(text: str) -> chem.Standardised:
    try:
        return chem.standardise(chem.parse(text))
    except chem.StructureError as exc:
        raise ValidationError({"structure": str(exc)}) from None


def _hits_in_order(ids: list[int], scores: dict[int, float]) -> list[SearchHit]:
    by_id = substances_queryset().in_bulk(ids)
    return [SearchHit(by_id[i], scores.get(i)) for i in ids if i in by_id]


# The in-memory structure index


_index_lock = threading.Lock()
_index_cache: dict[str, object] = {"version": None, "index": None}


def registry_version() -> tuple:
    """Changes whenever a substance is added, changed or removed (one cheap aggregate query)."""
    aggregate = Substance.objects.aggregate(count=Count("id"), last=Max("updated_at"))
    return aggregate["count"], aggregate["last"]


def structure_index() -> StructureIndex:
    """The index of every registered structure, rebuilt when the registry has changed."""
    version = registry_version()
    with _index_lock:
        if _index_cache["version"] != version:
            rows = (
                Substance.objects.exclude(search_smiles="")
                .order_by("id")
                .values_list("id", "search_smiles", "pattern_fingerprint", "morgan_fingerprint")
            )
            _index_cache["index"] = StructureIndex(
                [
                    IndexedStructure(i, smiles, bytes(pattern), bytes(morgan))
                    for i, smiles, pattern, morgan in rows.iterator(chunk_size=5000)
                ]
            )
            _index_cache["version"] = version
        return _index_cache["index"]


def list_classes() -> QuerySet[SubstanceClass]:
    """The classes with how many substances each holds (the API's list: a count over the whole link table,
    so not for a page that only offers the classes as a filter: ``class_choices``)."""
    return SubstanceClass.objects.annotate(substance_count=Count("substances")).order_by("position")


def class_choices() -> QuerySet[SubstanceClass]:
    """The classes in their order, uncounted: the class filter of the registry and search pages (a few dozen
    rows, read without touching the substances)."""
    return SubstanceClass.objects.order_by("position")


def resolve_substance(text: str):
    """The registry substance ``text`` names exactly, or a ValidationError listing the candidates.

    "Exactly" is by reference key, InChIKey, global id, a name or synonym in any case, and then the folded
    form of a name (``names.normalise``), so that a Russian, English or transliterated spelling of a known
    name (мефедрон, mefedron, Mephedrone) finds the same substance; a partial name never decides alone.
    """
    text = text.strip()
    found = _named_exactly(text)
    if len(found) == 1:
        return found[0]
    if not found:
        nearest = [substance.name_en for substance in search_by_name(text)[:5]] if text else []
        if nearest:
            raise ValidationError(
                gettext("No substance of the registry is called %(name)s. Did you mean: %(candidates)s?")
                % {"name": text, "candidates": "; ".join(nearest)},
                code="not_found",
                params={"candidates": nearest},
            )
        raise ValidationError(
            gettext("No substance of the registry is called %(name)s.") % {"name": text}, code="not_found"
        )
    raise ValidationError(
        gettext("%(name)s names several substances: %(candidates)s.")
        % {"name": text, "candidates": ", ".join(s.name_en for s in found)},
        code="ambiguous",
        params={"candidates": [s.name_en for s in found]},
    )


def _named_exactly(text: str) -> list[Substance]:
    """The substances ``text`` identifies, most exact way first (at most five)."""
    found = list(Substance.objects.filter(Q(inchikey=text.upper()) | Q(key=text))[:2])
    if not found:
        try:
            found = list(Substance.objects.filter(global_id=text)[:2])
        except ValidationError:
            found = []
    if not found:
        # SQLite folds the case of ASCII letters only: Cyrillic names are matched by their folded form below.
        ids = SubstanceName.objects.filter(name__iexact=text).values_list("substance_id", flat=True)
        found = list(Substance.objects.filter(pk__in=ids.distinct())[:5])
    key = names.normalise(text) if not found and text else ""
    if key:
        # English names end in -ine, -one, -ide where Russian has -ин, -он, -ид (cocaine/кокаин).
        folded = [key, key[:-1]] if key.endswith("e") else [key, key + "e"]
        matches = SubstanceName.objects.filter(normalised__in=folded)
        # The folded form drops signs and stereo prefixes ((+)-amphetamine folds like amphetamine): where
        # several substances match, one matched by its preferred name is the one meant.
        preferred = set(matches.filter(kind=NameKind.PREFERRED).values_list("substance_id", flat=True))
        ids = preferred if len(preferred) == 1 else set(matches.values_list("substance_id", flat=True))
        found = list(Substance.objects.filter(pk__in=ids).order_by("name_en")[:5])
    return found
