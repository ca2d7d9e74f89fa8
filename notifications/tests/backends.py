"""E-mail backends standing in for a broken mail server (what leaves the process, STYLE §2.9)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

calls = {"count": 0}


class DownBackend(BaseEmailBackend):
    """Every send fails as if the SMTP server dropped the connection."""

    def send_messages(self, email_messages):
        calls["count"] += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
