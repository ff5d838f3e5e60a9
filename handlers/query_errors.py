"""Why a topic query cannot be run, in the chat's language.

services/topics/query.py reports a bad query as a stable code with parameters; the
wording for each code lives in the message catalogues, keyed here.
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from handlers.replies import fill
from services.text.i18n import N_

QUERY_ERRORS: dict[str, str] = {
    "empty": N_("The query has no words to look for."),
    "too_long": N_("The query is longer than {max} characters."),
    "too_many_terms": N_("The query has more than {max} words."),
    "too_nested": N_("The query nests parentheses deeper than {max}."),
    "unbalanced_quote": N_("A quotation mark is not closed."),
    "unbalanced_parenthesis": N_("A parenthesis is not closed, or is closed without being opened."),
    "misplaced_operator": N_("{operator} needs a word where it stands."),
    "exclusions_only": N_("The query only excludes words; say what to look for too."),
    "unknown_group": N_("There is no alias group @{name}. Known groups: {known}."),
    "source_query": N_(
        "source:URL follows a whole source: <code>/subscribe source:URL</code>; "
        "it is not a word search."
    ),
}
UNKNOWN_ERROR = N_("This query cannot be run.")


def query_error_text(code: str, params: dict[str, str | int]) -> str:
    """The localised reason; parameters are escaped, a missing one leaves the plain reason."""
    template = _(QUERY_ERRORS.get(code, UNKNOWN_ERROR))
    try:
        return fill(template, **params)
    except (KeyError, IndexError):
        return _(UNKNOWN_ERROR)
