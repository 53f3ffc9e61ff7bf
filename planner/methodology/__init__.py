"""Methodology: the catalogue of CRM implementation methodologies (data files translated through
gettext), the checklist and guided walk-through, the seven-sins self-assessment and the key
problems of a project."""
