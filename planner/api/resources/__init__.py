"""The API's resources, one smorest Blueprint per area (registered by ``planner.api.spec``)."""

from planner.api.resources import change, crm, projects, rollout

BLUEPRINTS = [projects.blp, rollout.blp, change.blp, crm.blp]
