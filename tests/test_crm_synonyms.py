"""The synonyms table (planner/crm/imports/data/synonyms.yaml): each name belongs to one field of a kind,
and the column names Zoho and Pipedrive export (Salesforce, HubSpot, Dynamics 365 and the Excel users'
are in tests/test_crm_import_sources.py) get their fields proposed."""

import pytest

from planner.crm.fields import FIELDS, _names, header_key, propose_mapping, synonyms
from planner.crm.models import RecordKind

ALLOWED_TWICE = {frozenset({"name", "first_name"}): {"nombre", "名字"}}


@pytest.mark.parametrize("kind", list(RecordKind), ids=[kind.value for kind in RecordKind])
def test_a_name_feeds_one_field_of_a_kind(app, kind):
    owner: dict[str, str] = {}
    clashes = []
    for spec in FIELDS[kind]:
        for name in _names(kind, spec.name):
            if name in owner and name not in ALLOWED_TWICE.get(frozenset({owner[name], spec.name}), set()):
                clashes.append((name, owner[name], spec.name))
            owner.setdefault(name, spec.name)
    assert not clashes


def test_every_listed_field_exists_and_names_are_not_blank(app):
    for kind, fields in synonyms().items():
        assert set(fields) == {spec.name for spec in FIELDS[kind]}
        for names in fields.values():
            assert all(header_key(name) for name in names)


ZOHO = {
    RecordKind.ACCOUNTS: (["Record Id", "Account Name", "Account Owner", "Industry", "Billing City", "Billing Country",
                           "Account Type", "Created Time", "Phone"],
                          {"external_id": "Record Id", "name": "Account Name", "industry": "Industry",
                           "city": "Billing City", "country": "Billing Country", "segment": "Account Type",
                           "created_at": "Created Time"}),
    RecordKind.CONTACTS: (["Record Id", "First Name", "Last Name", "Account Name", "Email", "Phone", "Title",
                           "Mailing City", "Created Time", "Contact Owner"],
                          {"external_id": "Record Id", "first_name": "First Name", "last_name": "Last Name",
                           "account": "Account Name", "email": "Email", "phone": "Phone", "job_title": "Title",
                           "created_at": "Created Time"}),
    RecordKind.OPPORTUNITIES: (["Record Id", "Deal Name", "Account Name", "Amount", "Stage", "Closing Date", "Type",
                                "Created Time", "Deal Owner"],
                               {"external_id": "Record Id", "name": "Deal Name", "account": "Account Name",
                                "amount": "Amount", "stage": "Stage", "closed_on": "Closing Date",
                                "opportunity_kind": "Type", "opened_on": "Created Time"}),
}
PIPEDRIVE = {
    RecordKind.ACCOUNTS: (["Organization - ID", "Organization - Name", "Organization - Owner",
                           "Organization - Country of Address", "Organization - Industry"],
                          {"external_id": "Organization - ID", "name": "Organization - Name",
                           "country": "Organization - Country of Address", "industry": "Organization - Industry"}),
    RecordKind.CONTACTS: (["Person - ID", "Person - Name", "Person - First name", "Person - Last name",
                           "Person - Organization", "Person - Email", "Person - Phone", "Person - Job title"],
                          {"external_id": "Person - ID", "name": "Person - Name", "first_name": "Person - First name",
                           "last_name": "Person - Last name", "account": "Person - Organization",
                           "email": "Person - Email", "phone": "Person - Phone", "job_title": "Person - Job title"}),
    RecordKind.OPPORTUNITIES: (["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Organization", "Deal - Stage",
                                "Deal - Status", "Deal - Deal created", "Deal - Deal closed on", "Deal - Owner"],
                               {"external_id": "Deal - ID", "name": "Deal - Title", "amount": "Deal - Value",
                                "account": "Deal - Organization", "stage": "Deal - Stage",
                                "opened_on": "Deal - Deal created", "closed_on": "Deal - Deal closed on"}),
    RecordKind.INTERACTIONS: (["Activity - ID", "Activity - Subject", "Activity - Type", "Activity - Due date",
                               "Activity - Organization", "Activity - Note"],
                              {"external_id": "Activity - ID", "purpose": "Activity - Subject",
                               "channel": "Activity - Type", "occurred_at": "Activity - Due date",
                               "account": "Activity - Organization"}),
}


@pytest.mark.parametrize("source", ["zoho", "pipedrive"])
def test_zoho_and_pipedrive_exports_get_their_fields(app, source):
    for kind, (headers, expected) in (ZOHO if source == "zoho" else PIPEDRIVE).items():
        proposed = {name: headers[index] for name, index in propose_mapping(kind, headers).items()}
        assert proposed == expected, kind
