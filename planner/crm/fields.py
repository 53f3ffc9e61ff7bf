"""The fields of each kind of record as files know them: what an import can fill, what an export
writes, and the header names (in English, Spanish and Chinese, plus those common CRM systems use)
from which a column mapping is proposed."""

import re
from dataclasses import dataclass, field, replace

from flask_babel import force_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

from planner.crm.models import Channel, OpportunityKind, OpportunityStage, RecordKind, search_key


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    type: str  # text, datetime, date, decimal, score, bool, channel, opportunity_kind, stage, account, contact, user
    required: bool = False
    max_length: int | None = None
    synonyms: tuple[str, ...] = field(default_factory=tuple)


def _f(name, label, type_="text", required=False, max_length=None, synonyms=()):
    return FieldSpec(name, label, type_, required, max_length, tuple(synonyms))


EXTERNAL_ID = _f("external_id", _l("External id"), required=True, max_length=100, synonyms=(
    "id", "external id", "record id", "crm id", "source id", "key", "identificador", "codigo", "código",
    "id externo", "编号", "编码", "外部编号", "记录编号", "客户编号", "序号id"))


def _external_id(*synonyms: str) -> FieldSpec:
    """The external id, also recognised under the names a CRM gives the id of this kind of record."""
    return replace(EXTERNAL_ID, synonyms=EXTERNAL_ID.synonyms + synonyms)


CAPTURED_BY = _f("captured_by", _l("Captured by (e-mail)"), "user", max_length=254, synonyms=(
    "captured by", "created by", "owner", "owner email", "user", "user email", "registrado por", "creado por",
    "propietario", "usuario", "correo del usuario", "录入人", "创建人", "负责人", "所有者", "录入人邮箱"))
CREATED_AT = _f("created_at", _l("Created on"), "datetime", synonyms=(
    "created", "created at", "created date", "created on", "date created", "creation date", "fecha de alta",
    "fecha de creacion", "fecha de creación", "alta", "创建时间", "创建日期", "录入时间"))
ACCOUNT_REF = _f("account", _l("Account (external id)"), "account", max_length=100, synonyms=(
    "account", "account id", "account external id", "account number", "customer id", "company id", "cuenta",
    "id cuenta", "id de cuenta", "cliente", "id cliente", "id del cliente", "客户", "客户编号", "客户id",
    "所属客户", "公司编号"))
CONTACT_REF = _f("contact", _l("Contact (external id)"), "contact", max_length=100, synonyms=(
    "contact", "contact id", "contact external id", "contacto", "id contacto", "id de contacto", "联系人",
    "联系人编号", "联系人id"))

