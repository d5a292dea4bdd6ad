"""Routing suggestions: which entities suit an enquiry, and why, in words the central team can check.

The score is a plain sum of signals, each one giving a reason: the partnership kind the entity offers, shared
disease areas and capabilities, the central team's RoutingRule rows, and the words the enquiry shares with the
entity's profile, name and code. Words count by rarity among the entities (inverse document frequency), so
"xenograft" weighs much more than "leukemia", which every profile says. No NLP library: a person reading the
reasons must be able to see why an entity came up.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import PartnershipKind, RoutingStatus
from .models import Enquiry, Entity, Governance, GoverningBody, Routing, RoutingRule

KIND_POINTS = 10
AREA_POINTS = 8  # per shared disease area
CAPABILITY_POINTS = 12  # per shared capability
WORD_POINTS = 3  # per unit of a shared word's rarity
CODE_POINTS = 30  # the enquiry names the entity's code
SHOWN_WORDS = 5

# Profiles are written in English; enquiries come in French too. This short glossary maps the French (and
# American) words companies use to the profiles' words, after accents are folded and plurals stripped.
GLOSSARY = {
    "lam": "aml", "llc": "cll", "lmc": "cml", "smd": "mds", "nmp": "mpn", "lal": "ALL",
    "leucemie": "leukemia", "leukaemia": "leukemia", "myelome": "myeloma", "lymphome": "lymphoma",
    "pediatrique": "paediatric", "pediatric": "paediatric", "enfant": "child", "children": "child",
    "aigue": "acute", "chronique": "chronic", "myeloide": "myeloid", "lymphoide": "lymphoid",
    "echantillon": "sample", "biobanque": "biobank", "donnee": "data", "reelle": "real", "registre": "registry",
    "cohorte": "cohort", "essai": "trial", "clinique": "clinical", "preclinique": "preclinical",
    "criblage": "screening", "haut": "high", "debit": "throughput", "cible": "target", "cellule": "cell",
    "souche": "stem", "modele": "model", "souris": "mice", "murin": "mouse", "xenogreffe": "xenograft",
    "biomarqueur": "biomarker", "rechute": "relapse", "residuelle": "residual", "maladie": "disease",
    "inhibiteur": "inhibitor", "anticorp": "antibody", "bispecifique": "bispecific", "medicament": "drug",
    "combinaison": "combination", "repositionnement": "repositioning", "plasticite": "plasticity",
    "metabolique": "metabolic", "epigenetique": "epigenetic", "genomique": "genomic", "clonale": "clonal",
    "sequencage": "sequencing", "cytometrie": "cytometry", "flux": "flow", "brevet": "patent",
    "therapie": "therapy", "immunotherapie": "immunotherapy", "lot": "batch", "medullaire": "marrow",
    "moelle": "marrow", "economique": "economic", "humanise": "humanised", "humanized": "humanised",
    "tumor": "tumour", "license": "licence", "adulte": "adult",
}  # fmt: skip
STOP_WORDS = frozenset(
    """a about after against all also an and any are as at be been before being between both but by can could
    do does each for from had has have how if in into is it its may more most must need no not of on one only or
    other our out over per such than that the their them then there these they this those through to two under
    up us use used using very want was we were what when where which while who will with within would you your
    ai au aux avec ce ces cet cette comme dans de des du elle en est et etre eux il ils je la le les leur lui
    mais ne nos notre nous on ou par pas pour qu que qui sa se ses son sont sur ta un une vos votre vous afin
    ainsi aussi avant apres chez deja entre leurs plus sans sous tout tres ii iii iv
    france french francais call appel project projet company societe partner partenaire""".split()
)  # the last line: words of every enquiry's framing, which say nothing about which entity fits


@dataclass(frozen=True)
class Suggestion:
    entity: Entity
    score: float  # higher is better
    reasons: list[str]
    bodies: list[tuple[GoverningBody, list[str]]]  # lead negotiator first, each with its role labels
    routing_status: str = ""  # pending, accepted or declined when already routed to this entity

    @property
    def can_be_routed(self) -> bool:
        """Not already waiting for this entity's answer, nor accepted by it (a decline may be asked again)."""
        return self.routing_status in ("", RoutingStatus.DECLINED)


def suggest_entities(enquiry: Enquiry, *, limit: int = 5) -> list[Suggestion]:
    """The entities best suited to ``enquiry``, best first; those that already declined it come last.

    Eight queries whatever the number of entities: entities, their areas, capabilities and governing bodies,
    the active rules, the enquiry's areas, capabilities and routings."""
    governances = Governance.objects.select_related("body")
    entities = list(
        Entity.objects.filter(is_active=True).prefetch_related(
            "disease_areas", "capabilities", Prefetch("governances", queryset=governances)
        )
    )
    rules = defaultdict(list)
    for rule in RoutingRule.objects.filter(is_active=True, entity__is_active=True):
        rules[rule.entity_id].append(rule)
    profiles = {entity.pk: _bag(_tokens(f"{entity.name} {entity.code} {entity.profile}")) for entity in entities}
    wanted = _Wanted(enquiry, list(profiles.values()))
    routings = {routing.entity_id: routing for routing in enquiry.routings.all()}

    suggestions = []
    for entity in entities:
        score, reasons = wanted.score(entity, profiles[entity.pk], rules[entity.pk])
        routing = routings.get(entity.pk)
        if routing is not None:
            reasons.append(_routing_reason(routing))
        elif score <= 0:
            continue
        bodies = sorted(entity.governances.all(), key=lambda g: (not g.is_lead_negotiator, g.body.short_name))
        roles = [(g.body, g.roles or [str(_("supervising body"))]) for g in bodies]
        status = routing.status if routing is not None else ""
        suggestions.append(Suggestion(entity, score, reasons, roles, status))

    declined = {pk for pk, routing in routings.items() if routing.status == RoutingStatus.DECLINED}
    suggestions.sort(key=lambda s: (s.entity.pk in declined, -s.score, s.entity.name))
    return suggestions[:limit]


