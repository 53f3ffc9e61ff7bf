"""The API's resources, one smorest Blueprint per area (registered by ``planner.api.spec``)."""

from planner.api.resources import change, crm, insights, projects, rollout

BLUEPRINTS = [projects.blp, rollout.blp, change.blp, insights.blp, crm.blp]
