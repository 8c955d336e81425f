"""The wording of the DPA: clauses, annexes and the certificate page, with the Jinja tags the context fills.

Numbers the code enforces (hold periods, return window, request deadlines, notice period) are never written
here: they are variables filled from `processor.terms` and the configuration (contracts/context.py), so the
contract says what the code does. Each security measure names the module that carries it out; a test imports
every one of them, so a measure cannot outlive its feature.
"""

from __future__ import annotations

from dataclasses import dataclass

NAME = "{{ business_name|legal_name }}"
PROCESSOR = "{{ processor_name|legal_name }}"

PREAMBLE = (
    "Agreement on entrusting the processing of Participants' personal data (Article 28 of Regulation (EU) "
    f"2016/679, the “GDPR”), version {{{{ version }}}}, between {NAME} (the “Controller”) and {PROCESSOR} "
    "(the “Processor”)."
)
# Issue 15: "in force from the account's creation on DATE; this version N accepted on DATE". The draft carries
# NOT_YET_ACCEPTED; the signed copy replaces it with "accepted on" and the real date (contracts/signed_copy.py).
NOT_YET_ACCEPTED = "is not yet accepted: it takes effect on the day the Controller signs it"
IN_FORCE = (
    "This agreement is in force from the account's creation on {{ date_of_conclusion }}; this version "
    f"{{{{ version }}}} {NOT_YET_ACCEPTED}."
)

CLAUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "1. Definitions",
        (
            "“Participants” means the natural persons who register for, are invited to or attend the Controller's "
            "webinars and whose data the Controller keeps in its participant registries in the Service.",
            "“Personal Data” means any information relating to a Participant that the Controller enters into, "
            "imports into or collects through the Service, and that the Processor processes on the Controller's "
            "behalf under this agreement.",
            "“Service” means the webinar service the Processor provides to the Controller under the account with "
            "the login {{ login }}. “Sub-processor” means another processor the Processor engages. Other terms "
            "have the meaning given in Article 4 GDPR.",
        ),
    ),
    (
        "2. Parties",
        (
            f"The Controller: {NAME}, {{{{ street }}}}, {{{{ postal_code }}}} {{{{ city }}}}, {{{{ country_name }}}}, "
            "holder of the account with the login {{ login }} and the account title {{ account_title }}.",
            f"The Processor: {PROCESSOR}, {{{{ processor_address }}}}. Contact persons and data protection officers "
            "are named in Annex I.",
        ),
    ),
    (
        "3. Subject matter and duration",
        (
            "The Controller entrusts the Processor with processing Personal Data in the course of providing the "
            "Service. The processing lasts as long as the Service is provided and then for the hold and return "
            "periods of clause 10; Annex II describes it.",
        ),
    ),
    (
        "4. Nature and purpose; data and data subjects",
        (
            "Nature of the processing: collecting Personal Data through registration and imports the Controller "
            "starts, recording, organising, storing (encrypted), retrieving, consulting, exporting at the "
            "Controller's request, using it to send the messages of the next paragraph, and erasing it.",
            "Participants receive only the messages the Controller expressly instructs for a webinar they "
            "registered for, of these kinds: {{ message_kinds|join(', ') }}. Personal Data is never used to send "
            "marketing for the Processor's services or third-party offers, nor sold or shared for such use.",
            "Purpose: solely to provide the Service. Categories of data subjects: Participants. Types of Personal "
            "Data, as far as the Controller considers them necessary: {{ personal_data_types|join('; ') }}.",
            "Sensitive data: the Service is not intended for special categories of personal data (Article 9 GDPR) "
            "or data on criminal convictions (Article 10 GDPR); the Controller shall not enter such data in custom "
            "fields. Should it do so, that data is protected by the same measures (Annex III) and by no other.",
        ),
    ),
    (
        "5. Obligations and rights of the Controller",
        (
            "The Controller is responsible for the lawfulness of the processing: it has a legal basis for it, "
            "informs Participants (Articles 13 and 14 GDPR) and enters only Personal Data it is entitled to "
            "process. It gives its instructions through the settings and functions of the Service, the API or in "
            "writing; these are its documented instructions, and it may issue further ones at any time.",
            "The Controller has the right to receive the information of clause 6(h), to carry out audits, to "
            "object to an intended change of sub-processors (clause 7), to choose deletion or return at the end "
            "(clause 10), and to be informed of personal data breaches (clause 9).",
        ),
    ),
    (
        "6. Obligations of the Processor (Article 28(3) GDPR)",
        (
            "The Processor shall:",
            "(a) process the Personal Data only on documented instructions from the Controller, including with "
            "regard to transfers to a third country, unless required to do so by Union or Member State law, in "
            "which case the Processor informs the Controller of that legal requirement before processing, unless "
            "that law prohibits such information;",
            "(b) ensure that persons authorised to process the Personal Data have committed themselves to "
            "confidentiality or are under an appropriate statutory obligation of confidentiality; Processor staff "
            "view Personal Data only as necessary to support the Service, state a reason for each such access, and "
            "every such access is logged where the Controller can see it;",
            "(c) take all measures required pursuant to Article 32 GDPR, as described in Annex III;",
            "(d) respect the conditions of Article 28(2) and (4) GDPR for engaging a Sub-processor (clause 7);",
            "(e) taking into account the nature of the processing, assist the Controller by appropriate technical "
            "and organisational measures in fulfilling its obligation to respond to requests for exercising the "
            "data subject's rights. The Controller answers those requests; the Processor assists it under Article "
            "28(3)(e) GDPR, forwards to the Controller without undue delay any request it receives directly, and "
            "does not answer such a request itself unless the Controller instructs it to. The Service lets the "
            "Controller find, export, correct, restrict and erase a Participant's data across all its registries, "
            "so that requests are answered within {{ request_days }} days of receipt (Article 12(3) GDPR: one "
            "month, which may be extended by {{ request_extension_months }} further months where necessary);",
            "(f) assist the Controller in ensuring compliance with the obligations pursuant to Articles 32 to 36 "
            "GDPR (security, notification of personal data breaches, data protection impact assessments and prior "
            "consultation), taking into account the nature of processing and the information available to it;",
            "(g) at the choice of the Controller, delete or return all the Personal Data after the end of the "
            "provision of services, and delete existing copies unless Union or Member State law requires storage "
            "(clause 10);",
            "(h) make available to the Controller all information necessary to demonstrate compliance with the "
            "obligations laid down in Article 28 GDPR, and allow for and contribute to audits, including "
            "inspections, conducted by the Controller or another auditor mandated by the Controller.",
            "The Processor shall immediately inform the Controller if, in its opinion, an instruction infringes "
            "the GDPR or other Union or Member State data protection provisions (Article 28(3), second "
            "subparagraph, GDPR); it need not carry out that instruction until the Controller confirms or changes "
            "it.",
        ),
    ),
    (
        "7. Sub-processors",
        (
            "The Controller gives the Processor general authorisation to engage the Sub-processors listed in "
            "Annex IV. Processing is passed on only within the limits, and for the purpose of proper provision, of "
            "the Service. The Processor informs the Controller of any intended addition or replacement at least "
            "{{ subprocessor_notice_days }} days before it takes effect, giving the Controller the opportunity to "
            "object (Article 28(2) GDPR); the changed list is offered as a new version of this agreement.",
            "The Processor binds each Sub-processor by a contract that imposes the same data protection "
            "obligations as this agreement, in particular sufficient guarantees of appropriate technical and "
            "organisational measures (Article 28(4) GDPR). Where a Sub-processor fails to fulfil its data "
            "protection obligations, the Processor remains fully liable to the Controller for the performance of "
            "that Sub-processor's obligations.",
        ),
    ),
    (
        "8. Transfers",
        (
            "Personal Data is transferred only for the purpose of providing the Service, and only to the European "
            "Economic Area or to a country for which a decision of the European Commission finding an adequate "
            "level of protection is in force on the day of the transfer, within the scope of that decision; the "
            "basis of each Sub-processor's transfers is stated in Annex IV.",
        ),
    ),
    (
        "9. Security and personal data breaches",
        (
            "The Processor implements the technical and organisational measures of Annex III and notifies the "
            "Controller of a personal data breach without undue delay after becoming aware of it, with the "
            "information of Article 33(3) GDPR as it becomes available.",
        ),
    ),
    (
        "10. Erasure and return",
        (
            "After removal of the Controller's account, the Processor holds its data, Personal Data included, for "
            "no less than {{ retention_days_free }} days (free test account) or {{ retention_days_paid }} days "
            "(paid account), solely for possible reactivation of the account and legal duties; during that time "
            "the only processing is holding the data. The Controller may reactivate the account or ask for earlier "
            "erasure during that time. Then the data is permanently erased and cannot be recovered.",
            "The Participant database is returned to the Controller at its request made during that time or "
            "within {{ return_window_days }} days of erasure. For that purpose it is kept after erasure only as a "
            "sealed, encrypted package, destroyed when downloaded or when those days are over, whichever comes "
            "first; nothing else of the Personal Data outlives erasure.",
        ),
    ),
    (
        "11. Liability",
        (
            "If the Processor does not fulfil its duties under this agreement, its total liability, irrespective "
            "of the legal grounds, is limited to the direct damages sustained by the Controller; the Processor is "
            "not liable for indirect damages. The total liability of the Processor shall not exceed the amount of "
            "the remuneration due to the Processor for the settlement period directly preceding the settlement "
            "period in which the Controller raised its claim; for a free test account, for which no remuneration "
            "is due, that amount does not apply and the Processor's liability is limited only by the first "
            "sentence.",
            "The limitations of this clause do not apply to damage caused intentionally or through gross "
            "negligence (Article 473 § 2 of the Polish Civil Code), and nothing in this agreement limits liability "
            "where and insofar as the law does not permit it to be limited. The claims of data subjects under "
            "Article 82 GDPR are unaffected by this clause.",
        ),
    ),
    (
        "12. Term and termination",
        (
            "This agreement runs for as long as the Service is provided to the Controller and, after that, for as "
            "long as the Processor holds Personal Data of the Controller (clause 10). It ends with the Service; "
            "the Controller may end the Service at any time by removing its account. The Controller may terminate "
            "the Service and this agreement with immediate effect if the Processor seriously or persistently "
            "breaches this agreement or the GDPR. Clauses 6(b), 10 and 11 survive its end.",
        ),
    ),
    (
        "13. Precedence",
        (
            "The annexes form part of this agreement. In matters of the protection of personal data this "
            "agreement prevails over the terms of service and any other agreement between the parties. A later "
            "version of this agreement replaces an earlier one from the day it is accepted.",
        ),
    ),
    (
        "14. Governing law and jurisdiction",
        (
            "This agreement is governed by Polish law. Disputes arising from it are settled by the common court "
            "having jurisdiction over the seat of the Processor ({{ processor_seat }}). This does not affect the "
            "rights of data subjects nor the competence of supervisory authorities.",
        ),
    ),
    (
        "15. Signatures",
        (
            "Signed electronically in the Service, or on paper in two copies, one for each party. The "
            "Processor's signature is its countersignature of the evidence of the Controller's signature.",
        ),
    ),
)

