"""Guidance for a new project: the setup checklist on the overview, in the methodology's order
(methodology → members and sponsors → key problems → stages and exit criteria → baselines → TCO)."""
