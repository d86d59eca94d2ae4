"""E-mail that something is waiting in the portal. The e-mail never carries personal data: no name, no
national number, no amount, no content of the message — only that a message is waiting, and where."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.cases.models import Notification
from caisse.config import Settings

TEXT = {
    "fr": ("Un nouveau message de votre caisse d'assurances sociales",
           "Bonjour,\n\nUn nouveau message vous attend dans votre espace en ligne :\n{url}\n\n"
           "Pour votre sécurité, nous n'en mettons pas le contenu dans un e-mail.\n"),
    "nl": ("Een nieuw bericht van uw sociaal verzekeringsfonds",
           "Goeiedag,\n\nEr wacht een nieuw bericht op u in uw online omgeving:\n{url}\n\n"
           "Voor uw veiligheid zetten we de inhoud niet in een e-mail.\n"),
    "de": ("Eine neue Nachricht Ihrer Sozialversicherungskasse",
           "Guten Tag,\n\nIn Ihrem Online-Bereich wartet eine neue Nachricht auf Sie:\n{url}\n\n"
           "Zu Ihrer Sicherheit steht der Inhalt nicht in einer E-Mail.\n"),
}


def compose(notification: Notification, settings: Settings) -> EmailMessage:
    subject, body = TEXT.get(notification.language, TEXT["fr"])
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = notification.to_address
    msg["Subject"] = subject
    msg.set_content(body.format(url=settings.portal_url.rstrip("/") + "/my/requests"))
    return msg


def send_pending(session: Session, settings: Settings, now: dt.datetime, max_attempts: int = 5) -> tuple[int, int]:
    """Send every queued notification; returns (sent, failed). A failure is kept and retried next time."""
    pending = list(session.scalars(select(Notification).where(
        Notification.sent_at.is_(None), Notification.attempts < max_attempts).order_by(Notification.id)))
    if not pending:
        return 0, 0
    sent = failed = 0
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
    except OSError as exc:
        for n in pending:
            n.attempts += 1
            n.last_error = f"cannot reach the mail server: {exc}"[:300]
        return 0, len(pending)
    with smtp:
        for n in pending:
            try:
                smtp.send_message(compose(n, settings))
                n.sent_at = now
                sent += 1
            except smtplib.SMTPException as exc:
                n.attempts += 1
                n.last_error = str(exc)[:300]
                failed += 1
    return sent, failed


# ---------------------------------------------------------------- forgotten password (services/password_reset.py)

RESET_TEXT = {
    "fr": ("Votre demande de nouveau mot de passe",
           "Bonjour,\n\nQuelqu'un a demandé un nouveau mot de passe pour votre espace en ligne. Si c'est vous, "
           "ouvrez ce lien dans les {minutes} minutes ; il ne sert qu'une fois :\n{url}\n\n"
           "Si ce n'est pas vous, ignorez cet e-mail : votre mot de passe ne change pas.\n"),
    "nl": ("Uw aanvraag voor een nieuw wachtwoord",
           "Goeiedag,\n\nIemand heeft een nieuw wachtwoord gevraagd voor uw online omgeving. Bent u dat, "
           "open dan deze link binnen {minutes} minuten; hij werkt maar één keer:\n{url}\n\n"
           "Was u het niet, negeer dan deze e-mail: uw wachtwoord blijft ongewijzigd.\n"),
    "de": ("Ihre Anfrage für ein neues Passwort",
           "Guten Tag,\n\njemand hat ein neues Passwort für Ihren Online-Bereich angefordert. Wenn Sie das waren, "
           "öffnen Sie diesen Link innerhalb von {minutes} Minuten; er funktioniert nur einmal:\n{url}\n\n"
           "Wenn nicht, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.\n"),
}


def compose_password_reset(to_address: str, language: str, token: str, settings: Settings) -> EmailMessage:
    """The link to set a new password: no name, no login, no file number — only the link and its life."""
    subject, body = RESET_TEXT.get(language, RESET_TEXT["fr"])
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to_address
    msg["Subject"] = subject
    url = settings.portal_url.rstrip("/") + "/password-reset/new?token=" + token
    msg.set_content(body.format(url=url, minutes=settings.password_reset_minutes))
    return msg


def send_now(message: EmailMessage, settings: Settings) -> str | None:
    """Send one message at once; returns None when it left, else why not (never raises)."""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return f"{exc.__class__.__name__}: {exc}"[:300]
    return None