# (Controller cell, Processor cell, tall row with room to sign); the signed copy appends the filled values.
SIGNATURE_ROWS = (
    (f"For the Controller: {NAME}", f"For the Processor: {PROCESSOR}", False),
    ("Name and role:", "Name and role:", False),
    ("Signature:", "Signature:", True),
    ("Date and time (UTC):", "Date and time (UTC):", False),
)

ANNEX_I = (
    ("Name", NAME, PROCESSOR),
    (
        "Address",
        "{{ street }}, {{ postal_code }} {{ city }}, {{ country_name }}",
        "{{ processor_address }}",
    ),
    ("Account", "login {{ login }}, account title {{ account_title }}", "—"),
    ("Contact person", "{{ contact }}", "{{ processor_contact }}"),
    ("Role", "Controller", "Processor"),
    ("Data protection officer", "{{ dpo }}", "{{ processor_dpo }}"),
    ("Activities", "Organizes webinars and keeps their participant registries", "Provides the Service"),
)

ANNEX_II = (
    ("Categories of data subjects", "Participants (clause 1)"),
    ("Categories of personal data", "{{ personal_data_types|join('; ') }}"),
    ("Sensitive data", "None intended; special categories and criminal data must not be entered (clause 4)"),
    (
        "Nature of the processing",
        "Collection, recording, organisation, encrypted storage, retrieval, consultation, export at the "
        "Controller's request, sending of instructed messages ({{ message_kinds|join(', ') }}), erasure",
    ),
    ("Purpose", "Providing the webinar service on the Controller's documented instructions"),
    ("Frequency", "Continuous, for as long as the Service is provided"),
    (
        "Duration and retention",
        "As long as the account exists; after its removal held {{ retention_days_free }} days (free test account) "
        "or {{ retention_days_paid }} days (paid account), then erased; returned at a request made within "
        "{{ return_window_days }} days of erasure",
    ),
    ("Sub-processing", "As listed in Annex IV, for the same purpose and duration"),
)

ANNEX_III_INTRO = (
    "The measures the Service carries out, each with the feature of the Service that does it. The Processor "
    "claims no measure that is not listed here."
)


@dataclass(frozen=True)
class Measure:
    """One measure of Annex III: what it is, what it does, the feature that does it and the module behind it."""

    measure: str
    text: str
    feature: str
    module: str


