"""Custom attributes every pipeline component reads or writes on a spaCy Doc.

Registering them in one place keeps components independent: each one only
needs this module, never another component.  Values are plain Python lists of
the records in :mod:`policykg.extract.model` (plus ``doc.spans`` groups that
components fill for display and debugging).
"""

from __future__ import annotations

from spacy.tokens import Doc

__all__ = ["ATTRS", "register"]

#: name -> meaning.  All default to ``None``; a component sets a list.
ATTRS: dict[str, str] = {
    "pkg_source": "file name of the source (str)",
    "pkg_dropped": "list[Dropped]: noise / chrome / duplicate spans; no fact may start inside one",
    "pkg_documents": "list[DocumentRecord] with span_start/span_end covering each document body",
    "pkg_tasks": "list[Task] (see structure.py): numbered tasks with label, heading and span",
    "pkg_responsibilities": "list[ResponsibilityRecord]",
    "pkg_citations": "list[CitationRecord]",
    "pkg_targets": "list[TargetRecord]",
}


def register() -> None:
    """Register the ``doc._.pkg_*`` extensions (idempotent)."""
    for name in ATTRS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register()