class _Wanted:
    """What the enquiry asks for, ready to be held against each entity."""

    def __init__(self, enquiry: Enquiry, profiles: list[set[str]]):
        self.kind = enquiry.kind
        self.areas = {area.pk: area for area in enquiry.disease_areas.all()}
        self.capabilities = {capability.pk: capability for capability in enquiry.capabilities.all()}
        words = _tokens(" ".join([enquiry.title, enquiry.summary, enquiry.objectives, enquiry.scientific_project]))
        self.phrase = f" {' '.join(words)} "
        self.words = _bag(words)
        document_frequency = defaultdict(int)
        for profile in profiles:
            for word in profile:
                document_frequency[word] += 1
        self.rarity = {word: math.log((len(profiles) + 1) / n) for word, n in document_frequency.items()}

    def score(self, entity: Entity, profile: set[str], rules: list[RoutingRule]) -> tuple[float, list[str]]:
        found = [  # (points, reason) for each signal that matched
            *self._kind(entity),
            *self._terms(entity),
            *self._code(entity),
            *self._words(profile),
            *((rule.weight, _("rule “%(name)s”") % {"name": rule.name}) for rule in rules if self._matches(rule)),
        ]
        return round(sum(points for points, _reason in found), 1), [reason for _points, reason in found]

    def _kind(self, entity: Entity):
        if self.kind in entity.partnership_kinds:
            yield KIND_POINTS, _("offers: %(kind)s") % {"kind": PartnershipKind(self.kind).label}

    def _terms(self, entity: Entity):
        areas = [str(area) for area in entity.disease_areas.all() if area.pk in self.areas]
        if areas:
            label = ngettext("disease area: %(terms)s", "disease areas: %(terms)s", len(areas))
            yield AREA_POINTS * len(areas), label % {"terms": ", ".join(areas)}
        capabilities = [str(c) for c in entity.capabilities.all() if c.pk in self.capabilities]
        if capabilities:
            label = ngettext("capability: %(terms)s", "capabilities: %(terms)s", len(capabilities))
            yield CAPABILITY_POINTS * len(capabilities), label % {"terms": ", ".join(capabilities)}

    def _code(self, entity: Entity):
        code = " ".join(_tokens(entity.code))
        if len(code) >= 3 and f" {code} " in self.phrase:
            yield CODE_POINTS, _("names the entity: %(code)s") % {"code": entity.code}

    def _words(self, profile: set[str]):
        shared = sorted(self.words & profile, key=lambda word: (-self.rarity[word], word))
        if shared:
            points = WORD_POINTS * sum(self.rarity[word] for word in shared)
            yield points, _("words in common: %(words)s") % {"words": ", ".join(shared[:SHOWN_WORDS])}

    def _matches(self, rule: RoutingRule) -> bool:
        """All the criteria the rule sets hold; a rule that sets none matches nothing."""
        keywords = [" ".join(_tokens(keyword)) for keyword in rule.keyword_list]
        checks = [
            (bool(rule.kind), rule.kind == self.kind),
            (rule.disease_area_id is not None, rule.disease_area_id in self.areas),
            (rule.capability_id is not None, rule.capability_id in self.capabilities),
            (bool(keywords), any(keyword and f" {keyword} " in self.phrase for keyword in keywords)),
        ]
        return any(is_set for is_set, _holds in checks) and all(holds for is_set, holds in checks if is_set)


def _tokens(text: str) -> list[str]:
    """Words in order, lower-case, accents folded, plural "s" stripped, French words put in English.

    "ALL" in capitals is the leukemia, not the English word, so it keeps a token of its own."""
    words = []
    for raw in re.findall(r"[^\W_]+", text):
        if raw == "ALL":
            words.append("ALL")
            continue
        word = unicodedata.normalize("NFKD", raw.lower()).encode("ascii", "ignore").decode()
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        word = re.sub(r"^hem", "haem", word)
        words.append(GLOSSARY.get(word, word))
    return words


def _bag(words: list[str]) -> set[str]:
    """The words that carry meaning: no stop words, no lone letters, no bare numbers."""
    return {w for w in words if len(w) > 1 and w not in STOP_WORDS and not w.isdigit()}


def _routing_reason(routing: Routing) -> str:
    day = date_format(timezone.localdate(routing.answered_at or routing.routed_at))
    if routing.status == RoutingStatus.DECLINED:
        return _("declined on %(date)s") % {"date": day}
    if routing.status == RoutingStatus.ACCEPTED:
        return _("accepted on %(date)s") % {"date": day}
    return _("routed on %(date)s, awaiting its answer") % {"date": day}
