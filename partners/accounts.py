"""Company accounts (django-allauth): their e-mails go through the outbox, and sign-in lands where each user works."""

from __future__ import annotations

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import password_reset
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.services import queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Verification links, sign-in codes and password resets are outbox rows like every other e-mail."""
        request = allauth_context.request
        # The sites framework is not installed: name the portal, not the bare host, in allauth's greetings.
        site = SimpleNamespace(name=_("OPALE Partnerships"), domain=get_current_site(request).domain)
        ctx = {"request": request, "email": email, "current_site": site}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next((content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        text = message.body if message.content_subtype != "html" else ""
        if not html:  # allauth's messages are text only; every portal e-mail also has an HTML part
            html = render_to_string("emails/account_message.html", {"text": text})
        queue(
            to=email,
            template=template_prefix,
            language=translation.get_language() or "fr",
            subject=message.subject,
            text=text or html,
            html=html,
            user=context.get("user"),
        )

    def get_login_redirect_url(self, request) -> str:
        if request.user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)


def axes_username(request, credentials) -> str | None:
    """The account name django-axes counts failures against: the e-mail on the portal, the username in the admin."""
    credentials = credentials or {}
    for key in ("email", "username", "login"):
        if credentials.get(key):
            return str(credentials[key]).strip().lower()
    data = getattr(request, "POST", {}) or {}
    for key in ("login", "username", "email"):
        if data.get(key):
            return str(data[key]).strip().lower()
    return None


def user_display(user) -> str:
    """How allauth names a person in pages and e-mails: their name, not the username it generated."""
    return user.get_full_name() or user.email or user.get_username()


@receiver(password_reset)
def lift_lockout_after_password_reset(sender, request, user, **kwargs):
    """Whoever proved they own the mailbox may sign in again with the new password at once."""
    from axes.utils import reset

    reset(username=(user.email or "").lower())
