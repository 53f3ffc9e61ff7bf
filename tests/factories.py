"""Factories for test data. Each returns the saved object; names default to Chinese so that the
Chinese page crawl can tell user data from stray English interface text."""

import itertools

from planner.auth.models import GlobalRole, User
from planner.extensions import db
from planner.projects.models import Project, ProjectMember

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(email=None, name=None, role=GlobalRole.USER, language=None, password=PASSWORD,
              timezone="UTC", active=True) -> User:
    n = next(_counter)
    user = User(email=email or f"user{n}@example.com", name=name or f"用户{n}", role=GlobalRole(role),
                language=language, timezone=timezone, active=active)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_project(manager: User | None = None, name=None, currency="CNY", **fields) -> Project:
    n = next(_counter)
    project = Project(name=name or f"项目{n}", currency=currency,
                      description=fields.pop("description", "项目说明"),
                      vision=fields.pop("vision", "项目愿景"),
                      business_areas=fields.pop("business_areas", ["sales", "service"]), **fields)
    db.session.add(project)
    db.session.flush()
    if manager is not None:
        db.session.add(ProjectMember(project_id=project.id, user_id=manager.id, is_manager=True))
    db.session.commit()
    return project


def add_member(project: Project, user: User, manager=False, sponsor=False, team="") -> ProjectMember:
    member = ProjectMember(project_id=project.id, user_id=user.id, is_manager=manager, is_sponsor=sponsor,
                           team=team)
    db.session.add(member)
    db.session.commit()
    return member
