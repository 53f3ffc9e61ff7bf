"""Export files as five real sources write them, for the import tests: a Salesforce contact report, a
HubSpot deals export, a Dynamics 365 "Export to Excel" of cases, a Spanish Excel user's opportunities
and a Chinese Excel user's contacts. Each is built the way its tool writes it (its header names, its
encoding, its quoting and line ends, its date and number formats, a multi-line address or note) with a
few bad rows of different kinds, and a fixed version where each bad row is corrected.

``Source.file(fixed=False)`` gives the bytes; ``Source.problems`` the line → reason codes the check must
report for the bad file (lines counted as a text editor counts them: a quoted cell holding a line break
moves the next rows down).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook


@dataclass
class Source:
    name: str
    kind: str
    filename: str
    headers: list[str]
    rows: list[list]  # the file's rows in order; a bad row is a (bad, fixed) pair
    write: object  # (headers, rows) -> bytes
    problems: dict[int, list[str]]  # line → reason codes, for the bad file
    mapped: dict[str, str]  # field → header the mapping page must propose
    others: list[str]  # the headers kept as other fields
    reasons: list[str] = field(default_factory=list)  # sentences the page must show (English)

    def file(self, fixed: bool = False) -> bytes:
        rows = [(row[1] if fixed else row[0]) if isinstance(row, tuple) else row for row in self.rows]
        return self.write(self.headers, rows)

    def good_rows(self) -> list[list]:
        return [row[1] if isinstance(row, tuple) else row for row in self.rows]


def _csv(encoding: str, delimiter: str = ",", quoting=csv.QUOTE_MINIMAL, bom: bool = False):
    def write(headers, rows) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])
        return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)

    return write


def _xlsx(headers, rows) -> bytes:
    """As Dynamics 365 writes "Export to Excel": the (Do Not Modify) columns first, dates as date cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Active Cases"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for column in ("A", "B", "C"):
        sheet.column_dimensions[column].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Accounts every source refers to (the test creates them first): by external id or by exact name.
ACCOUNTS = [("A-1", "Distribuciones Peñalver"), ("A-2", "华信家电"), ("A-3", "Acme"), ("A-4", "Acme"),
            ("A-5", "Contoso Ltd"), ("A-6", "Fabrikam, Inc.")]

SALESFORCE = Source(
    name="salesforce", kind="contacts", filename="report1700000000000.csv",
    headers=["Contact ID", "First Name", "Last Name", "Title", "Account Name", "Email", "Phone",
             "Mailing Street", "Mailing City", "Created Date", "Contact Owner"],
    rows=[
        ["0035g00000AbCdE1", "Ana", "García López", "Directora de Compras", "Distribuciones Peñalver",
         "ana.garcia@penalver.es", "+34 941 22 33 44", "Calle Mayor 12\nPortal B, 3º", "Logroño", "3/25/2026",
         "Jane Smith"],
        ["0035g00000AbCdE2", "John", "O'Neil", "VP \"Sales\"", "Contoso Ltd", "john.oneil@contoso.com",
         "(425) 555-0100", "1 Microsoft Way\nBuilding 92\nSuite 100", "Redmond", "3/26/2026", "Jane Smith"],
        (["0035g00000AbCdE3", "Zoë", "Müller", "", "Contoso Ltd", "zoe@@contoso", "12", "", "", "3/27/2026",
          "Jane Smith"],
         ["0035g00000AbCdE3", "Zoë", "Müller", "", "Contoso Ltd", "zoe@contoso.com", "+49 30 1234567", "", "",
          "3/27/2026", "Jane Smith"]),
        (["0035g00000AbCdE4", "Wei", "Chen", "Buyer", "Nonexistent Corp", "wei@example.com", "", "", "",
          "2/30/2026", "Jane Smith"],
         ["0035g00000AbCdE4", "Wei", "Chen", "Buyer", "Fabrikam, Inc.", "wei@example.com", "", "", "",
          "2/28/2026", "Jane Smith"]),
        (["0035g00000AbCdE5", "Sam", "Lee", "", "Acme", "sam@acme.example", "", "", "", "3/28/2026", "Jane Smith"],
         ["0035g00000AbCdE5", "Sam", "Lee", "", "A-3", "sam@acme.example", "", "", "", "3/28/2026", "Jane Smith"]),
        ["0035g00000AbCdE6", "", "Acme Reception", "", "A-4", "", "+1 206 555 0199", "", "", "3/29/2026",
         "Jane Smith"],
    ],
    write=_csv("utf-8", quoting=csv.QUOTE_ALL, bom=True),
    # line 1 header; row 1 spans lines 2-3; row 2 lines 4-6; then one line each. Within a line, the
    # problems come in the order of the fields, then those of the references.
    problems={7: ["bad_email", "bad_phone"], 8: ["no_such_day", "unknown_account"], 9: ["ambiguous_account"]},
    mapped={"external_id": "Contact ID", "first_name": "First Name", "last_name": "Last Name", "job_title": "Title",
            "account": "Account Name", "email": "Email", "phone": "Phone", "created_at": "Created Date"},
    others=["Mailing Street", "Mailing City", "Contact Owner"],
    reasons=["“zoe@@contoso” in E-mail is not a valid e-mail address.",
             "“12” in Phone is not a phone number",
             "“2/30/2026” in Created on is not a date: February has no day 30.",
             "No account of this project has the external id or the name “Nonexistent Corp”.",
             "2 accounts of this project are named “Acme”; use the external id of the one you mean."],
)

