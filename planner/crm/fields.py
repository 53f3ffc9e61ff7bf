"""The fields of each kind of record as files know them: what an import can fill, what an export
writes, and the header names (in English, Spanish and Chinese, plus those common CRM systems use)
from which a column mapping is proposed."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from flask_babel import force_locale

from planner.crm.models import Channel, OpportunityKind, OpportunityStage, RecordKind, search_key
from planner.i18n import lazy_gettext as _l
from planner.i18n import lazy_pgettext


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    type: str  # text, email, phone, name_part, datetime, date, decimal, score, bool, channel, opportunity_kind,
    #            stage, account, contact, user
    required: bool = False
    max_length: int | None = None


TEXT_TYPES = ("text", "email", "phone", "name_part")


def _f(name, label, type_="text", required=False, max_length=None):
    return FieldSpec(name, label, type_, required, max_length)


EXTERNAL_ID = _f("external_id", _l("External id"), required=True, max_length=100)
CAPTURED_BY = _f("captured_by", _l("Captured by (e-mail)"), "user", max_length=254)
CREATED_AT = _f("created_at", _l("Created on"), "datetime")
ACCOUNT_REF = _f("account", _l("Account (external id or name)"), "account", max_length=200)
CONTACT_REF = _f("contact", _l("Contact (external id)"), "contact", max_length=100)

FIELDS: dict[RecordKind, list[FieldSpec]] = {
    RecordKind.ACCOUNTS: [
        EXTERNAL_ID,
        _f("name", lazy_pgettext("record name", "Name"), required=True, max_length=200),
        _f("segment", _l("Segment"), max_length=80),
        _f("industry", _l("Industry"), max_length=80),
        _f("country", _l("Country"), max_length=80),
        _f("city", _l("City"), max_length=80),
        CREATED_AT,
        CAPTURED_BY,
    ],
    RecordKind.CONTACTS: [
        EXTERNAL_ID,
        _f("name", _l("Name"), required=True, max_length=200),
        # Files that split the name: joined into the name ("Ana García"; Chinese family name first: "王小明").
        _f("first_name", _l("First name"), "name_part", max_length=200),
        _f("last_name", _l("Last name (family name)"), "name_part", max_length=200),
        ACCOUNT_REF,
        _f("email", _l("E-mail"), "email", max_length=254),
        _f("phone", _l("Phone"), "phone", max_length=40),
        _f("job_title", _l("Job title"), max_length=120),
        CREATED_AT,
        CAPTURED_BY,
    ],
    RecordKind.INTERACTIONS: [
        EXTERNAL_ID,
        ACCOUNT_REF,
        CONTACT_REF,
        _f("occurred_at", _l("Date and time"), "datetime", required=True),
        _f("channel", _l("Channel"), "channel", required=True),
        _f("purpose", _l("Purpose"), max_length=200),
        _f("outcome", _l("Outcome"), max_length=500),
        CAPTURED_BY,
    ],
    RecordKind.CASES: [
        EXTERNAL_ID,
        ACCOUNT_REF,
        CONTACT_REF,
        _f("subject", _l("Subject"), required=True, max_length=200),
        _f("opened_at", _l("Opened"), "datetime", required=True),
        _f("closed_at", _l("Closed"), "datetime"),
        _f("resolved_first_contact", _l("Resolved at first contact"), "bool"),
        _f("satisfaction", _l("Satisfaction (1–5)"), "score"),
        CAPTURED_BY,
    ],
    RecordKind.OPPORTUNITIES: [
        EXTERNAL_ID,
        ACCOUNT_REF,
        _f("name", lazy_pgettext("record name", "Name"), required=True, max_length=200),
        _f("opportunity_kind", _l("Type"), "opportunity_kind", required=True),
        _f("amount", _l("Amount"), "decimal", required=True),
        _f("stage", _l("Stage"), "stage", required=True),
        _f("opened_on", _l("Opened on"), "date", required=True),
        _f("closed_on", _l("Closed on"), "date"),
        _f("expected_close_on", _l("Expected to close on"), "date"),
        CAPTURED_BY,
    ],
}
STORED = {kind: [spec for spec in specs if spec.type != "name_part"] for kind, specs in FIELDS.items()}
# A field that a column of another can fill too: an open deal's "close date" is its expected one
# (see imports.checks.RowReader._cross_checks), so a file that brings the first can write the second.
ALSO_FILLS = {RecordKind.OPPORTUNITIES: {"closed_on": "expected_close_on"}}


def filled(kind: RecordKind, names) -> set[str]:
    """The fields a file (or an API call) bringing ``names`` may write."""
    names = set(names)
    also = ALSO_FILLS.get(RecordKind(kind), {})
    return names | {also[name] for name in names if name in also}


def field_map(kind: RecordKind) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in FIELDS[RecordKind(kind)]}


# --------------------------------------------------------------------------- values in three languages

_YES = ("yes", "y", "true", "1", "x", "si", "s", "sí", "verdadero", "是", "对", "✓", "✔")
_NO = ("no", "n", "false", "0", "falso", "否", "不", "")
BOOL_VALUES = {search_key(v): True for v in _YES} | {search_key(v): False for v in _NO}

_CHOICE_SYNONYMS = {
    Channel.PHONE: ("phone", "call", "telephone", "phone call", "telefono", "llamada", "电话", "来电", "去电"),
    Channel.EMAIL: ("email", "e mail", "mail", "correo", "correo electronico", "邮件", "电子邮件", "邮箱"),
    Channel.WEB: ("web", "website", "web form", "portal", "formulario web", "sitio web", "网站", "网页", "官网"),
    Channel.IN_PERSON: ("in person", "visit", "meeting", "face to face", "presencial", "visita", "reunion",
                        "en persona", "面谈", "拜访", "上门", "当面"),
    Channel.CHAT: ("chat", "live chat", "whatsapp", "wechat", "instant message", "mensajeria", "微信", "在线聊天",
                   "聊天", "在线客服"),
    Channel.OTHER: ("other", "otro", "otros", "其他", "其它"),
    OpportunityKind.NEW_BUSINESS: ("new", "new business", "new customer", "nuevo negocio", "nuevo", "nuevo cliente",
                                   "新业务", "新客户"),
    OpportunityKind.CROSS_SELL: ("cross sell", "cross selling", "crosssell", "venta cruzada", "交叉销售"),
    OpportunityKind.UP_SELL: ("up sell", "upsell", "up selling", "venta adicional", "venta de mayor valor",
                              "mejora", "追加销售", "升级销售", "向上销售"),
    # Salesforce's and HubSpot's default sales stages are listed with the stage they stand for.
    OpportunityStage.PROSPECTING: ("prospecting", "prospect", "lead", "new", "appointment scheduled", "prospeccion",
                                   "prospecto", "潜在", "线索", "初步接触"),
    OpportunityStage.QUALIFICATION: ("qualification", "qualified", "qualified to buy", "needs analysis",
                                     "id decision makers", "calificacion", "cualificacion", "cualificada",
                                     "确认需求", "需求确认", "资格审查"),
    OpportunityStage.PROPOSAL: ("proposal", "quote", "quoted", "proposal price quote", "value proposition",
                                "perception analysis", "presentation scheduled", "propuesta", "oferta",
                                "presupuesto", "方案", "报价", "提案"),
    OpportunityStage.NEGOTIATION: ("negotiation", "negotiating", "negotiation review", "decision maker bought in",
                                   "contract sent", "negociacion", "谈判", "商务谈判"),
    OpportunityStage.WON: ("won", "closed won", "win", "ganada", "ganado", "cerrada ganada", "赢单", "成交", "赢得"),
    OpportunityStage.LOST: ("lost", "closed lost", "loss", "perdida", "perdido", "cerrada perdida", "丢单",
                            "输单", "失败"),
}


def _choice_table(enum_cls) -> dict[str, object]:
    table: dict[str, object] = {}
    for member in enum_cls:
        table[search_key(member.value.replace("_", " "))] = member
        for word in _CHOICE_SYNONYMS.get(member, ()):
            table.setdefault(search_key(word), member)
        for language in ("en", "es", "zh"):
            with force_locale(language):
                table.setdefault(search_key(str(member.label)), member)
    return table


CHOICE_ENUMS = {"channel": Channel, "opportunity_kind": OpportunityKind, "stage": OpportunityStage}
_TABLES: dict[str, dict] = {}


def choice_table(type_: str) -> dict[str, object]:
    """Normalised words (codes, labels in the three languages, common synonyms) → enum member."""
    if type_ not in _TABLES:
        _TABLES[type_] = _choice_table(CHOICE_ENUMS[type_])
    return _TABLES[type_]


# --------------------------------------------------------------------------- proposing a mapping

_PUNCTUATION = re.compile(r"[\s_\-.:/()（）\[\]#*：]+")


def header_key(text: str) -> str:
    return _PUNCTUATION.sub(" ", search_key(text or "")).strip()


SYNONYMS_FILE = Path(__file__).parent / "imports" / "data" / "synonyms.yaml"


@cache
def synonyms() -> dict:
    """The header names of ``imports/data/synonyms.yaml``: ``{kind: {field: [names]}}`` (common ones after
    the kind's own)."""
    raw = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))
    found = {}
    for kind in RecordKind:
        own = raw.get(kind.value) or {}
        found[kind] = {spec.name: [str(name) for name in (own.get(spec.name) or [])]
                       + [str(name) for name in (raw["common"].get(spec.name) or [])] for spec in FIELDS[kind]}
    return found


