"""Row links built once per request (planner.urls.id_url) are the URLs url_for builds."""

from flask import url_for

from planner.urls import id_url


def test_row_links_are_what_url_for_builds(app):
    with app.test_request_context("/"):
        for record_id in (1, 7, 12345678901):
            assert id_url("crm.interactions_edit", "record_id", record_id, project_id=3) == url_for(
                "crm.interactions_edit", project_id=3, record_id=record_id)
        assert id_url("crm.account", "account_id", 5, project_id=9) == url_for("crm.account", project_id=9,
                                                                              account_id=5)
        # The id in the query string, and an id that is not an integer: url_for's answer all the same.
        assert id_url("crm.contacts", "account", 42, project_id=3) == url_for("crm.contacts", project_id=3,
                                                                             account=42)
        assert id_url("crm.contacts", "account", "4 2", project_id=3) == url_for("crm.contacts", project_id=3,
                                                                                account="4 2")


def test_each_request_builds_its_own_links(app):
    with app.test_request_context("/", base_url="http://first.example"):
        first = id_url("projects.overview", "project_id", 1, _external=True)
    with app.test_request_context("/", base_url="http://second.example"):
        second = id_url("projects.overview", "project_id", 1, _external=True)
    assert first.startswith("http://first.example/") and second.startswith("http://second.example/")


def test_a_link_shape_is_kept_for_the_address_the_request_came_to(app):
    with app.test_request_context("/", base_url="http://first.example/root"):
        mounted = id_url("projects.overview", "project_id", 1)
        assert mounted == url_for("projects.overview", project_id=1) == "/root/projects/1"
    with app.test_request_context("/"):
        assert id_url("projects.overview", "project_id", 2) == url_for("projects.overview", project_id=2)
        assert id_url("projects.overview", "project_id", 3, _anchor="x") == "/projects/3#x"
