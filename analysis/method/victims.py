"""The statutory victim contact path and restorative justice, as steps, written once.

Each step counts the cases that reached it ("yes"); the cases at one step are the denominator
of the next, which is how a reader links them. The disclosure policy protects those links
(:func:`analysis.method.disclosure.area_disclosure`), the outcome 5 chapter prints the path,
and the disclosure scanner reads a step's count beside its label.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step: the yes/no field it counts, its label, and the step its denominator is."""

    variable: str
    label: str
    after: str | None = None


VICTIM_PATH = (
    Step("statutory_victim", "Statutory victim contact cases"),
    Step("victim_offer_made", "Offer of contact made", "statutory_victim"),
    Step("victim_offer_8_weeks", "Offer made within 8 weeks", "victim_offer_made"),
    Step("victim_took_up", "Victim took up the offer", "victim_offer_made"),
    Step("victim_contact_quality", "Quality of contact sufficient", "victim_took_up"),
)
RESTORATIVE_JUSTICE = (
    Step("rj_offered", "Restorative justice offered"),
    Step("rj_proceeded", "Restorative justice proceeded", "rj_offered"),
)


def chains() -> tuple[tuple[str, str], ...]:
    """(step, next step) pairs: the "yes" cases of the first are the n of the second."""
    return tuple((s.after, s.variable) for s in (*VICTIM_PATH, *RESTORATIVE_JUSTICE)
                 if s.after is not None)
