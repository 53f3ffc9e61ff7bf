"""The API's resources, one smorest Blueprint per area (registered by ``planner.api.spec``)."""

from planner.api.resources import change, crm, projects

BLUEPRINTS = [projects.blp, change.blp, crm.blp]