@cache
def _names(kind: RecordKind, field_name: str) -> frozenset[str]:
    names = {header_key(field_name.replace("_", " "))}
    names.update(header_key(name) for name in synonyms()[kind][field_name])
    spec = field_map(kind)[field_name]
    for language in ("en", "es", "zh"):
        with force_locale(language):
            names.add(header_key(str(spec.label)))
    names.discard("")
    return frozenset(names)


def propose_mapping(kind: RecordKind, headers: list[str], remembered: dict | None = None) -> dict[str, int]:
    """``{field name: column index}``: first the remembered mapping (by header name), then header
    names that match a field's label in any of the three languages or a name of the synonyms file."""
    kind = RecordKind(kind)
    keys = [header_key(h) for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for name, header in (remembered or {}).items():
        wanted = header_key(header)
        if wanted in keys and name in field_map(kind):
            index = keys.index(wanted)
            if index not in used:
                mapping[name] = index
                used.add(index)
    for spec in FIELDS[kind]:
        if spec.name in mapping:
            continue
        names = _names(kind, spec.name)
        for index, key in enumerate(keys):
            if index not in used and key in names:
                mapping[spec.name] = index
                used.add(index)
                break
    # "Nombre" next to "Apellidos" (or 名字 next to 姓) is the first name, not the whole name.
    if "last_name" in mapping and "first_name" not in mapping and "name" in mapping \
            and keys[mapping["name"]] in _names(kind, "first_name"):
        mapping["first_name"] = mapping.pop("name")
    return mapping