HUBSPOT = Source(
    name="hubspot", kind="opportunities", filename="hubspot-crm-exports-all-deals-2026-03-30.csv",
    headers=["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal Type",
             "Associated Company", "Deal owner", "Pipeline", "Deal Description"],
    rows=[
        ["18467193021", "Contoso renewal 2026", "Closed Won", "12500.5", "2026-03-20 16:04", "2026-01-08 09:12",
         "New Business", "Contoso Ltd", "Jane Smith", "Sales Pipeline", "Signed after the pilot.\nTwo sites."],
        ["18467193022", "Fabrikam CRM seats", "Contract Sent", "48000", "", "2026-02-02 11:40", "New Business",
         "A-6", "Jane Smith", "Sales Pipeline", ""],
        (["18467193023", "Peñalver upgrade", "Presentation Scheduled", "-300", "", "2026-02-10 10:00",
          "Existing Business", "Distribuciones Peñalver", "Jane Smith", "Sales Pipeline", ""],
         ["18467193023", "Peñalver upgrade", "Presentation Scheduled", "300", "", "2026-02-10 10:00",
          "New Business", "Distribuciones Peñalver", "Jane Smith", "Sales Pipeline", ""]),
        # An open deal with a "Close Date": HubSpot's forecast, kept as the expected closing date.
        ["18467193024", "华信 pilot", "Appointment Scheduled", "9000", "2026-04-30 00:00", "2026-03-01 08:30",
         "New Business", "华信家电", "Jane Smith", "Sales Pipeline", ""],
        (["18467193021", "Contoso renewal 2026 (copy)", "Closed Lost", "100", "2026-03-21 10:00",
          "2026-03-02 10:00", "New Business", "Contoso Ltd", "Jane Smith", "Sales Pipeline", ""],
         ["18467193025", "Contoso renewal 2026 (copy)", "Closed Lost", "100", "2026-03-21 10:00",
          "2026-03-02 10:00", "New Business", "Contoso Ltd", "Jane Smith", "Sales Pipeline", ""]),
    ],
    write=_csv("utf-8"),
    # row 1 spans lines 2-3.
    problems={5: ["bad_choice", "negative"], 7: ["duplicate_id"]},
    mapped={"external_id": "Record ID", "name": "Deal Name", "stage": "Deal Stage", "amount": "Amount",
            "closed_on": "Close Date", "opened_on": "Create Date", "opportunity_kind": "Deal Type",
            "account": "Associated Company"},
    others=["Deal owner", "Pipeline", "Deal Description"],
    reasons=["Amount cannot be negative.", "“Existing Business” is not a known Type.",
             "The external id “18467193021” already appears on line 2 of the file."],
)

DYNAMICS = Source(
    name="dynamics", kind="cases", filename="Active Cases 3-30-2026 10-15-02 AM.xlsx",
    headers=["(Do Not Modify) Case", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Case Title",
             "Case Number", "Priority", "Origin", "Customer", "Status Reason", "Created On", "Owner", "Description"],
    rows=[
        ["6f1c2b6e-9d2a-ef11-8409-000d3a8b1a01", "kQe3…==", datetime(2026, 3, 2, 9, 15), "Printer offline",
         "CAS-01001-K3L7Q9", "Normal", "Phone", "Contoso Ltd", "In Progress", datetime(2026, 3, 1, 8, 5, 30),
         "Jane Smith", "Customer reports the printer\nis offline since Monday."],
        (["6f1c2b6e-9d2a-ef11-8409-000d3a8b1a02", "aZ9…==", datetime(2026, 3, 3, 10, 0), "Invoice disputed",
          "CAS-01002-X8M2P4", "High", "Email", "Unknown Customer", "In Progress", None, "Jane Smith", ""],
         ["6f1c2b6e-9d2a-ef11-8409-000d3a8b1a02", "aZ9…==", datetime(2026, 3, 3, 10, 0), "Invoice disputed",
          "CAS-01002-X8M2P4", "High", "Email", "Fabrikam, Inc.", "In Progress", datetime(2026, 3, 2, 14, 0),
          "Jane Smith", ""]),
        (["6f1c2b6e-9d2a-ef11-8409-000d3a8b1a03", "Pq1…==", datetime(2026, 3, 4, 11, 0), "Login fails " * 20,
          "CAS-01003-B5N6R1", "Low", "Web", "A-1", "On Hold", datetime(2026, 3, 3, 16, 45), "Jane Smith", ""],
         ["6f1c2b6e-9d2a-ef11-8409-000d3a8b1a03", "Pq1…==", datetime(2026, 3, 4, 11, 0), "Login fails",
          "CAS-01003-B5N6R1", "Low", "Web", "A-1", "On Hold", datetime(2026, 3, 3, 16, 45), "Jane Smith", ""]),
    ],
    write=_xlsx,
    problems={3: ["missing", "unknown_account"], 4: ["too_long"]},
    mapped={"external_id": "(Do Not Modify) Case", "subject": "Case Title", "account": "Customer",
            "opened_at": "Created On"},
    others=["(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Case Number", "Priority", "Origin",
            "Status Reason", "Owner", "Description"],
    reasons=["No account of this project has the external id or the name “Unknown Customer”.",
             "Opened is required but the cell is empty.", "Subject is longer than 200 characters."],
)

