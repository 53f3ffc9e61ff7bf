"""The audit log pages: a project's log (a project tab) and the administrators' log.

The trail itself (``AuditEvent``, ``record``, ``describe``) is ``planner.audit``, which every
feature writes to and which therefore imports no feature; the pages that show it need the
access checks of ``projects`` and ``auth``, so they live here. The blueprint keeps the name
``audit`` (endpoints ``audit.project_log``, ``audit.admin_log``).
"""
