"""Generate templates/contracts/dpa.docx, the DPA template a lawyer then edits in Word or LibreOffice.

Run `python -m contracts.build_template` (or `make dpa-template`). Every Jinja tag is written inside one run,
because docxtpl cannot see a tag that Word has split across runs. After the committed .docx is edited by hand,
re-running this script overwrites those edits: edit one or the other, not both.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

OUTPUT = Path(__file__).resolve().parent.parent / "templates" / "contracts" / "dpa.docx"
# Bump when the wording changes; the template version also carries a hash of the file, so any edit counts.
TEMPLATE_LABEL = "2026-11"

ART_28_OBLIGATIONS = (
    (
        "(a)",
        "process the Personal Data only on documented instructions from the Controller, including with regard "
        "to transfers to a third country, unless required to do so by Union or Member State law, in which case "
        "the Processor informs the Controller of that legal requirement before processing, unless that law "
        "prohibits such information; the Controller's use of the Service and its settings are its instructions;",
    ),
    (
        "(b)",
        "ensure that persons authorised to process the Personal Data have committed themselves to "
        "confidentiality or are under an appropriate statutory obligation of confidentiality; Processor staff "
        "view Participant data only as necessary to support the Service, state a reason for each such access, "
        "and every such access is logged where the Controller can see it;",
    ),
    ("(c)", "take all measures required pursuant to Article 32 GDPR, as described in Annex II;"),
    (
        "(d)",
        "respect the conditions referred to in Article 28(2) and (4) GDPR for engaging another processor (clause 5);",
    ),
    (
        "(e)",
        "taking into account the nature of the processing, assist the Controller by appropriate technical and "
        "organisational measures in fulfilling its obligation to respond to requests for exercising the data "
        "subject's rights; access requests are answered within 30 days;",
    ),
    (
        "(f)",
        "assist the Controller in ensuring compliance with the obligations pursuant to Articles 32 to 36 GDPR "
        "(security, notification of personal data breaches without undue delay, data protection impact "
        "assessments and prior consultation), taking into account the nature of processing and the information "
        "available to the Processor;",
    ),
    (
        "(g)",
        "at the choice of the Controller, delete or return all the Personal Data after the end of the provision "
        "of services, and delete existing copies unless Union or Member State law requires storage (clause 8);",
    ),
    (
        "(h)",
        "make available to the Controller all information necessary to demonstrate compliance with the "
        "obligations laid down in Article 28 GDPR, and allow for and contribute to audits, including "
        "inspections, conducted by the Controller or another auditor mandated by the Controller.",
    ),
)

SECURITY_MEASURES = (
    "Encryption at rest, field by field: every personal field of a Participant is encrypted on its own with "
    "AES-256-GCM before it reaches the database. The associated data of each value binds it to its organizer, "
    "table, column and row, so a ciphertext copied to another place fails its integrity check.",
    "Key management: each organizer has its own data keys, wrapped (encrypted) by a master key kept outside the "
    "database; purpose-specific subkeys are derived with HKDF. Keys are rotated, and records are re-encrypted "
    "under the new key.",
    "Look-up without decryption: an email address is found through a blind index, an HMAC-SHA256 of the "
    "normalised address under a per-organizer key, never through a plaintext column.",
    "Crypto-shredding on erasure: when the retention period ends, the organizer's data keys are destroyed, so "
    "that every copy of its ciphertexts, backups included, can no longer be decrypted.",
    "Passwords: organizer passwords are stored only as scrypt hashes; no employee or contractor can obtain them.",
    "Encryption in transit: all access to the Service and its API is over TLS.",
    "Accountability: every access to Participant data is written to a hash-chained access log, each entry "
    "committing to the previous one, so that a removed or altered entry is detected; the Controller can read it.",
    "Purpose limitation: internal services of the Processor (mailer, webinar room, billing, support) reach "
    "Participant data only through an API that authenticates each service and allows it only the purposes it is "
    "registered for; Participant data is never used for marketing.",
    "Organisational measures: least-privilege access for staff, confidentiality undertakings, logged support "
    "access with a stated reason, and tested restore procedures.",
)


def build(path: Path = OUTPUT) -> Path:
    """Write the DPA template to `path` and return it."""
    doc = Document()
    doc.styles["Normal"].font.name = "DejaVu Serif"
    doc.styles["Normal"].font.size = Pt(10.5)
    props = doc.core_properties
    props.title, props.subject, props.author = "Data processing agreement", "GDPR Article 28", "Processor"
    props.version = TEMPLATE_LABEL
    # A fixed date keeps rebuilt templates byte-comparable in their metadata.
    props.created = props.modified = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    props.last_modified_by = props.author
    props.revision = 1

    section = doc.sections[0]
    section.header.paragraphs[0].text = "Data processing agreement · {{ login }} · version {{ version }}"
    section.footer.paragraphs[0].text = "{{ processor_name }} and {{ business_name }} · template {{ template_version }}"

    title = doc.add_heading("Data processing agreement", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(
        doc,
        "Agreement on entrusting the processing of Participants' personal data (Article 28 GDPR), "
        "version {{ version }}, concluded on {{ date_of_conclusion }}.",
    )

    _heading(doc, "1. Parties")
    _para(
        doc,
        "The Controller: {{ business_name }}, {{ street }}, {{ postal_code }} {{ city }}, {{ country_name }}, "
        "holder of the account with the login {{ login }} and the account title {{ account_title }} "
        "(the “Organizer”).",
    )
    _para(doc, "The Processor: {{ processor_name }}, {{ processor_address }}.")
    _para(
        doc,
        "Date of conclusion: {{ date_of_conclusion }}, the date on which the Organizer's account was created "
        "in the Service. The date of conclusion stays the same in every version of this agreement.",
    )

    _heading(doc, "2. Subject matter and duration")
    _para(
        doc,
        "The Controller entrusts the Processor with processing the personal data of Participants of its "
        "webinars in the course of providing the webinar service (the “Service”). This agreement runs as "
        "long as the Processor holds Personal Data of the Controller, including the retention and return "
        "period of clause 8.",
    )

    _heading(doc, "3. Nature and purpose; data and data subjects")
    _para(
        doc,
        "Nature and purpose: storing, organising, retrieving, using for the sending of messages the "
        "Controller expressly instructs (invitation, reminder, follow-up), and erasing Participant data, "
        "solely to provide the Service. Participant data is never used to send marketing for the "
        "Processor's services or third-party offers, nor sold or shared for such use.",
    )
    _para(doc, "Categories of data subjects: Participants registered by the Controller for its webinars.")
    _para(doc, "Types of personal data, as far as the Controller considers them necessary to provide the Service:")
    _para(doc, "{%p for item in personal_data_types %}")
    doc.add_paragraph("{{ item }}", style="List Bullet")
    _para(doc, "{%p endfor %}")

    _heading(doc, "4. Obligations of the Processor (Article 28(3) GDPR)")
    _para(doc, "The Processor shall:")
    for letter, text in ART_28_OBLIGATIONS:
        _para(doc, f"{letter} {text}")

    _heading(doc, "5. Sub-processing")
    _para(
        doc,
        "The Controller gives the Processor general prior authorisation to engage the sub-processors listed "
        "in Annex III. Further passing of processing takes place only within the limits, and for the "
        "purpose of proper provision, of the Service. The Processor informs the Controller of any intended "
        "addition or replacement in advance, giving the Controller the opportunity to object; a changed "
        "list is offered as a new version of this agreement. Each sub-processor is bound by the same data "
        "protection obligations as set out in this agreement.",
    )

    _heading(doc, "6. Transfers")
    _para(
        doc,
        "Participant data is transferred only for the purpose of providing the Service, and only to the "
        "European Economic Area or to a country for which a decision of the European Commission finding "
        "an adequate level of protection is in force on the day of the transfer, within the scope of that "
        "decision.",
    )

    _heading(doc, "7. Security")
    _para(
        doc,
        "The Processor implements the technical and organisational measures of Annex II and notifies the "
        "Controller of a personal data breach without undue delay after becoming aware of it.",
    )

    _heading(doc, "8. Erasure and return")
    _para(
        doc,
        "After removal of the Controller's account, the Processor holds its data, Participant data "
        "included, for no less than {{ retention_days_free }} days (free test account) or "
        "{{ retention_days_paid }} days (paid account), solely for possible reactivation of the account "
        "and legal duties; during that time the only processing is holding the data. Then the data is "
        "permanently erased and cannot be recovered. The Participant database is returned to the "
        "Controller at its request made within {{ return_window_days }} days of erasure.",
    )

    _heading(doc, "9. Liability")
    _para(
        doc,
        "If the Processor does not fulfil its duties under this agreement, its total liability, "
        "irrespective of the legal grounds, is limited to the direct damages sustained by the Controller. "
        "The Processor is not liable for indirect damages, except in the case of its intentional fault or "
        "gross negligence. The total liability of the Processor shall in no event exceed the amount of the "
        "remuneration due to the Processor for the settlement period directly preceding the settlement "
        "period in which the Controller raised its claim.",
    )

    _heading(doc, "10. Signatures")
    _para(doc, "Signed electronically or on paper in two copies, one for each party.")
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text = "For the Controller: {{ business_name }}"
    table.cell(0, 1).text = "For the Processor: {{ processor_name }}"
    table.cell(1, 0).text = "Name, role, signature, date:"
    table.cell(1, 1).text = "Name, role, signature, date:"

    doc.add_page_break()
    _heading(doc, "Annex I. Description of processing")
    annex = doc.add_table(rows=6, cols=2)
    annex.style = "Table Grid"
    for row, (label, value) in enumerate(
        (
            ("Controller", "{{ business_name }} (login {{ login }}, account {{ account_title }})"),
            ("Processor", "{{ processor_name }}"),
            ("Data subjects", "Participants registered by the Controller for its webinars"),
            ("Personal data", "{{ personal_data_types | join('; ') }}"),
            ("Purpose", "Providing the webinar service on the Controller's documented instructions"),
            ("Duration", "As long as the account exists, plus the retention period of clause 8"),
        )
    ):
        annex.cell(row, 0).text, annex.cell(row, 1).text = label, value

    _heading(doc, "Annex II. Technical and organisational measures")
    for measure in SECURITY_MEASURES:
        doc.add_paragraph(measure, style="List Bullet")

    _heading(doc, "Annex III. Sub-processors")
    _para(doc, "The sub-processors engaged on {{ subprocessors_as_of }}:")
    subs = doc.add_table(rows=4, cols=5)
    subs.style = "Table Grid"
    for col, label in enumerate(("Sub-processor", "Purpose", "Country", "EU-US DPF certified", "Engaged since")):
        subs.cell(0, col).text = label
    subs.cell(1, 0).text = "{%tr for s in subprocessors %}"
    for col, tag in enumerate(("s.name", "s.purpose", "s.country", "s.dpf_certified", "s.added_at")):
        subs.cell(2, col).text = "{{ " + tag + " }}"
    subs.cell(3, 0).text = "{%tr endfor %}"
    _para(doc, "{%p if not subprocessors %}")
    _para(doc, "The Processor engages no sub-processors.")
    _para(doc, "{%p endif %}")

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def _heading(doc, text: str) -> None:
    doc.add_heading(text, level=2)


def _para(doc, text: str) -> None:
    doc.add_paragraph().add_run(text)  # one run, so each Jinja tag stays whole


if __name__ == "__main__":
    sys.stdout.write(f"wrote {build()}\n")