FIELDS: dict[RecordKind, list[FieldSpec]] = {
    RecordKind.ACCOUNTS: [
        _external_id("account id", "account number", "customer id", "customer number", "id cuenta", "id de cuenta",
                     "numero de cuenta", "número de cuenta", "id cliente", "codigo de cliente", "código de cliente",
                     "客户编号", "客户id", "客户代码"),
        _f("name", lazy_pgettext("record name", "Name"), required=True, max_length=200, synonyms=(
            "name", "account name", "company", "company name", "customer", "customer name", "nombre",
            "nombre de la cuenta", "razon social", "razón social", "empresa", "名称", "客户名称", "公司名称",
            "企业名称")),
        _f("segment", _l("Segment"), max_length=80, synonyms=(
            "segment", "customer segment", "tier", "segmento", "tipo de cliente", "细分", "客户分类", "客户等级",
            "分类")),
        _f("industry", _l("Industry"), max_length=80, synonyms=(
            "industry", "sector", "industria", "sector de actividad", "行业", "所属行业")),
        _f("country", _l("Country"), max_length=80, synonyms=(
            "country", "billing country", "pais", "país", "国家", "国家地区")),
        _f("city", _l("City"), max_length=80, synonyms=(
            "city", "billing city", "town", "ciudad", "poblacion", "población", "localidad", "城市", "所在城市")),
        CREATED_AT,
        CAPTURED_BY,
    ],
    RecordKind.CONTACTS: [
        _external_id("contact id", "contact number", "id contacto", "id de contacto", "联系人编号", "联系人id"),
        _f("name", _l("Name"), required=True, max_length=200, synonyms=(
            "name", "full name", "contact name", "nombre", "nombre completo", "nombre del contacto", "姓名",
            "联系人姓名", "名字")),
        ACCOUNT_REF,
        _f("email", _l("E-mail"), max_length=254, synonyms=(
            "email", "e mail", "email address", "mail", "correo", "correo electronico", "correo electrónico",
            "e mail del contacto", "邮箱", "电子邮件", "电子邮箱", "邮件地址")),
        _f("phone", _l("Phone"), max_length=40, synonyms=(
            "phone", "telephone", "mobile", "phone number", "telefono", "teléfono", "movil", "móvil", "电话",
            "手机", "联系电话", "手机号")),
        _f("job_title", _l("Job title"), max_length=120, synonyms=(
            "title", "job title", "position", "role", "cargo", "puesto", "职位", "职务", "岗位")),
        CREATED_AT,
        CAPTURED_BY,
    ],
    RecordKind.INTERACTIONS: [
        _external_id("interaction id", "activity id", "id interaccion", "id de interacción", "id actividad",
                     "互动编号", "活动编号", "记录id"),
        ACCOUNT_REF,
        CONTACT_REF,
        _f("occurred_at", _l("Date and time"), "datetime", required=True, synonyms=(
            "date", "datetime", "date time", "activity date", "when", "occurred at", "fecha", "fecha y hora",
            "fecha de la actividad", "日期", "时间", "日期时间", "发生时间", "联系时间")),
        _f("channel", _l("Channel"), "channel", required=True, synonyms=(
            "channel", "type", "activity type", "medium", "canal", "tipo", "medio", "渠道", "方式", "联系方式",
            "类型")),
        _f("purpose", _l("Purpose"), max_length=200, synonyms=(
            "purpose", "subject", "reason", "topic", "motivo", "asunto", "proposito", "propósito", "目的", "主题",
            "事由")),
        _f("outcome", _l("Outcome"), max_length=500, synonyms=(
            "outcome", "result", "resolution", "resultado", "desenlace", "结果", "处理结果")),
        CAPTURED_BY,
    ],
    RecordKind.CASES: [
        _external_id("case id", "case number", "ticket", "ticket id", "ticket number", "id caso", "numero de caso",
                     "número de caso", "工单号", "工单编号", "服务单号"),
        ACCOUNT_REF,
        CONTACT_REF,
        _f("subject", _l("Subject"), required=True, max_length=200, synonyms=(
            "subject", "title", "case subject", "issue", "asunto", "titulo", "título", "incidencia", "主题", "标题",
            "问题")),
        _f("opened_at", _l("Opened"), "datetime", required=True, synonyms=(
            "opened", "opened at", "open date", "date opened", "created", "abierto", "fecha de apertura", "apertura",
            "受理时间", "开单时间", "创建时间", "开始时间")),
        _f("closed_at", _l("Closed"), "datetime", synonyms=(
            "closed", "closed at", "close date", "date closed", "cerrado", "fecha de cierre", "cierre", "关闭时间",
            "结案时间", "完成时间")),
        _f("resolved_first_contact", _l("Resolved at first contact"), "bool", synonyms=(
            "first contact resolution", "fcr", "resolved first contact", "resolved at first contact",
            "resuelto en el primer contacto", "resuelto al primer contacto", "首次解决", "一次解决", "首次联系解决")),
        _f("satisfaction", _l("Satisfaction (1–5)"), "score", synonyms=(
            "satisfaction", "csat", "score", "rating", "satisfaccion", "satisfacción", "valoracion", "valoración",
            "puntuacion", "puntuación", "满意度", "评分", "客户满意度")),
        CAPTURED_BY,
    ],
    RecordKind.OPPORTUNITIES: [
        _external_id("opportunity id", "deal id", "id oportunidad", "id de oportunidad", "商机编号", "商机id"),
        ACCOUNT_REF,
        _f("name", lazy_pgettext("record name", "Name"), required=True, max_length=200, synonyms=(
            "name", "opportunity", "opportunity name", "deal", "nombre", "oportunidad", "nombre de la oportunidad",
            "名称", "商机", "商机名称", "机会名称")),
        _f("opportunity_kind", _l("Type"), "opportunity_kind", required=True, synonyms=(
            "type", "kind", "opportunity type", "tipo", "tipo de oportunidad", "类型", "商机类型")),
        _f("amount", _l("Amount"), "decimal", required=True, synonyms=(
            "amount", "value", "deal value", "importe", "valor", "monto", "cuantia", "金额", "预计金额", "商机金额")),
        _f("stage", _l("Stage"), "stage", required=True, synonyms=(
            "stage", "status", "sales stage", "etapa", "fase", "estado", "阶段", "状态", "销售阶段")),
        _f("opened_on", _l("Opened on"), "date", required=True, synonyms=(
            "opened", "open date", "created", "created date", "fecha de apertura", "apertura", "fecha de alta",
            "创建日期", "开始日期", "立项日期")),
        _f("closed_on", _l("Closed on"), "date", synonyms=(
            "closed", "close date", "closed date", "fecha de cierre", "cierre", "关闭日期", "结束日期", "成交日期")),
        CAPTURED_BY,
    ],
}


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
    OpportunityStage.PROSPECTING: ("prospecting", "prospect", "lead", "new", "prospeccion", "prospecto",
                                   "潜在", "线索", "初步接触"),
    OpportunityStage.QUALIFICATION: ("qualification", "qualified", "calificacion", "cualificacion",
                                     "cualificada", "确认需求", "需求确认", "资格审查"),
    OpportunityStage.PROPOSAL: ("proposal", "quote", "quoted", "propuesta", "oferta", "presupuesto", "方案",
                                "报价", "提案"),
    OpportunityStage.NEGOTIATION: ("negotiation", "negotiating", "negociacion", "谈判", "商务谈判"),
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


def _names_for(spec: FieldSpec) -> set[str]:
    names = {header_key(spec.name.replace("_", " "))}
    names.update(header_key(s) for s in spec.synonyms)
    for language in ("en", "es", "zh"):
        with force_locale(language):
            names.add(header_key(str(spec.label)))
    names.discard("")
    return names


def propose_mapping(kind: RecordKind, headers: list[str], remembered: dict | None = None) -> dict[str, int]:
    """``{field name: column index}``: first the remembered mapping (by header name), then header
    names that match a field's label in any of the three languages or a usual synonym."""
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
    for spec in FIELDS[RecordKind(kind)]:
        if spec.name in mapping:
            continue
        names = _names_for(spec)
        for index, key in enumerate(keys):
            if index not in used and key in names:
                mapping[spec.name] = index
                used.add(index)
                break
    return mapping
