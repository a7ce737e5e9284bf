"""Cross-border exchange: which records and fields may leave this node, and the signed change records
that carry them (see ``rules``, ``pseudonymise`` and ``messages``)."""