SPANISH = Source(
    name="spanish", kind="opportunities", filename="Oportunidades.csv",
    headers=["Nº de oportunidad", "Nombre de la oportunidad", "Cuenta", "Tipo", "Importe", "Etapa", "Fecha de alta",
             "Fecha de cierre", "Comercial", "Dirección de entrega", "Observaciones"],
    rows=[
        ["OP-001", "Renovación licencias", "Distribuciones Peñalver", "Nuevo negocio", "94930,76", "Ganada",
         "05/01/2026", "20/03/2026", "Lucía Ibáñez", "Polígono Cantabria, nave 7\n26009 Logroño (La Rioja)",
         "Cliente «preferente»; pago a 60 días"],
        ["OP-002", "Ampliación módulo de servicio", "A-2", "Venta cruzada", "1.250,00", "Propuesta", "12/02/2026",
         "", "Lucía Ibáñez", "", ""],
        (["OP-003", "Formación equipo comercial", "Acme", "Renovación", "12,5,3", "Negociación", "31/02/2026", "",
          "Íñigo Núñez", "", ""],
         ["OP-003", "Formación equipo comercial", "A-3", "Venta adicional", "12,53", "Negociación", "28/02/2026", "",
          "Íñigo Núñez", "", ""]),
        (["OP-004", "Soporte 24×7", "Distribuciones Peñalver", "Venta adicional", "3.400,00", "Ganada",
          "01/03/2026", "", "Íñigo Núñez", "", "€ incluidos"],
         ["OP-004", "Soporte 24×7", "Distribuciones Peñalver", "Venta adicional", "3.400,00", "Ganada",
          "01/03/2026", "15/03/2026", "Íñigo Núñez", "", "€ incluidos"]),
    ],
    write=_csv("cp1252", delimiter=";"),
    # row 1 spans lines 2-3.
    problems={5: ["bad_choice", "bad_number", "no_such_day", "ambiguous_account"], 6: ["closed_needs_date"]},
    mapped={"external_id": "Nº de oportunidad", "name": "Nombre de la oportunidad", "account": "Cuenta",
            "opportunity_kind": "Tipo", "amount": "Importe", "stage": "Etapa", "opened_on": "Fecha de alta",
            "closed_on": "Fecha de cierre"},
    others=["Comercial", "Dirección de entrega", "Observaciones"],
    reasons=["“Renovación” is not a known Type.", "“12,5,3” in Amount is not an amount we can read",
             "“31/02/2026” in Opened on is not a date: February has no day 31.",
             "A won or lost opportunity needs Closed on."],
)

CHINESE = Source(
    name="chinese", kind="contacts", filename="联系人.csv",
    headers=["联系人编号", "姓", "名", "客户名称", "手机", "电子邮箱", "职位", "地址", "创建时间", "备注"],
    rows=[
        ["C-001", "王", "小明", "华信家电", "138 0013 8000", "wang.xm@huaxin.example.cn", "采购经理",
         "上海市浦东新区\n张江路 88 号 3 楼", "2026/3/5 14:30", "重要客户，“年度”合同"],
        ["C-002", "欧阳", "娜娜", "A-2", "+86 21 5555 0101", "", "总经理", "", "2026/3/6 9:05", ""],
        (["C-003", "李", "伟", "华信家电", "电话待补", "li.wei@例子", "工程师", "", "2026/2/30 10:00", ""],
         ["C-003", "李", "伟", "华信家电", "139 1234 5678", "li.wei@huaxin.example.cn", "工程师", "",
          "2026/2/28 10:00", ""]),
        (["C-004", "", "", "华信家电", "", "", "", "", "2026/3/7 11:00", "名字未录"],
         ["C-004", "赵", "敏", "华信家电", "", "", "", "", "2026/3/7 11:00", "名字未录"]),
    ],
    write=_csv("gb18030"),
    # row 1 spans lines 2-3.
    problems={5: ["bad_email", "bad_phone", "no_such_day"], 6: ["missing"]},
    mapped={"external_id": "联系人编号", "last_name": "姓", "first_name": "名", "account": "客户名称",
            "phone": "手机", "email": "电子邮箱", "job_title": "职位", "created_at": "创建时间"},
    others=["地址", "备注"],
    reasons=["“电话待补” in Phone is not a phone number", "“li.wei@例子” in E-mail is not a valid e-mail address.",
             "“2026/2/30 10:00” in Created on is not a date: February has no day 30.",
             "Name is required but the cell is empty."],
)

SOURCES = [SALESFORCE, HUBSPOT, DYNAMICS, SPANISH, CHINESE]
