"""Projects and their members (read)."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from planner.api.access import in_project
from planner.api.resources.common import N_, PageArgs, doc, keyset, page_schema
from planner.projects.access import visible_projects_query
from planner.projects.models import Project, ProjectMember

blp = Blueprint("api_projects", __name__, description=N_("Projects and their members"))


class ProjectSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    vision = fields.String(required=True)
    business_areas = fields.List(fields.String(), required=True)
    currency = fields.String(required=True)
    start_date = fields.Date(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    archived_at = fields.DateTime(allow_none=True, required=True)


class MemberSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    name = fields.Function(lambda member: member.user.name, required=True, metadata={"type": "string"})
    team = fields.String(required=True)
    is_manager = fields.Boolean(required=True)
    is_sponsor = fields.Boolean(required=True)
    joined_at = fields.DateTime(required=True)


class ProjectListArgs(PageArgs):
    archived = fields.Boolean(load_default=False, metadata={"description": N_("Include archived projects.")})


ProjectPage = page_schema(ProjectSchema, "ProjectPage")
MemberPage = page_schema(MemberSchema, "MemberPage")


@blp.route("/projects")
@blp.arguments(ProjectListArgs, location="query")
@blp.response(200, ProjectPage)
@blp.doc(**doc(N_("List the projects you can see")))
def list_projects(args):
    query = visible_projects_query(current_user, include_archived=args["archived"])
    return keyset(query, Project, args)


@blp.route("/projects/<int:project_id>")
@in_project()
@blp.response(200, ProjectSchema)
@blp.doc(**doc(N_("Read a project")))
def get_project(project):
    return project


@blp.route("/projects/<int:project_id>/members")
@in_project()
@blp.arguments(PageArgs, location="query")
@blp.response(200, MemberPage)
@blp.doc(**doc(N_("List the members of a project")))
def list_members(project, args):
    from sqlalchemy.orm import selectinload

    query = select(ProjectMember).where(ProjectMember.project_id == project.id).options(
        selectinload(ProjectMember.user))
    return keyset(query, ProjectMember, args)
