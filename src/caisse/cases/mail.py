"""E-mail that something is waiting in the portal. The e-mail never carries personal data: no name, no
national number, no amount, no content of the message — only that a message is waiting, and where.

One exception, the payment reminder before a due date (``batches/due_reminders.py``, case kind ``due_reminder``):
its e-mail carries the message itself — the amount still open, the due date, the structured communication and the
fund's IBAN, so the person can pay from the e-mail — still without name or national number, and linking to the
portal's home rather than to the file (the structured communication, needed to pay, does encode the file number)."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.cases.models import Case, CaseMessage, Notification
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


#: case kinds whose e-mail carries the message itself (see the module docstring), with its subject per language
MAIL_CARRIES_MESSAGE = {"due_reminder": {
    "fr": "Rappel : une échéance de cotisations approche",
    "nl": "Herinnering: een vervaldag van uw bijdragen nadert",
    "de": "Erinnerung: ein Fälligkeitstermin Ihrer Beiträge naht",
}}

DUE_REMINDER_TEXT = {
    "fr": "Bonjour,\n\nVotre avis d'échéance {period} arrive à échéance le {due}. Il reste à payer : {amount}.\n\n"
          "Pour payer, virez ce montant au compte {iban} avec la communication structurée {ogm}.\n"
          "Avec une domiciliation (mandat SEPA), nous prélevons vos cotisations automatiquement à chaque "
          "échéance : vous pouvez la demander dans votre espace en ligne.\n\n"
          "Votre compte et vos avis : {url}\n\n"
          "Si vous avez payé entre-temps, ne tenez pas compte de ce rappel.\n",
    "nl": "Goeiedag,\n\nUw vervaldagbericht {period} vervalt op {due}. Nog te betalen: {amount}.\n\n"
          "Om te betalen, schrijft u dit bedrag over naar rekening {iban} met de gestructureerde mededeling "
          "{ogm}.\nMet een domiciliëring (SEPA-mandaat) innen we uw bijdragen automatisch op elke vervaldag: u kunt "
          "ze aanvragen in uw online omgeving.\n\n"
          "Uw rekening en uw berichten: {url}\n\n"
          "Hebt u intussen betaald, dan mag u deze herinnering negeren.\n",
    "de": "Guten Tag,\n\nIhre Fälligkeitsmitteilung {period} wird am {due} fällig. Noch zu zahlen: {amount}.\n\n"
          "Überweisen Sie diesen Betrag bitte auf das Konto {iban} mit der strukturierten Mitteilung {ogm}.\n"
          "Mit einer Lastschrift (SEPA-Mandat) ziehen wir Ihre Beiträge an jedem Fälligkeitstermin automatisch "
          "ein: Sie können sie in Ihrem Online-Bereich beantragen.\n\n"
          "Ihr Konto und Ihre Mitteilungen: {url}\n\n"
          "Haben Sie inzwischen gezahlt, betrachten Sie diese Erinnerung bitte als gegenstandslos.\n",
}


def due_reminder_text(language: str, *, period: str, due: str, amount: str, iban: str, ogm: str, url: str) -> str:
    """The reminder before a due date, in the person's language (French when it is none of fr/nl/de): what the
    portal shows as the message and what the e-mail carries. Values come formatted (``fmt_money``, dd/mm/yyyy)."""
    return DUE_REMINDER_TEXT.get(language, DUE_REMINDER_TEXT["fr"]).format(
        period=period, due=due, amount=amount, iban=iban, ogm=ogm, url=url)


def compose(notification: Notification, settings: Settings, message: tuple[str, str] | None = None) -> EmailMessage:
    """The e-mail of a notification; ``message``: (case kind, body) of its case message when the kind's e-mail
    carries the message itself (``MAIL_CARRIES_MESSAGE``)."""
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = notification.to_address
    if message is not None and message[0] in MAIL_CARRIES_MESSAGE:
        subjects = MAIL_CARRIES_MESSAGE[message[0]]
        msg["Subject"] = subjects.get(notification.language, subjects["fr"])
        msg.set_content(message[1])
        return msg
    subject, body = TEXT.get(notification.language, TEXT["fr"])
    msg["Subject"] = subject
    msg.set_content(body.format(url=settings.portal_url.rstrip("/") + "/my/requests"))
    return msg


def _carried(session: Session, pending: list[Notification]) -> dict[int, tuple[str, str]]:
    """case message id -> (case kind, body) for the pending notifications whose e-mail carries the message."""
    ids = [n.case_message_id for n in pending if n.case_message_id is not None]
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), 5000):
        out.update((mid, (kind, body)) for mid, kind, body in session.execute(
            select(CaseMessage.id, Case.kind, CaseMessage.body).join(Case, Case.id == CaseMessage.case_id).where(
                CaseMessage.id.in_(ids[i:i + 5000]), Case.kind.in_(list(MAIL_CARRIES_MESSAGE)))))
    return out


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
    carried = _carried(session, pending)
    with smtp:
        for n in pending:
            try:
                smtp.send_message(compose(n, settings, carried.get(n.case_message_id)))
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
