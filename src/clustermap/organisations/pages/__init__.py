"""Server-rendered web pages of the registry under ``/registry`` (Jinja2, no JavaScript needed, no CDN).

Pages: search with facets (``/registry/``), one page per organisation, programme, case study and member,
the programme overview with the survey figures, matchmaking with explanations and expressions of interest,
the self-assessment questionnaire and its printable result, login / logout, notifications, and an edit form for
organisations (optimistic locking: a stale form gets a 409 page with the current values).

Every form that changes something carries a CSRF token (the session's, or for the login form an HMAC of an
anonymous nonce cookie); pages use labels, fieldsets and landmarks so that they work with the keyboard and a
screen reader. Pages call the same services as the REST routes (:mod:`..services`, :mod:`..repository`).
"""

from fastapi import APIRouter

from clustermap.organisations.pages import account, assessment, browse, edit, exchange, records
from clustermap.organisations.pages.render import BASE

__all__ = ["BASE", "router"]

router = APIRouter(include_in_schema=False)
for _module in (browse, account, exchange, assessment, edit, records):  # records last: ``/{kind}/{ref}``
    router.include_router(_module.router)
