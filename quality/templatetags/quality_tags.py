from django import template

from quality.dashboard import may_see

register = template.Library()


@register.filter
def may_see_dashboard(user) -> bool:
    """Whether the admin's header offers the quality dashboard to ``user``."""
    return may_see(user)
