"""Mail to organizers (password reset): SMTP in production; in development and testing, files in instance/mail/.

Settings: MAIL_SERVER, MAIL_PORT (587), MAIL_USE_TLS (STARTTLS, on), MAIL_USE_SSL (off), MAIL_USERNAME,
MAIL_PASSWORD, MAIL_FROM. Without MAIL_SERVER outside development, sending fails with a logged incident and the
page still answers as usual (it never says whether an address exists).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import threading
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from processor.config import is_development

log = logging.getLogger(__name__)


def mail_dir() -> Path:
    return Path(current_app.instance_path) / "mail"


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail, or write it to instance/mail/ in development and name the file on the console."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "no-reply@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if is_development(current_app) and not config.get("MAIL_SERVER"):
        folder = mail_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{secrets.token_hex(8)}.eml"
        path.write_bytes(bytes(message))
        path.chmod(0o600)
        # The file name is random: the console line names no person.
        log.warning("mail written to %s", path)
        return
    if not config.get("MAIL_SERVER"):
        log.error("mail not sent: MAIL_SERVER is not set")
        return
    # Sent beside the request, so the reset page takes as long whether or not the address has an account.
    threading.Thread(target=_smtp, args=(message, dict(config)), daemon=True).start()


def _smtp(message: EmailMessage, config) -> None:
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 587)
    context = ssl.create_default_context()
    try:
        if config.get("MAIL_USE_SSL"):
            server = smtplib.SMTP_SSL(host, port, timeout=20, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=20)
        with server:
            if not config.get("MAIL_USE_SSL") and config.get("MAIL_USE_TLS", True):
                server.starttls(context=context)
            if config.get("MAIL_USERNAME"):
                server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The recipient is left out of the log: it is personal data.
        log.error("mail not sent: %s", type(exc).__name__)