MEASURES = (
    Measure(
        "Encryption at rest",
        "Every personal field of a Participant is encrypted on its own with AES-256-GCM before it reaches the "
        "database; its associated data binds it to the organizer, table, column and row, so a ciphertext copied "
        "elsewhere fails its integrity check.",
        "Participant registries: field encryption on every write and read",
        "processor.field_crypto",
    ),
    Measure(
        "Key management",
        "Each organizer has its own data keys, stored only wrapped by a master key kept outside the database; "
        "subkeys are derived with HKDF. Keys are rotated and records re-encrypted under the new key.",
        "Key ring and online key rotation (flask keys rotate-master, rotate-account)",
        "processor.keys.rotation",
    ),
    Measure(
        "Pseudonymous look-up",
        "An email address is found through a blind index (HMAC-SHA256 under a per-organizer key), never through "
        "a plaintext column.",
        "Participant registries: find by email",
        "processor.keys.ring",
    ),
    Measure(
        "Erasure that reaches copies",
        "Crypto-shredding: when the hold ends the organizer's data keys are destroyed and the master key versions "
        "that wrapped them retired, so no copy or backup of the database can be decrypted.",
        "Retention run and key shredding (flask retention run, keys shred)",
        "processor.keys.shredding",
    ),
    Measure(
        "Access control",
        "Organizers reach only their own registries; passwords are stored only as scrypt hashes no employee can "
        "reverse; repeated failed logins lock the account; session cookies are HttpOnly, SameSite and, outside "
        "development, sent only over HTTPS.",
        "Organizer accounts and sign-in",
        "processor.accounts.service",
    ),
    Measure(
        "Purpose limitation",
        "Internal services of the Processor reach Personal Data only through an authenticated API, only for the "
        "purposes registered for them; marketing, analytics and third-party sharing cannot even be granted.",
        "Service API clients and purposes",
        "processor.purposes",
    ),
    Measure(
        "Instructed messages only",
        "A message is queued for a Participant only under the Controller's instruction, of an allowed kind, to "
        "that registry's own Participants.",
        "Messaging instructions and outbox",
        "processor.messaging.service",
    ),
    Measure(
        "Transfers",
        "Each transfer is checked on its day against the EEA and the adequacy decisions in force; a refused "
        "transfer does not happen and is logged.",
        "Transfer policy",
        "processor.transfers.policy",
    ),
    Measure(
        "Accountability",
        "Every access to Personal Data, by API, page, command line or support staff, is written to a "
        "hash-chained access log the Controller can read; a removed or altered entry is detected.",
        "Access log",
        "processor.audit.chain",
    ),
    Measure(
        "Support access",
        "Staff view Personal Data only with a ticket and a stated reason; each such view is logged for the Controller.",
        "Support access (flask support view)",
        "processor.support.service",
    ),
    Measure(
        "Resilience of processing",
        "Every change is one database transaction; key rotation and crypto-shredding resume after an "
        "interruption without losing or reviving data; the service refuses to start with a missing or wrong key.",
        "Key checks at start-up, resumable rotation and shredding",
        "processor.keys.check",
    ),
    Measure(
        "Data subjects' requests",
        "Each request is recorded with its due date; the Participant is found across all the Controller's "
        "registries, and the data exported, corrected, restricted or erased, every step logged.",
        "Data-subject requests (requests page, API, flask requests)",
        "processor.subject_requests.service",
    ),
    Measure(
        "Return after erasure",
        "The return package is sealed at erasure under a key kept only for it and destroyed, file and key, when "
        "downloaded or when the return window ends.",
        "Account exits and return package",
        "processor.retention.package",
    ),
    Measure(
        "Uploads",
        "An uploaded file waits for import encrypted under a one-off key that is destroyed after the import.",
        "CSV import",
        "processor.csv_import.vault",
    ),
    Measure(
        "Regular testing",
        "An automated test suite checks these measures (encryption integrity, separation of organizers, "
        "transfer rules, erasure) on every change of the Service before it is released.",
        "Continuous integration of the Service",
        "processor",
    ),
)

ANNEX_IV_INTRO = "The Sub-processors engaged as of {{ subprocessors_as_of }}:"
ANNEX_IV_ROWS = (
    ("Sub-processor", "name"),
    ("Address", "address"),
    ("Purpose", "purpose"),
    ("Country", "country"),
    ("Transfer basis", "basis"),
    ("Attestation held", "attestation"),
    ("Status", "status"),
)
ANNEX_IV_NONE = "The Processor engages no sub-processors."

CERTIFICATE_HEADING = "Certificate of signature"
CERTIFICATE_INTRO = (
    "This copy of version {version} of the agreement of {login} carries the evidence of its signature. The "
    "accepted text is the document the Controller signed; its SHA-256 is stated below and in the signature block."
)
# (label, key of the filled signature block)
CERTIFICATE_ROWS = (
    ("Agreement", "agreement"),
    ("Evidence id", "evidence_id"),
    ("Signer", "signer"),
    ("Method", "method_label"),
    ("Signed at (UTC)", "signed_at"),
    ("SHA-256 of the accepted text", "accepted_sha256"),
    ("Countersigned", "countersigned"),
    ("Processor's key", "key"),
)
CERTIFICATE_VERIFY = (
    "To verify this copy, upload it on the page “Data processing agreement” or run `flask contracts verify`; the "
    "fingerprints of the Processor's signing certificates are published on its page “Signing keys” "
    "(/contracts/signing-keys)."
)
