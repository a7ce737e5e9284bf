"""Changing legal data: loading FDX's reference content (``reference_content``), and node administrators
maintaining their jurisdiction's lists (``listings``: add, correct, end, withdraw, import) and the other
facts of its framework (``facts``: instruments, lists, incorporations, generic definitions with their worked
examples, thresholds, which the administration pages write through ``save_legal_fact``,
``delete_legal_fact`` and ``set_generic_examples``). Who may do it, and the data version, are ``common``.

Every change is audited and moves ``LegalDataVersion`` on, which tells each process to recompile its engine.
Every action is importable from this package.
"""

from fdx.legal.actions.common import MAINTAIN, bump_version, may_maintain, require_maintainer
from fdx.legal.actions.facts import (
    check_generic_code,
    check_generic_rule,
    delete_legal_fact,
    jurisdiction_of,
    may_change_fact,
    may_delete_fact,
    save_legal_fact,
    set_generic_examples,
)
from fdx.legal.actions.listings import (
    ImportRefused,
    add_listing,
    correct_listing,
    end_listing,
    import_listings,
    listing_row,
    row_of,
    set_lists_complete,
    withdraw_listing,
)
from fdx.legal.actions.reference_content import (
    is_shipped,
    load_legal_reference,
    threshold_key,
)

__all__ = [
    "MAINTAIN",
    "ImportRefused",
    "add_listing",
    "bump_version",
    "check_generic_code",
    "check_generic_rule",
    "correct_listing",
    "delete_legal_fact",
    "end_listing",
    "import_listings",
    "is_shipped",
    "jurisdiction_of",
    "listing_row",
    "load_legal_reference",
    "may_change_fact",
    "may_delete_fact",
    "may_maintain",
    "require_maintainer",
    "row_of",
    "save_legal_fact",
    "set_generic_examples",
    "set_lists_complete",
    "threshold_key",
    "withdraw_listing",
]
