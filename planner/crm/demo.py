"""Demo CRM records for the three demo projects, in each project's language.

About 26 weeks of history: ten weeks carried over from the old system (imported, few outcomes
recorded), then sixteen weeks in the new CRM during which more staff capture, more interactions
get an outcome, first-contact resolution and satisfaction improve, so the KPI trends have a story.
Skipped for a project that already has its demo accounts (``flask demo load`` twice adds nothing).
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from planner.crm.models import (
    Account,
    Channel,
    Contact,
    Interaction,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    ServiceCase,
)
from planner.crm.services import prepare, refresh_duplicates
from planner.db import utcnow
from planner.extensions import db
from planner.projects.models import ProjectMember

ORDER = 40
HISTORY_WEEKS = 10  # before the go-live, from the old system
LIVE_WEEKS = 16


@dataclass(frozen=True)
class Vocabulary:
    prefix: str
    first: tuple
    middle: tuple
    legal: dict  # country → legal forms
    places: dict  # country → cities
    segments: tuple
    industries: tuple
    given: tuple
    family: tuple
    person: str  # "{given} {family}" or "{family}{given}"
    email_domain: str
    phones: dict  # country → format
    titles: tuple
    purposes: tuple
    outcomes: tuple
    subjects: tuple
    deals: tuple
    channels: dict
    amounts: tuple  # smallest, largest
    # A column of the old CRM's export that feeds no field: kept with the account as an other field.
    tax_id: tuple = ("VAT number", "GB{:09d}")


EN = Vocabulary(
    prefix="MF",
    first=("Harbour", "Northgate", "Kestrel", "Bramley", "Summit", "Ashford", "Redwood", "Lakeside", "Pioneer",
           "Granite", "Bluewater", "Oakridge", "Sterling", "Westfield", "Crescent", "Highland", "Riverside", "Beacon"),
    middle=("Foods", "Pharma", "Retail", "Components", "Textiles", "Electronics", "Furniture", "Beverages",
            "Paper", "Motors", "Garden Supplies", "Home Goods"),
    legal={"United Kingdom": ("Ltd", "plc"), "United States": ("Inc.", "LLC")},
    places={"United Kingdom": ("London", "Manchester", "Leeds", "Bristol", "Glasgow", "Birmingham"),
            "United States": ("Newark", "Chicago", "Atlanta", "Dallas", "Seattle")},
    segments=("Key account", "Mid-market", "Small business"),
    industries=("Food and drink", "Pharmaceuticals", "Retail", "Manufacturing", "Consumer electronics"),
    given=("Olivia", "James", "Amelia", "Harry", "Isla", "George", "Emily", "Noah", "Grace", "Jack", "Chloe",
           "Daniel", "Megan", "Ryan", "Sophie", "Liam", "Hannah", "Ethan"),
    family=("Smith", "Patel", "Jones", "Walker", "Murphy", "Brown", "Davies", "Wilson", "Khan", "Taylor", "Evans",
            "Roberts", "Garcia", "Miller", "Hughes", "Wright"),
    person="{given} {family}",
    email_domain="{slug}.example.com",
    phones={"United Kingdom": "+44 161 {a:03d} {b:04d}", "United States": "+1 312 {a:03d} {b:04d}"},
    titles=("Logistics manager", "Procurement lead", "Warehouse supervisor", "Operations director",
            "Accounts payable clerk", "Supply chain analyst"),
    purposes=("Delivery delay enquiry", "Quote request for a new lane", "Proof of delivery request", "Invoice query",
              "Damaged pallet report", "Booking change", "Quarterly business review", "Customs paperwork question"),
    outcomes=("Shared the new arrival time and set a tracking alert", "Sent a quote for review by Friday",
              "Emailed the signed proof of delivery", "Raised a credit note for the duplicate charge",
              "Opened a claim with the photos attached", "Rebooked the collection for Thursday",
              "Agreed next quarter's volumes", "Sent the commercial invoice template"),
    subjects=("Late delivery to the Leeds depot", "Pallet damaged on arrival", "Missing proof of delivery",
              "Invoice charged twice", "Missed collection", "Wrong delivery address", "Chilled load above 5 °C",
              "Shipment held at customs"),
    deals=("Extra weekly lane to {city}", "Temperature-controlled capacity", "Warehousing add-on",
           "Same-day courier service", "Annual contract renewal", "Returns handling service",
           "Cross-dock service in {city}"),
    channels={Channel.PHONE: 40, Channel.EMAIL: 30, Channel.WEB: 10, Channel.IN_PERSON: 10, Channel.CHAT: 6,
              Channel.OTHER: 4},
    amounts=(2_000, 180_000),
)

ES = Vocabulary(
    prefix="DA",
    first=("Ferretería", "Supermercados", "Farmacia", "Talleres", "Hostelería", "Papelería", "Almacenes",
           "Electrodomésticos", "Bodegas", "Panadería", "Droguería", "Distribuidora"),
    middle=("Gómez", "del Sur", "Levante", "Hermanos Ruiz", "La Esperanza", "Castilla", "Núñez", "Ibérica",
            "Peñalver", "San Nicolás", "Regiomontana", "El Sol", "Arganzuela", "La Huerta"),
    legal={"España": ("S.L.", "S.A."), "México": ("S.A. de C.V.",)},
    places={"España": ("Madrid", "Valencia", "Alicante", "Toledo", "Castellón", "Getafe"),
            "México": ("Monterrey", "Saltillo", "San Pedro Garza García")},
    segments=("Cuenta clave", "Mediana empresa", "Pequeño negocio"),
    industries=("Ferretería y bricolaje", "Alimentación", "Hostelería", "Farmacia", "Automoción"),
    given=("Lucía", "Javier", "María", "Alejandro", "Carmen", "Pablo", "Elena", "Sergio", "Marta", "Álvaro",
           "Rocío", "Andrés", "Beatriz", "Raúl", "Inés", "Fernando", "Guadalupe", "Héctor"),
    family=("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Jiménez", "Ruiz",
            "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Treviño", "Garza"),
    person="{given} {family}",
    email_domain="{slug}.example.es",
    phones={"España": "+34 91{a:01d} {b:03d} {c:03d}", "México": "+52 81 {b:04d} {c:04d}"},
    titles=("Responsable de compras", "Gerente", "Jefa de almacén", "Administración", "Director comercial",
            "Encargado de tienda"),
    purposes=("Consulta de existencias", "Pedido urgente", "Reclamación por retraso", "Solicitud de presupuesto",
              "Duda sobre una factura", "Cambio de dirección de entrega", "Visita comercial",
              "Devolución de mercancía"),
    outcomes=("Existencias confirmadas y pedido reservado", "Pedido enviado; llega mañana antes de las 12",
              "Incidencia abierta con la agencia de transporte", "Presupuesto enviado por correo",
              "Factura corregida y reenviada", "Dirección actualizada en la ficha del cliente",
              "Acordado un pedido de prueba", "Recogida programada para el jueves"),
    subjects=("Pedido incompleto", "Mercancía dañada en el transporte", "Retraso en la entrega", "Error en la factura",
              "Producto equivocado", "Devolución pendiente de abono", "Garantía de un electrodoméstico"),
    deals=("Ampliación de surtido en {city}", "Contrato anual de suministro", "Reposición semanal en tienda",
           "Línea de productos de limpieza", "Acuerdo de distribución en {city}", "Pack de menaje para hostelería"),
    channels={Channel.PHONE: 45, Channel.EMAIL: 25, Channel.IN_PERSON: 15, Channel.CHAT: 8, Channel.WEB: 5,
              Channel.OTHER: 2},
    amounts=(800, 60_000),
    tax_id=("NIF", "B{:08d}"),
)

ZH = Vocabulary(
    prefix="HX",
    first=("苏州", "杭州", "宁波", "无锡", "南京", "合肥", "青岛", "成都", "武汉", "佛山", "东莞", "常州"),
    middle=("恒达", "瑞丰", "金源", "华美", "百顺", "鑫盛", "新宇", "嘉和", "永泰", "安居", "福润", "明辉"),
    legal={"中国": ("电器商行", "家电卖场", "家居有限公司", "电器连锁有限公司", "装饰工程有限公司",
                  "酒店管理有限公司")},
    places={"中国": ("苏州", "杭州", "宁波", "无锡", "南京", "合肥", "青岛", "成都", "武汉", "佛山")},
    segments=("重点客户", "中型企业", "小微企业"),
    industries=("家电零售", "房地产", "酒店", "家装", "电商"),
    given=("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英",
           "建华", "志强", "晓东"),
    family=("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马"),
    person="{family}{given}",
    email_domain="{slug}.example.cn",
    phones={"中国": "1{a:02d} {b:04d} {c:04d}"},
    titles=("采购经理", "店长", "总经理", "工程部主管", "财务", "售后主管"),
    purposes=("咨询新款空调价格", "预约安装", "售后报修", "查询订单进度", "开具发票", "以旧换新咨询", "工程项目报价",
              "门店陈列沟通"),
    outcomes=("已报价并发送产品资料", "已安排师傅周三上门安装", "已派单维修，预计两天内处理", "已告知发货时间",
              "发票已开具并寄出", "已登记以旧换新需求", "已提交报价，等待客户确认", "已约定下周到店拜访"),
    subjects=("空调不制冷", "洗衣机漏水", "冰箱噪音大", "安装延误", "配件缺失", "热水器不点火", "遥控器失灵"),
    deals=("{city}新楼盘精装空调项目", "酒店客房电视更换", "门店以旧换新活动", "年度采购框架协议", "中央空调维保服务",
           "厨电套餐推广"),
    channels={Channel.CHAT: 40, Channel.PHONE: 35, Channel.IN_PERSON: 10, Channel.WEB: 10, Channel.EMAIL: 3,
              Channel.OTHER: 2},
    amounts=(5_000, 900_000),
    tax_id=("统一社会信用代码", "91320500{:09d}X"),
)

VOCABULARIES = {"en": EN, "es": ES, "zh": ZH}
ACCOUNTS = 60


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slug(rng: random.Random, index: int) -> str:
    return f"client{index:03d}"


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50))), UTC)


class Builder:
    """Generates one project's records, deterministic for a given project and day."""

    def __init__(self, project, vocabulary: Vocabulary, staff: list[int], today: date):
        self.project, self.v, self.staff, self.today = project, vocabulary, staff, today
        self.rng = random.Random(f"{vocabulary.prefix}-{today.isoformat()}")
        self.go_live = today - timedelta(weeks=LIVE_WEEKS)
        self.start = self.go_live - timedelta(weeks=HISTORY_WEEKS)
        self.objects: list = []

    def add(self, obj):
        prepare(obj)
        self.objects.append(obj)
        return obj

    def progress(self, day: date) -> float:
        """0 before the go-live, rising to 1 by the last week."""
        return max(0.0, min(1.0, (day - self.go_live).days / (LIVE_WEEKS * 7)))

    def active_staff(self, day: date) -> list[int]:
        """Who captures that week: two people at the go-live, everyone after about ten weeks."""
        share = 0.35 + 0.65 * min(1.0, self.progress(day) * 1.6)
        count = max(1, round(len(self.staff) * share))
        active = self.staff[:count]
        if len(active) == len(self.staff) > 2 and day.isocalendar().week % 3 == 0:
            active = active[:-1]  # one colleague still skips the CRM now and then
        return active

    def build(self):
        rng, v = self.rng, self.v
        accounts = []
        for index in range(1, ACCOUNTS + 1):
            country = rng.choice(list(v.places))
            name = f"{rng.choice(v.first)}{'' if v is ZH else ' '}{rng.choice(v.middle)}" \
                   f"{'' if v is ZH else ' '}{rng.choice(v.legal[country])}"
            accounts.append(self.add(Account(
                project_id=self.project.id, external_id=f"{v.prefix}-A{index:04d}", name=name,
                segment=rng.choices(v.segments, weights=(2, 3, 5))[0], industry=rng.choice(v.industries),
                country=country, city=rng.choice(v.places[country]),
                created_at=_at(self.start + timedelta(days=rng.randint(0, 20)), rng),
                other_fields={v.tax_id[0]: v.tax_id[1].format(index * 7919 % 999_999_999)} if index % 3 else None)))
        contacts = self._contacts(accounts)
        self._interactions(accounts, contacts)
        self._cases(accounts, contacts)
        self._opportunities(accounts)
        return self.objects

    def _contacts(self, accounts):
        rng, v = self.rng, self.v
        contacts, index = {}, 0
        for account_index, account in enumerate(accounts, start=1):
            for _n in range(rng.choice((1, 2, 2, 3))):
                index += 1
                given, family = rng.choice(v.given), rng.choice(v.family)
                name = v.person.format(given=given, family=family)
                domain = v.email_domain.format(slug=_slug(rng, account_index))
                email = f"contact{index:03d}@{domain}"
                roll = rng.random()
                if roll < 0.07:
                    email = ""  # the old system often had no e-mail
                elif roll < 0.10:
                    email = email.replace("@", " at ")  # typed by hand, invalid
                pattern = v.phones[account.country]
                phone = pattern.format(a=rng.randint(10, 99), b=rng.randint(1000, 9999), c=rng.randint(1000, 9999))
                if email and rng.random() < 0.3:
                    phone = ""
                created = account.created_at + timedelta(days=rng.randint(0, 40))
                created = min(created, datetime.combine(self.today, time(9), UTC))
                contact = self.add(Contact(
                    project_id=self.project.id, external_id=f"{v.prefix}-C{index:04d}", account=account, name=name,
                    email=email, phone=phone, job_title=rng.choice(v.titles), created_at=created,
                    captured_by_id=self._captured_by(created.date())))
                contacts.setdefault(account.external_id, []).append(contact)
            if rng.random() < 0.05:  # the same person entered twice
                first = contacts[account.external_id][0]
                index += 1
                self.add(Contact(project_id=self.project.id, external_id=f"{v.prefix}-C{index:04d}", account=account,
                                 name=first.name, email=first.email, phone=first.phone, job_title=first.job_title,
                                 created_at=first.created_at + timedelta(days=3),
                                 captured_by_id=self._captured_by(first.created_at.date())))
        return contacts

    def _captured_by(self, day: date):
        if day < self.go_live:
            return None  # imported from the old system
        return self.rng.choice(self.active_staff(day))

    def _interactions(self, accounts, contacts):
        rng, v = self.rng, self.v
        index = 0
        loyal = accounts[: int(len(accounts) * 0.8)]  # the rest drift away after the old system
        day = self.start
        while day <= self.today:
            live = day >= self.go_live
            per_day = rng.randint(4, 7) + int(4 * self.progress(day)) if live else rng.randint(2, 4)
            if day.weekday() >= 5:
                per_day //= 3
            outcome_share = 0.55 + 0.38 * self.progress(day) if live else 0.25
            for _n in range(per_day):
                index += 1
                account = rng.choice(loyal if live else accounts)
                people = contacts.get(account.external_id, [])
                purpose_index = rng.randrange(len(v.purposes))
                self.add(Interaction(
                    project_id=self.project.id, external_id=f"{v.prefix}-I{index:05d}", account=account,
                    contact=rng.choice(people) if people and rng.random() < 0.8 else None, occurred_at=_at(day, rng),
                    channel=_weighted(rng, v.channels), purpose=v.purposes[purpose_index],
                    outcome=v.outcomes[purpose_index] if rng.random() < outcome_share else "",
                    captured_by_id=self._captured_by(day)))
            day += timedelta(days=1)

    def _cases(self, accounts, contacts):
        rng, v = self.rng, self.v
        day, index = self.start, 0
        while day <= self.today:
            for _n in range(rng.choice((0, 1, 1, 2)) if day.weekday() < 5 else 0):
                index += 1
                account = rng.choice(accounts)
                people = contacts.get(account.external_id, [])
                opened = _at(day, rng)
                progress = self.progress(day)
                fcr = rng.random() < (0.45 + 0.30 * progress)
                age = (self.today - day).days
                closed = None
                if fcr:
                    closed = opened + timedelta(minutes=rng.randint(5, 50))
                elif age > 2 or rng.random() < 0.3:
                    closed = opened + timedelta(hours=rng.randint(4, 96))
                if closed is not None and closed > utcnow():
                    closed = None
                score = None
                if closed is not None and rng.random() < 0.75:
                    mean = 3.1 + 1.0 * progress + (0.4 if fcr else -0.3)
                    score = max(1, min(5, round(rng.gauss(mean, 0.8))))
                self.add(ServiceCase(
                    project_id=self.project.id, external_id=f"{v.prefix}-K{index:04d}", account=account,
                    contact=rng.choice(people) if people else None, subject=rng.choice(v.subjects), opened_at=opened,
                    closed_at=closed, resolved_first_contact=fcr, satisfaction=score,
                    captured_by_id=self._captured_by(day)))
            day += timedelta(days=1)

    def _opportunities(self, accounts):
        rng, v = self.rng, self.v
        low, high = v.amounts
        for index in range(1, 81):
            account = rng.choice(accounts)
            opened = self.start + timedelta(days=rng.randint(0, (self.today - self.start).days))
            kind = rng.choices(list(OpportunityKind), weights=(3, 4, 3))[0]
            age = (self.today - opened).days
            stage = rng.choice((OpportunityStage.PROSPECTING, OpportunityStage.QUALIFICATION,
                                OpportunityStage.PROPOSAL, OpportunityStage.NEGOTIATION))
            closed_on = None
            if age > 20 and rng.random() < 0.8:
                win = 0.30 + 0.25 * self.progress(opened)
                stage = OpportunityStage.WON if rng.random() < win else OpportunityStage.LOST
                closed_on = min(self.today, opened + timedelta(days=rng.randint(15, 60)))
            # Open deals carry the forecast a sales rep keeps (no draw from rng: the rest stays the same).
            expected = None if closed_on else max(self.today, opened) + timedelta(days=14 + (index * 7) % 60)
            amount = Decimal(rng.randrange(low, high, 50)).quantize(Decimal("0.01"))
            self.add(Opportunity(
                project_id=self.project.id, external_id=f"{v.prefix}-O{index:04d}", account=account,
                name=rng.choice(v.deals).format(city=account.city), opportunity_kind=kind, amount=amount, stage=stage,
                opened_on=opened, closed_on=closed_on, expected_close_on=expected,
                captured_by_id=self._captured_by(opened)))


def _backdate_members(project) -> None:
    """Demo members joined when the project started, so the adoption trend counts them from then."""
    if project.start_date is None:
        return
    joined = datetime.combine(project.start_date, time(9), UTC)
    for member in db.session.scalars(select(ProjectMember).where(ProjectMember.project_id == project.id)):
        if member.joined_at > joined:
            member.joined_at = joined


def load(ctx) -> None:
    today = utcnow().date()
    for key, vocabulary in VOCABULARIES.items():
        project = ctx.projects.get(key)
        if project is None:
            continue
        exists = db.session.scalar(select(Account.id).where(Account.project_id == project.id,
                                                            Account.external_id == f"{vocabulary.prefix}-A0001"))
        if exists is not None:
            continue
        _backdate_members(project)
        staff = list(db.session.scalars(
            select(ProjectMember.user_id).where(ProjectMember.project_id == project.id,
                                                ProjectMember.is_manager.is_(False),
                                                ProjectMember.is_sponsor.is_(False))
            .order_by(ProjectMember.id)))
        objects = Builder(project, vocabulary, staff, today).build()
        db.session.add_all(objects)
        db.session.flush()
        refresh_duplicates(project.id)
        ctx.note(f"CRM records {key} ({len(objects)})")
