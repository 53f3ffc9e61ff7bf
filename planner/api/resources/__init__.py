"""The API's resources, one smorest Blueprint per area (registered by ``planner.api.spec``)."""

from planner.api.resources import crm, projects

BLUEPRINTS = [projects.blp, crm.blp]
