"""Writes to dossiers. `dossier_perform` is the one door for every change of status.

A change: lock the dossier, check the version the caller read, find the lifecycle rule, check
that the actor may take it, apply its effects (clock, tasks, supplement, apology...), write
one hash-chained `DossierEvent`, and hand the event to the handlers, which write outbox rows.
All in one transaction: it happens whole or not at all.
"""

from .assignment import task_assign
from .documents import ResultFile, document_attach, dossier_approve
from .door import dossier_perform
from .intake import Applicant, IntakeFile, Submitter, counter_intake, dossier_create

__all__ = [
    "Applicant",
    "IntakeFile",
    "ResultFile",
    "Submitter",
    "counter_intake",
    "document_attach",
    "dossier_approve",
    "dossier_create",
    "dossier_perform",
    "task_assign",
]
