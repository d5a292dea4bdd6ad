"""Demo data: a year of history behind the demo's stories, so that the KPI dashboard (issue 7) measures something.

``enquiries(today)`` gives about 125 enquiry specs in the grammar of ``demo_data.ENQUIRIES`` (working-day gaps,
steps replayed through ``partners.workflow`` and the contract engine), for ``demo_data.load()`` to replay with its
own stories, in one chronological order (references stay numbered in submission order). They are drawn from a
seeded ``random.Random`` once, whatever the day: titles are the enquiries' natural key, so a second load finds them
all and replays none. Only ``today`` decides where each timeline stops: a step that would fall in the last
``QUIET_DAYS`` has not happened yet, and the enquiry is still open. The first go back 11 months (``OLDEST``: the
demo's own tests keep every enquiry within 340 days).

What a central team would recognise, and the dashboard should show:

- first responses mostly within 1 to 5 working days, one in eight late (6 to 12); questions to the company and its
  answers (a stage reopened); entities that decline and an enquiry routed elsewhere; UMR 8200 slow to answer;
- declines, withdrawals, no-go decisions; about a third reaching contracting, a quarter signed; a handful still
  open today, some of them overdue (no first response after 5 working days, an entity silent for weeks);
- NDAs (10 to 30 working days to in force) and agreements (30 to 110), with review rounds; AP-HP, when it leads the
  negotiation, markedly slower than the other bodies; contracts abandoned with their enquiry;
- satisfaction surveys after each event that asks for one (enquiry closed, NDA in force, agreement signed), dated
  at the event, most of them answered days later, mostly 7 to 10. A quick closure every ``ANCHOR_EVERY`` days gets
  an answer, so that every quarter of the year has some.

PDFs are the cost (about half a second each in French alone, twice that bilingual). A history contract is
negotiated on its terms (the engine sends the terms to the company; only a signature needs a ready PDF) and gets its
one draft when the text is agreed, plus the final PDF the engine asks for after the last signature: two renders if
it came into force, one if it waits for signatures (or for the company's review: its reader needs the PDF), none
otherwise. ``PORTAL_CONTRACTS`` caps the contracts signed on the portal, French companies' only (in French); the
other partnerships were signed on the bodies' paper (their legal staff record it on the enquiry).
``load(contracts=False)`` skips the contracts like the stories' (the enquiry is still signed where its agreement
came into force).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from typing import Any

from django.utils import timezone

from agreements import services as contract_services
from agreements import workflow as contract_workflow
from agreements.demo_data import TERMS, ContractReplay
from quality.models import VALID_DAYS, SurveyAnswer, SurveyEvent, SurveyInvitation
from quality.services import surveys_for_event

from .choices import BudgetBand, FundingProgramme, PartnershipKind
from .demo_data import BODIES, COMPANIES, ENQUIRIES, ENTITIES, _add_working_days, _EnquiryReplay, timeline

K = PartnershipKind
B = BudgetBand

SEED = 7_2026
OLDEST = 332  # calendar days back; the demo's own tests keep every enquiry within 340 days of today
QUIET_DAYS = 2  # nothing in the last two days: the demo's tests look for contract events of the last 24 hours
ANCHOR_EVERY = 12  # a quick closure, answered, every 12 days: each quarter has satisfaction answers
# (calendar days back from, to, how many): more in recent quarters; the last weeks belong to the demo's stories
BANDS = [(250, 320, 15), (160, 250, 21), (75, 160, 30), (38, 75, 13), (16, 38, 6)]
# Stories placed on purpose, with their start (calendar days back): the handful open today, and AP-HP's contracts
PLACED = [
    ("open_unanswered", 4),
    ("open_unanswered", 11),  # overdue: no first response after 5 working days
    ("open_unanswered", 16),  # overdue
    ("open_triage", 9),
    ("open_awaiting", 19),
    ("open_routed", 8),
    ("open_routed_slow", 28),  # overdue: UMR 8200 has not answered for weeks
    ("open_accepted", 22),
    ("open_contract", 46),  # agreements under way on the portal (drafting, review rounds, signatures)
    ("open_contract", 60),
    ("open_contract", 75),
    ("aphp", 300),  # Sanagen's CAR-T process at AP-HP's platform: an NDA, then a service, both slow to sign
]
OPEN_BUDGET = 9  # long stories started recently, left where today finds them (contracting mostly)
PORTAL_CONTRACTS = {"nda": 3, "agreement": 3}  # contracts signed on the portal (each costs one or two PDFs)
CANCELLED_CONTRACTS = 8  # contracts abandoned with their enquiry, before any PDF
LATE_EVERY = 8  # one first response in eight is late (6 to 12 working days)
# The mix of outcomes of enquiries old enough to have one (besides the quick closures above)
OUTCOMES = {"signed": 9, "no_go": 2, "withdrawn": 2, "declined": 2, "refused": 1}

# Median working days an entity takes to answer a routing; UMR 8200 is the slow one. Nothing goes to the Lille
# biobank: it is the stories' (a browser test counts the enquiries routed there).
ENTITY_PACE = {
    "lsc": 2,
    "hema": 3,
    "genomics": 11,
    "immuno": 3,
    "canther": 4,
    "alfa": 4,
    "filo": 3,
    "graall": 5,
    "gfm": 4,
    "sfce": 5,
    "cart": 2,
    "screen": 1,
    "pdx": 2,
    "cohort": 3,
}
# How much longer a lead body's legal staff take over each of their steps than the others'.
BODY_PACE = {"AP-HP": 3.0, "CNRS": 1.2}
# Working days from a contract's request to its coming into force, before a slow body stretches them.
CONTRACT_DAYS = {"nda": (10, 28), "agreement": (30, 110)}

DISEASES = {
    "aml": ("AML", "LAM"),
    "all": ("ALL", "LAL"),
    "cll": ("CLL", "LLC"),
    "cml": ("CML", "LMC"),
    "mds": ("MDS", "SMD"),
    "mpn": ("myeloproliferative neoplasms", "néoplasies myéloprolifératives"),
    "lymphoma": ("B-cell lymphoma", "lymphomes B"),
    "myeloma": ("multiple myeloma", "myélome multiple"),
    "paediatric": ("paediatric ALL", "LAL de l'enfant"),
}

# The companies' own products, the topics they bring, how often they write; their language is the enquiries'.
COMPANY_PLANS = {
    "hemavia": (
        "en",
        ["HMV-305", "HMV-318", "HMV-422"],
        ["pdx", "screening", "resistance", "clonal", "aml_design"],
        10,
    ),
    "lymphodx": ("fr", ["LDX-Clono", "LDX-Seq T", "LDX-Flow12"], ["samples", "clonal", "cll_board", "call"], 13),
    "myelis": ("fr", ["MYL-0427", "MYL-0512", "MYL-0630"], ["pdx", "screening", "niche", "clonal", "crispr"], 13),
    "cellforge": ("en", ["CF-CD5", "CF-BCMA2", "CF-CD70"], ["cart", "immune", "paediatric", "call"], 10),
    "hematica": ("en", ["HG-scDNA v3", "HG-Methyl", "HG-CloneAI"], ["clonal", "samples", "mds_endpoints", "call"], 9),
    "oncoroute": ("fr", ["OncoPredict", "RelapseNet", "CytoMorph 2"], ["rwd", "call", "cifre"], 9),
    "sanagen": (
        "en",
        ["SNG-518", "SNG-603", "SNG-711"],
        ["resistance", "immune", "cart", "aml_design", "cll_board"],
        15,
    ),
    "biolumen": ("en", ["Lumen-Cyto 8", "Lumen-Sort", "Lumen-MRD"], ["samples", "cll_board", "call"], 7),
    "meddata": ("fr", ["Féder-Hém", "RWE-Leuc", "MDS-Registre IA"], ["rwd", "call", "mds_endpoints"], 9),
    "cytometrix": ("fr", ["CytoPrep", "CellWash GMP", "FlowSure"], ["cart", "samples", "call"], 7),
    "greenfield": ("fr", ["GreenTips", "GL-Plates", "EcoPipette", "GL-Cryo", "BioWipe", "GL-Racks"], ["supplies"], 3),
    "helvetic": ("en", ["HLV-221", "HLV-309", "HLV-415"], ["pdx", "screening", "resistance", "aml_design"], 11),
}
# (contract kinds some demo tests expect only once for a company: no history contract of that kind for it)
NO_PORTAL = {("cellforge", "nda"), ("lymphodx", "research_collaboration"), ("hematica", "research_collaboration")}

# A topic: kind, entities that fit (the first is the usual one; the others for re-routing), disease areas,
# capabilities, the agreement it leads to on the portal (None: signed on paper), whether an NDA comes first,
# budget, and its title, summary and objectives in English and French ({product}, {disease}).
TOPICS: dict[str, dict[str, Any]] = {
    "pdx": {
        "kind": K.PLATFORM_USE,
        "entities": ["pdx", "canther"],
        "areas": ["aml", "all"],
        "capabilities": ["preclinical_models"],
        "contract": "service",
        "nda": True,
        "budget": B.FROM_200K,
        "en": (
            "Efficacy of {product} in {disease} PDX models",
            "We look for characterised patient-derived xenograft models of {disease} to test {product}, alone and "
            "in combination, with minimal residual disease read-outs. Compound data are shared under NDA only.",
            "Six to eight PDX models; dose-response and combination arms; MRD and survival; a study report.",
        ),
        "fr": (
            "Efficacité de {product} sur modèles PDX de {disease}",
            "Nous cherchons des modèles PDX caractérisés de {disease} pour tester {product}, seul et en "
            "association, avec un suivi de la maladie résiduelle. Les données du composé sont partagées sous NDA.",
            "Six à huit modèles PDX ; bras dose-réponse et association ; MRD et survie ; un rapport d'étude.",
        ),
    },
    "screening": {
        "kind": K.PLATFORM_USE,
        "entities": ["screen", "canther"],
        "areas": ["aml", "all", "cml"],
        "capabilities": ["screening_small_molecules"],
        "contract": "service",
        "nda": True,
        "budget": B.FROM_50K,
        "en": (
            "Combination screening of {product} on primary {disease} cells",
            "We would like {product} screened in combination with standard agents on {disease} cell lines and "
            "primary samples, with dose-response matrices and synergy scores.",
            "A 10 x 10 combination matrix on eight models; synergy analysis; ranked list of combinations.",
        ),
        "fr": (
            "Criblage de combinaisons de {product} sur cellules primaires de {disease}",
            "Nous souhaitons cribler {product} en association avec les traitements de référence sur des lignées "
            "et des échantillons primaires de {disease}, avec matrices dose-réponse et scores de synergie.",
            "Une matrice 10 x 10 sur huit modèles ; analyse de synergie ; classement des associations.",
        ),
    },
    "cart": {
        "kind": K.PLATFORM_USE,
        "entities": ["cart"],
        "areas": ["all", "lymphoma", "myeloma"],
        "capabilities": ["cart_bioproduction"],
        "contract": "service",
        "nda": True,
        "budget": B.FROM_500K,
        "en": (
            "GMP process development for {product} CAR-T batches in {disease}",
            "We need the transfer of our {product} process to a GMP facility and two engineering runs before "
            "batches for an academic phase I trial in {disease}.",
            "Process transfer; two engineering runs; release specifications; a batch record template.",
        ),
        "fr": (
            "Développement du procédé GMP des lots CAR-T {product} dans les {disease}",
            "Nous avons besoin du transfert de notre procédé {product} vers une unité GMP et de deux lots "
            "d'ingénierie avant les lots d'un essai de phase I académique dans les {disease}.",
            "Transfert de procédé ; deux lots d'ingénierie ; spécifications de libération ; dossier de lot type.",
        ),
    },
    "niche": {
        "kind": K.PLATFORM_USE,
        "entities": ["canther", "screen"],
        "areas": ["aml", "myeloma"],
        "capabilities": ["screening_small_molecules", "preclinical_models"],
        "contract": "service",
        "nda": False,
        "budget": B.FROM_50K,
        "en": (
            "3D bone-marrow niche assays of {product} in {disease}",
            "We want to know whether the bone-marrow niche protects {disease} cells from {product}, in 3D "
            "co-cultures with stromal cells and primary samples.",
            "3D co-culture assays on 12 primary samples; niche-protection index; a short report.",
        ),
        "fr": (
            "Essais en niche médullaire 3D de {product} dans les {disease}",
            "Nous voulons savoir si la niche médullaire protège les cellules de {disease} de {product}, en "
            "co-cultures 3D avec des cellules stromales et des échantillons primaires.",
            "Co-cultures 3D sur 12 échantillons primaires ; indice de protection par la niche ; un rapport.",
        ),
    },
    "resistance": {
        "kind": K.BILATERAL_RD,
        "entities": ["lsc", "hema"],
        "areas": ["aml", "mds"],
        "capabilities": ["target_discovery"],
        "contract": "research_collaboration",
        "nda": True,
        "budget": B.FROM_200K,
        "en": (
            "Mechanisms of resistance to {product} in {disease}",
            "We look for an academic partner to study how {disease} cells escape {product}, on primary samples "
            "from patients treated in our phase I trial, with shared results.",
            "Resistance models; single-cell profiling of paired samples; candidate combinations; joint paper.",
        ),
        "fr": (
            "Mécanismes de résistance à {product} dans les {disease}",
            "Nous cherchons un partenaire académique pour étudier comment les cellules de {disease} échappent à "
            "{product}, sur des échantillons de patients de notre essai de phase I, avec résultats partagés.",
            "Modèles de résistance ; profils single-cell d'échantillons appariés ; associations candidates.",
        ),
    },
    "crispr": {
        "kind": K.BILATERAL_RD,
        "entities": ["hema", "lsc"],
        "areas": ["aml", "mpn"],
        "capabilities": ["target_discovery"],
        "contract": "research_collaboration",
        "nda": False,
        "budget": B.FROM_200K,
        "en": (
            "CRISPR screen for targets synergising with {product} in {disease}",
            "A genome-wide CRISPR screen in primary {disease} cells treated with {product}, to find targets whose "
            "loss deepens the response.",
            "Genome-wide screen; validation of ten hits; two candidate targets with mechanism; joint paper.",
        ),
        "fr": (
            "Crible CRISPR de cibles synergiques avec {product} dans les {disease}",
            "Un crible CRISPR pangénomique sur cellules primaires de {disease} traitées par {product}, pour "
            "trouver les cibles dont la perte approfondit la réponse.",
            "Crible pangénomique ; validation de dix cibles ; deux cibles candidates avec leur mécanisme.",
        ),
    },
    "clonal": {
        "kind": K.BILATERAL_RD,
        "entities": ["genomics", "lsc"],
        "areas": ["mds", "aml", "cll"],
        "capabilities": ["biomarkers"],
        "contract": "research_collaboration",
        "nda": False,
        "budget": B.FROM_200K,
        "en": (
            "Clonal evolution of {disease} followed with {product}",
            "We would like to follow clonal evolution in {disease} with {product} on serial samples, and compare "
            "it with the unit's reference methods.",
            "Serial samples of 40 patients; concordance with the reference; clonal trajectories; joint paper.",
        ),
        "fr": (
            "Suivi de l'évolution clonale des {disease} avec {product}",
            "Nous souhaitons suivre l'évolution clonale des {disease} avec {product} sur des échantillons "
            "séquentiels, et la comparer aux méthodes de référence de l'unité.",
            "Échantillons séquentiels de 40 patients ; concordance avec la référence ; trajectoires clonales.",
        ),
    },
    "immune": {
        "kind": K.BILATERAL_RD,
        "entities": ["immuno", "cart"],
        "areas": ["cll", "lymphoma"],
        "capabilities": ["screening_biologics", "biomarkers"],
        "contract": "research_collaboration",
        "nda": True,
        "budget": B.FROM_200K,
        "en": (
            "Immune escape from {product} in {disease}",
            "Why do some patients with {disease} lose their response to {product}? We propose a joint study of "
            "T-cell exhaustion and antigen loss on trial samples.",
            "High-dimensional cytometry of 60 samples; functional assays; predictive markers; joint paper.",
        ),
        "fr": (
            "Échappement immunitaire à {product} dans les {disease}",
            "Pourquoi certains patients atteints de {disease} perdent-ils leur réponse à {product} ? Nous "
            "proposons une étude commune de l'épuisement T et de la perte d'antigène sur échantillons d'essai.",
            "Cytométrie de grande dimension sur 60 échantillons ; tests fonctionnels ; marqueurs prédictifs.",
        ),
    },
    "aml_design": {
        "kind": K.CONSULTANCY,
        "entities": ["alfa", "gfm"],
        "areas": ["aml"],
        "capabilities": ["clinical_trials"],
        "contract": "consultancy",
        "nda": False,
        "budget": B.UNDER_50K,
        "en": (
            "Advice on the phase II design of {product} in {disease}",
            "We ask for the cooperative group's advice on patient selection, comparator and MRD endpoints for a "
            "phase II trial of {product} in {disease}.",
            "An advisory meeting and a written opinion on the draft protocol.",
        ),
        "fr": (
            "Conseil sur le plan de phase II de {product} dans les {disease}",
            "Nous sollicitons l'avis du groupe coopérateur sur la sélection des patients, le comparateur et les "
            "critères de MRD d'un essai de phase II de {product} dans les {disease}.",
            "Une réunion de conseil et un avis écrit sur le projet de protocole.",
        ),
    },
    "cll_board": {
        "kind": K.CONSULTANCY,
        "entities": ["filo", "immuno"],
        "areas": ["cll", "lymphoma"],
        "capabilities": ["clinical_trials", "biomarkers"],
        "contract": "consultancy",
        "nda": False,
        "budget": B.UNDER_50K,
        "en": (
            "Expert board on {product} in {disease}",
            "We would like French experts in {disease} to review how {product} fits today's treatment sequences "
            "and what evidence clinicians would expect.",
            "A half-day expert board and its written recommendations.",
        ),
        "fr": (
            "Comité d'experts sur {product} dans les {disease}",
            "Nous souhaitons que des experts français des {disease} examinent la place de {product} dans les "
            "séquences de traitement actuelles et les preuves attendues par les cliniciens.",
            "Une demi-journée de comité d'experts et ses recommandations écrites.",
        ),
    },
    "mds_endpoints": {
        "kind": K.CONSULTANCY,
        "entities": ["gfm", "alfa"],
        "areas": ["mds"],
        "capabilities": ["clinical_trials"],
        "contract": "consultancy",
        "nda": False,
        "budget": B.UNDER_50K,
        "en": (
            "Endpoints for a study of {product} in lower-risk {disease}",
            "We ask for advice on response criteria and transfusion endpoints for a study of {product} in "
            "lower-risk {disease}, and on the registry data that could serve as a control.",
            "Two advisory meetings and a written opinion on endpoints and external controls.",
        ),
        "fr": (
            "Critères d'évaluation d'une étude de {product} dans les {disease} de bas risque",
            "Nous sollicitons un avis sur les critères de réponse et de transfusion d'une étude de {product} dans "
            "les {disease} de bas risque, et sur les données du registre utilisables comme contrôle.",
            "Deux réunions de conseil et un avis écrit sur les critères et les contrôles externes.",
        ),
    },
    "paediatric": {
        "kind": K.CONSULTANCY,
        "entities": ["sfce", "graall"],
        "areas": ["paediatric", "all"],
        "capabilities": ["clinical_trials"],
        "contract": None,
        "nda": False,
        "budget": B.UNDER_50K,
        "en": (
            "Paediatric investigation plan for {product} in {disease}",
            "We prepare the paediatric investigation plan of {product} and would value the group's view on "
            "age cohorts, dosing and feasibility in {disease}.",
            "A review of the draft plan and a feasibility estimate by age group.",
        ),
        "fr": (
            "Plan d'investigation pédiatrique de {product} dans les {disease}",
            "Nous préparons le plan d'investigation pédiatrique de {product} et souhaitons l'avis du groupe sur "
            "les cohortes d'âge, les doses et la faisabilité dans les {disease}.",
            "Une relecture du projet de plan et une estimation de faisabilité par tranche d'âge.",
        ),
    },
    "samples": {  # from the cooperative groups' trial biobanks (the Lille biobank is the demo stories' own)
        "kind": K.LICENCE,
        "entities": ["alfa", "filo"],
        "by_area": {"aml": "alfa", "cll": "filo"},
        "areas": ["aml", "cll"],
        "capabilities": ["biological_samples"],
        "contract": None,
        "nda": False,
        "budget": B.UNDER_50K,
        "project": True,
        "en": (
            "Access to {disease} samples to validate {product}",
            "We need annotated {disease} samples (DNA and viable cells) to validate {product} analytically.",
            "100 to 150 annotated samples; analytical validation report shared with the group.",
        ),
        "fr": (
            "Accès à des échantillons de {disease} pour valider {product}",
            "Nous avons besoin d'échantillons annotés de {disease} (ADN et cellules viables) pour la validation "
            "analytique de {product}.",
            "100 à 150 échantillons annotés ; rapport de validation analytique partagé avec le groupe.",
        ),
    },
    "call": {
        "kind": K.COLLABORATIVE_CALL,
        "entities": ["genomics", "pdx", "immuno", "alfa"],
        "areas": ["aml", "all", "cll"],
        "capabilities": ["biomarkers", "clinical_trials"],
        "contract": None,
        "nda": False,
        "budget": B.FROM_500K,
        "en": (
            "Call for projects: {product} for precision medicine in {disease}",
            "We prepare a proposal around {product} and look for academic partners in {disease} for the "
            "validation work packages.",
            "A joint proposal; two academic work packages; a consortium agreement if funded.",
        ),
        "fr": (
            "Appel à projets : {product} pour la médecine de précision dans les {disease}",
            "Nous préparons un projet autour de {product} et cherchons des partenaires académiques dans les "
            "{disease} pour les lots de validation.",
            "Un dossier commun ; deux lots académiques ; un accord de consortium si le projet est retenu.",
        ),
    },
    "rwd": {
        "kind": K.CONSULTANCY,
        "entities": ["cohort"],
        "areas": ["aml", "mds"],
        "capabilities": ["real_world_data"],
        "contract": None,
        "nda": False,
        "budget": B.FROM_50K,
        "data_use": True,
        "en": (
            "Feasibility counts for a {product} study in {disease}",
            "Before a real-world study with {product}, we ask how many patients with {disease} the cohort holds "
            "with the variables we need.",
            "Feasibility counts by variable and period; a meeting to scope a data access licence.",
        ),
        "fr": (
            "Étude de faisabilité pour {product} dans les {disease}",
            "Avant une étude en vie réelle avec {product}, nous demandons combien de patients atteints de "
            "{disease} la cohorte compte avec les variables nécessaires.",
            "Comptages de faisabilité par variable et par période ; une réunion pour cadrer une licence d'accès.",
        ),
    },
    "cifre": {
        "kind": K.JOINT_LAB,
        "entities": ["lsc", "immuno", "hema"],
        "areas": ["aml", "cll"],
        "capabilities": ["biomarkers"],
        "contract": None,
        "nda": False,
        "budget": B.FROM_50K,
        "en": (
            "Industrial PhD (CIFRE) on {product} in {disease}",
            "We would like to co-supervise a CIFRE thesis on biomarkers of response to {product} in {disease}.",
            "A three-year thesis; a shared supervision plan; joint publications.",
        ),
        "fr": (
            "Thèse CIFRE sur {product} dans les {disease}",
            "Nous souhaitons co-encadrer une thèse CIFRE sur les biomarqueurs de réponse à {product} dans les "
            "{disease}.",
            "Une thèse de trois ans ; un plan d'encadrement partagé ; des publications communes.",
        ),
    },
    "supplies": {
        "kind": K.OTHER,
        "entities": ["screen"],
        "areas": [],
        "capabilities": [],
        "contract": None,
        "nda": False,
        "budget": B.UNDER_50K,
        "en": (
            "Supply of {product} consumables to OPALE laboratories",
            "We would like to become the supplier of {product} consumables for the laboratories of OPALE.",
            "A framework purchase agreement with the laboratories.",
        ),
        "fr": (
            "Fourniture de consommables {product} aux laboratoires d'OPALE",
            "Nous souhaitons devenir le fournisseur des consommables {product} des laboratoires d'OPALE.",
            "Un accord-cadre d'achat avec les laboratoires.",
        ),
    },
}

# ---- what people write ------------------------------------------------------------------------------------------
TEXTS: dict[str, dict[str, list[str]]] = {
    "ask": {
        "en": [
            "Could you give the number of models or samples you need and your timeline?",
            "What budget do you have in mind, and is the work funded already?",
            "Which data on the compound can you share before an NDA?",
        ],
        "fr": [
            "Pouvez-vous préciser le nombre de modèles ou d'échantillons et votre calendrier ?",
            "Quel budget envisagez-vous, et le projet est-il déjà financé ?",
            "Quelles données sur le produit pouvez-vous partager avant un accord de confidentialité ?",
        ],
    },
    "answer": {
        "en": [
            "About eight models, starting next quarter; the budget is approved.",
            "Around 150 k€, funded by our Series A; we can start within three months.",
            "The target and the in vitro potency; the structure only under NDA.",
        ],
        "fr": [
            "Environ huit modèles, pour un démarrage au prochain trimestre ; le budget est validé.",
            "Environ 150 k€, financés par notre levée de fonds ; démarrage possible sous trois mois.",
            "La cible et l'activité in vitro ; la structure seulement sous accord de confidentialité.",
        ],
    },
    "accept": {
        "en": ["We can take this on and have the capacity this year.", "A good fit with our current projects."],
        "fr": ["Nous pouvons prendre ce projet et avons la capacité cette année.", "En phase avec nos projets."],
    },
    "refuse": {
        "en": [
            "No capacity before next year: our platform is fully booked.",
            "Outside our current research priorities; another unit is better placed.",
        ],
        "fr": [
            "Pas de capacité avant l'an prochain : la plateforme est complète.",
            "Hors de nos priorités de recherche actuelles ; une autre unité est mieux placée.",
        ],
    },
    "decline": {
        "en": [
            "No OPALE entity works on this subject: we suggest contacting a national platform.",
            "The request is commercial supply, outside OPALE's partnership offer.",
            "The entities we asked cannot take the project on this year.",
        ],
        "fr": [
            "Aucune entité d'OPALE ne travaille sur ce sujet : nous vous conseillons une plateforme nationale.",
            "La demande relève de la fourniture commerciale, hors de l'offre de partenariat d'OPALE.",
            "Les entités sollicitées ne peuvent pas prendre le projet cette année.",
        ],
    },
    "no_go": {
        "en": [
            "After the first meeting the budget and the expected timeline could not be reconciled.",
            "The company and the entity could not agree on the ownership of the results.",
        ],
        "fr": [
            "Après la première réunion, le budget et le calendrier attendus n'ont pu être conciliés.",
            "L'entreprise et l'entité n'ont pu s'accorder sur la propriété des résultats.",
        ],
    },
    "withdraw": {
        "en": [
            "Our programme was deprioritised after a portfolio review.",
            "We found a partner closer to our manufacturing site.",
            "The funding we expected was not granted.",
        ],
        "fr": [
            "Notre programme a été dépriorisé après une revue de portefeuille.",
            "Nous avons trouvé un partenaire plus proche de notre site.",
            "Le financement attendu n'a pas été obtenu.",
        ],
    },
    "changes": {
        "en": [
            "Please shorten the publication review to 30 days and add a right to remove confidential data.",
            "We ask for an exclusive option on the results in our field.",
            "The liability clause should be capped at the contract price.",
        ],
        "fr": [
            "Merci de ramener la relecture des publications à 30 jours et de permettre le retrait de données.",
            "Nous demandons une option exclusive sur les résultats dans notre domaine.",
            "La clause de responsabilité devrait être plafonnée au montant du contrat.",
        ],
    },
    "return": {
        "en": ["The co-owners ask to add their background to the annex.", "The budget annex needs overheads."],
        "fr": ["Les copropriétaires demandent d'ajouter leurs connaissances propres.", "Ajouter les frais de gestion."],
    },
    "cancel": {
        "en": ["The enquiry is closed: the contract is abandoned."],
        "fr": ["La demande est close : le contrat est abandonné."],
    },
    "good": {
        "en": ["Quick and clear, thank you.", "The right experts, found fast.", "Smooth contracting."],
        "fr": ["Rapide et clair, merci.", "Les bons experts, trouvés vite.", "Contractualisation fluide."],
    },
    "bad": {
        "en": ["We waited weeks for a first answer.", "Too many rounds on the contract.", "Hard to know who decides."],
        "fr": ["Des semaines pour une première réponse.", "Trop d'allers-retours sur le contrat.", "Qui décide ?"],
    },
}
ROUTE_REASON = {"en": "Has the expertise and the capacity for {product}.", "fr": "A l'expertise et la capacité."}

PROJECT = {
    "en": "Analytical validation of {product}: limit of detection and concordance with the reference method.",
    "fr": "Validation analytique de {product} : limite de détection et concordance avec la méthode de référence.",
}
DATA_USE = {
    "en": "Aggregated feasibility counts only; a later study under MR-004 if feasible.",
    "fr": "Comptages agrégés seulement ; une étude ultérieure sous MR-004 si elle est faisable.",
}


# ========================================================================================================
# The plans: drawn once, the same whatever the day
# ========================================================================================================
def enquiries(today: dt.date) -> list[dict[str, Any]]:
    """The history's enquiry specs, each cut where ``today`` finds it (nothing in the last ``QUIET_DAYS``)."""
    fitted = (_fit(plan, today) for plan in _plans())
    return [spec for spec in fitted if spec is not None]


@functools.cache
def _plans() -> tuple[dict[str, Any], ...]:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    writer = _Writer(rng)
    slots = [("anchor", start) for start in range(OLDEST, 19, -ANCHOR_EVERY)]
    for low, high, count in BANDS:
        slots += [("any", rng.randint(low, high)) for _ in range(count)]
    slots += PLACED
    slots.sort(key=lambda slot: -slot[1])  # oldest first: the portal contracts spread over the year
    return tuple(writer.plan(story, start) for story, start in slots)


class _Writer:
    """Writes one enquiry's story: who, what, and each step with its gap in working days."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.titles = {(spec["company"], spec["title"]) for spec in ENQUIRIES}
        self.companies = {spec["key"]: spec for spec in COMPANIES}
        self.entities = {spec["key"]: spec for spec in ENTITIES}
        self.portal = dict(PORTAL_CONTRACTS)
        self.cancellable = CANCELLED_CONTRACTS
        self.open = OPEN_BUDGET
        self.intakes = 0
        self.bag: list[str] = []

    def outcomes(self) -> list[str]:
        """The outcomes still to tell, in a shuffled order: drawn from a bag, the mix stays the one intended."""
        if len(self.bag) < 8:
            more = [outcome for outcome, count in OUTCOMES.items() for _ in range(count)]
            self.rng.shuffle(more)
            self.bag += more
        return self.bag

    # ---- the enquiry ----------------------------------------------------------------------------------------
    def plan(self, story: str, start: int) -> dict[str, Any]:
        rng = self.rng
        keys = list(COMPANY_PLANS)
        if story.startswith("open"):  # open enquiries that OPALE takes on: not the supplier's
            keys = [key for key in keys if key != "greenfield"]
        if story == "open_contract":  # French companies with a signatory: their contracts go on the portal
            keys = ["hemavia", "myelis", "sanagen", "lymphodx"]
        if story == "aphp":
            keys = ["sanagen"]
        company = rng.choices(keys, weights=[COMPANY_PLANS[key][3] for key in keys])[0]
        language, products, topics, _weight = COMPANY_PLANS[company]
        if story == "open_routed_slow":  # waiting for the slow entity
            topics = [t for t in topics if "genomics" in TOPICS[t]["entities"]] or ["clonal"]
        if story == "aphp":
            topics = ["cart"]
        if story == "open_contract":
            topics = [t for t in topics if TOPICS[t]["contract"] and (company, TOPICS[t]["contract"]) not in NO_PORTAL]
        topic_key, product, area = self._subject(company, topics, products)
        topic = TOPICS[topic_key]
        title, summary, objectives = (
            text.format(product=product, disease=DISEASES[area][language == "fr"] if area else "")
            for text in topic[language]
        )
        self.titles.add((company, title))
        spec: dict[str, Any] = {
            "company": company,
            "kind": topic["kind"],
            "title": title,
            "summary": summary,
            "objectives": objectives,
            "budget_band": topic["budget"],
            "language": language,
            "disease_areas": [area] if area else [],
            "capabilities": topic["capabilities"],
            "start": start,
            "starts_in_days": rng.choice([60, 90, 120]),
            "duration_months": rng.choice([6, 12, 18, 24]),
            "terms": {},
            "replay": HistoryReplay,
        }
        if topic.get("project"):
            spec["scientific_project"] = PROJECT[language].format(product=product)
        if topic.get("data_use"):
            spec["data_use"] = DATA_USE[language]
        if topic["kind"] == K.COLLABORATIVE_CALL:
            spec["funding_programme"] = rng.choice([FundingProgramme.ANR, FundingProgramme.HORIZON_EUROPE])
            spec["funding_call"] = "AAPG" if spec["funding_programme"] == FundingProgramme.ANR else "HORIZON-HLTH"
            spec["deadline_in_days"] = rng.randint(45, 120)
        spec["nda_required"] = topic["nda"]
        story_steps = _Story(self, spec, topic_key, product, area)
        spec["steps"] = story_steps.write(story, start)
        return spec

    def _subject(self, company: str, topics: list[str], products: list[str]) -> tuple[str, str, str]:
        """A topic, a product and a disease area whose title this company has not used yet."""
        for _attempt in range(60):
            topic = self.rng.choice(topics)
            product = self.rng.choice(products)
            areas = TOPICS[topic]["areas"]
            area = self.rng.choice(areas) if areas else ""
            language = COMPANY_PLANS[company][0]
            title = TOPICS[topic][language][0].format(
                product=product, disease=DISEASES[area][language == "fr"] if area else ""
            )
            if (company, title) not in self.titles:
                return topic, product, area
        raise ValueError(f"The demo history ran out of titles for {company!r}: add products or topics.")

    def pace(self, entity: str) -> int:
        base = ENTITY_PACE[entity]
        return max(0, round(self.rng.gauss(base, base * 0.45)))

    def lead_body(self, entity: str) -> str:
        return next(body for body, roles in self.entities[entity]["bodies"] if "lead" in roles.split())

    def co_owner_bodies(self, entity: str) -> list[str]:
        return [body for body, roles in self.entities[entity]["bodies"] if "lead" not in roles.split()]

    def signs_on_portal(self, company: str, entity: str, kind: str) -> bool:
        """The company has a signatory, every body that signs has legal staff, and no demo test counts on the
        company having only its story's contract of that kind."""
        staffed = {spec["short_name"] for spec in BODIES if spec["legal_staff"]}
        spec = self.companies[company]
        has_signatory = any(member[4] for member in spec["members"])
        bodies = {self.lead_body(entity), *self.co_owner_bodies(entity)}
        # French companies only: their contracts are in French alone, whose PDFs take half the time of bilingual ones
        french = spec["country"] == "FR"
        return french and has_signatory and bodies <= staffed and (company, kind) not in NO_PORTAL


class _Story:
    """The steps of one enquiry, added in time order; ``days`` is how many working days they take so far."""

    def __init__(self, writer: _Writer, spec: dict[str, Any], topic: str, product: str, area: str):
        self.writer, self.rng, self.spec = writer, writer.rng, spec
        self.topic, self.info, self.product = topic, TOPICS[topic], product
        disease = DISEASES[area][1] if area else ""
        first = self.info.get("by_area", {}).get(area)  # the entity that fits the disease, when it matters
        self.entities = [e for e in self.info["entities"] if e == first] + [
            e for e in self.info["entities"] if e != first
        ]
        self.french = [text.format(product=product, disease=disease) for text in self.info["fr"]]
        self.language = spec["language"]
        self.steps: list[tuple] = []
        self.late = False
        self.rounds = 0

    def add(self, gap: int, *step) -> None:
        self.steps.append((gap, *step))

    @property
    def days(self) -> int:
        return sum(step[0] for step in self.steps)

    def text(self, key: str) -> str:
        return self.rng.choice(TEXTS[key][self.language])

    def write(self, story: str, start: int) -> list[tuple]:
        if story == "anchor":
            self._anchor()
        elif story.startswith("open"):
            self._open(story)
        elif story == "aphp":
            self._intake(ask=False)
            entity = self._routing()
            self.add(self.rng.randint(1, 4), "contract")
            self._agreement("nda-1", entity, "nda")
            self._agreement("service-1", entity, "service")
        else:
            self._any(start)
        return self.steps

    # ---- the stories ----------------------------------------------------------------------------------------
    def _anchor(self) -> None:
        """A quick closure whose survey is answered about ten working days after the enquiry was written."""
        self._quick_closure()
        self._survey(SurveyEvent.ENQUIRY_CLOSED, answered=True, gap=max(1, 10 - self.days))

    def _quick_closure(self) -> None:
        """Closed within days: out of scope, withdrawn after a question, nobody able, or a no-go after a call."""
        self._intake(ask=False)
        variants = ["decline", "withdraw", "refused", "no_go"]
        variant = "decline" if self.topic == "supplies" else self.rng.choices(variants, weights=[15, 35, 15, 35])[0]
        entity = next((e for e in self.entities if ENTITY_PACE[e] < 6), self.entities[0])  # quick
        if variant == "decline":
            self.add(self.rng.randint(0, 1), "decline", self.text("decline"))
        elif variant == "withdraw":
            self.add(self.rng.randint(0, 1), "ask", self.text("ask"))
            self.add(self.rng.randint(2, 3), "withdraw", self.text("withdraw"))
        elif variant == "refused":
            self.add(0, "route", {entity: self._reason()})
            self.add(min(self.writer.pace(entity), 3), "refuse", entity, self.text("refuse"))
            self.add(1, "decline", self.text("decline"))
        else:
            self.add(0, "route", {entity: self._reason()})
            self.add(min(self.writer.pace(entity), 2), "accept", entity, self.text("accept"))
            self.add(self.rng.randint(1, 2), "no_go", self.text("no_go"))

    def _open(self, story: str) -> None:
        self.add(0, "submit")
        if story == "open_unanswered":
            return
        self.add(self.rng.randint(1, 3), "triage")
        if story == "open_triage":
            return
        if story == "open_awaiting":
            self.add(1, "ask", self.text("ask"))
            return
        entity = "genomics" if story == "open_routed_slow" else self.entities[0]
        self.add(self.rng.randint(0, 2), "route", {entity: self._reason()})
        if story in ("open_accepted", "open_contract"):
            self.add(self.writer.pace(entity), "accept", entity, self.text("accept"))
        kind = self.info["contract"]
        if story == "open_contract" and self.writer.signs_on_portal(self.spec["company"], entity, kind):
            self.add(self.rng.randint(1, 4), "contract")
            self._agreement(f"{kind}-1", entity, kind)  # today finds it before its signatures

    def _any(self, start: int) -> None:
        """The next outcome of the writer's bag whose story ends before today; one that does not is left open while
        the open budget lasts; otherwise a quick closure."""
        room = max(0, (start - QUIET_DAYS - 3) * 5 // 7)  # working days before today, about
        bag = ["declined"] if self.topic == "supplies" else self.writer.outcomes()
        budgets = (dict(self.writer.portal), self.writer.cancellable)
        for index, outcome in enumerate(bag[:8]):
            self.steps, self.late, self.rounds, self.spec["terms"] = [], False, 0, {}
            self._outcome(outcome)
            fits = self.days <= room
            if fits or (self.writer.open > 0 and outcome == "signed" and start >= 45):
                self.writer.open -= not fits  # left where today finds it
                if self.topic != "supplies":
                    bag.pop(index)
                return
            self.writer.portal, self.writer.cancellable = budgets  # a story not told spends nothing
        self.steps, self.late, self.rounds, self.spec["terms"] = [], False, 0, {}
        self._quick_closure()
        self._survey(SurveyEvent.ENQUIRY_CLOSED)

    def _outcome(self, outcome: str) -> None:
        self._intake(ask=self.rng.random() < 0.2)
        if outcome == "declined":
            self.add(self.rng.randint(0, 2), "decline", self.text("decline"))
            self._survey(SurveyEvent.ENQUIRY_CLOSED)
            return
        if outcome == "refused":  # every entity asked says no, then OPALE declines
            entities = self.entities[:2]
            self.add(self.rng.randint(0, 2), "route", {entities[0]: self._reason()})
            self.add(self.writer.pace(entities[0]), "refuse", entities[0], self.text("refuse"))
            if len(entities) > 1 and self.rng.random() < 0.6:
                self.add(self.rng.randint(1, 3), "route", {entities[1]: self._reason()})
                self.add(self.writer.pace(entities[1]), "refuse", entities[1], self.text("refuse"))
            self.add(self.rng.randint(1, 3), "decline", self.text("decline"))
            self._survey(SurveyEvent.ENQUIRY_CLOSED)
            return
        if outcome == "withdrawn" and self.rng.random() < 0.35:
            self.add(self.rng.randint(1, 6), "withdraw", self.text("withdraw"))
            self._survey(SurveyEvent.ENQUIRY_CLOSED)
            return
        entity = self._routing()
        if outcome == "signed":
            self._contracting(entity)
        else:
            self._closing(entity, outcome)

    def _closing(self, entity: str, outcome: str) -> None:
        """A no-go or a withdrawal after the entity said yes, sometimes with a contract under way."""
        action = {"no_go": "no_go", "withdrawn": "withdraw"}[outcome]
        contract = self._portal_kind(entity, cancelled=True) if self.rng.random() < 0.8 else None
        if contract is not None:
            self.add(self.rng.randint(1, 4), "contract")
            label = f"{contract}-1"
            self._agreement(label, entity, contract, until="negotiation")
            self.add(self.rng.randint(3, 10), "agreement", label, "cancel", self.text("cancel"))
            self.add(0, action, self.text(action))
        else:
            self.add(self.rng.randint(3, 15), action, self.text(action))
        self._survey(SurveyEvent.ENQUIRY_CLOSED)

    # ---- the phases -----------------------------------------------------------------------------------------
    def _intake(self, *, ask: bool) -> None:
        self.add(self.rng.choice([0, 0, 1]), "submit")
        self.writer.intakes += 1
        self.late = self.writer.intakes % LATE_EVERY == 3  # a quota, not a draw: the share stays the one intended
        gap = self.rng.randint(6, 12) if self.late else self.rng.choices(range(6), weights=[8, 30, 25, 17, 12, 8])[0]
        self.add(gap, "triage")
        if ask:  # awaiting the company, then back in triage (a reopened stage)
            self.add(self.rng.randint(0, 2), "ask", self.text("ask"))
            self.add(self.rng.randint(2, 9), "answer", self.text("answer"))

    def _routing(self) -> str:
        """Routed (sometimes to two entities at once, sometimes elsewhere after a "no"); returns who accepted."""
        entities = self.entities
        first = entities[0] if self.rng.random() < 0.75 else self.rng.choice(entities)
        others = [e for e in entities if e != first]
        self.add(self.rng.choice([0, 1, 1, 2, 3]), "route", {first: self._reason()})
        if others and self.rng.random() < 0.16:  # declined, routed elsewhere
            self.add(self.writer.pace(first), "refuse", first, self.text("refuse"))
            first = others[0]
            self.add(self.rng.randint(1, 3), "route", {first: self._reason()})
        elif others and self.rng.random() < 0.1:  # two at once: one declines, the other takes it
            self.add(self.rng.randint(0, 1), "route", {others[0]: self._reason()})
            self.add(self.writer.pace(others[0]), "refuse", others[0], self.text("refuse"))
        self.add(self.writer.pace(first), "accept", first, self.text("accept"))
        return first

    def _contracting(self, entity: str) -> None:
        contract = self.info["contract"]
        self.add(self.rng.randint(1, 5), "contract")
        nda = self.info["nda"] and self._portal_kind(entity, kind="nda")
        if nda:
            self._agreement("nda-1", entity, "nda")
        kind = self._portal_kind(entity, kind=contract) if contract else None
        if kind:
            self._agreement(f"{kind}-1", entity, kind)
        else:  # negotiated on the body's own paper: its legal staff record the signature
            self.add(self.rng.randint(25, 80), "sign")

    def _portal_kind(self, entity: str, *, kind: str | None = None, cancelled: bool = False) -> str | None:
        """Whether this contract goes on the portal (within the budgets), and of which kind."""
        kind = kind or self.info["contract"]
        if not kind or not self.writer.signs_on_portal(self.spec["company"], entity, kind):
            return None
        if cancelled:
            if self.writer.cancellable <= 0 or kind == "nda":
                return None
            self.writer.cancellable -= 1
            return kind
        budget = "nda" if kind == "nda" else "agreement"
        if self.writer.portal[budget] <= 0 or self.rng.random() > 0.75:
            return None
        self.writer.portal[budget] -= 1
        return kind

    def _agreement(self, label: str, entity: str, kind: str, *, until: str = "force") -> None:
        """A contract through the engine: drafted, reviewed by the company (rounds), agreed, printed, signed.
        Each step's gap is in working days; the lead body's legal staff take ``BODY_PACE`` times longer, and
        the whole lasts ``CONTRACT_DAYS`` (a slow body's upper bound stretched as much)."""
        rng = self.rng
        pace = BODY_PACE.get(self.writer.lead_body(entity), 1.0)
        nda = kind == "nda"
        block: list[tuple] = []

        def legal(low: int, high: int) -> int:
            return math.ceil(rng.randint(low, high) * pace)

        def step(gap: int, verb: str, *args) -> None:
            block.append((gap, "agreement", label, verb, *args))

        self.spec["terms"][label] = _terms(kind, self, entity)
        who = "company" if nda and rng.random() < 0.6 else "legal"
        step(rng.randint(1, 3), "request", entity, kind, "fr", who)  # a French company's contract: in French
        step(legal(1, 2) if nda else legal(0, 2), "start_drafting")
        step(legal(1, 3) if nda else legal(3, 9), "terms", 0)
        if not nda:
            step(0, "internal_review")
            if rng.random() < 0.2:
                step(legal(2, 6), "return", self.text("return"))
                step(legal(1, 4), "terms", 0)
                step(0, "internal_review")
        step(legal(1, 4) if nda else legal(2, 7), "send")
        rounds = rng.choices([0, 1, 2, 3], weights=[45, 40, 15, 0] if nda else [25, 40, 25, 10])[0]
        self.rounds += rounds
        for _round in range(rounds):
            step(rng.randint(2, 6) if nda else rng.randint(3, 12), "changes", self.text("changes"))
            step(legal(1, 4) if nda else legal(2, 8), "terms", 0)
            step(0, "send")
        if until == "negotiation":
            self.steps += block
            return
        step(rng.randint(2, 5) if nda else rng.randint(2, 8), "agree")
        step(0, "draft")  # the agreed text, printed to be signed
        if not nda:
            step(legal(1, 3), "open_signature")
        step(rng.randint(1, 3) if nda else rng.randint(2, 7), "sign", "company")
        step(legal(1, 4) if nda else legal(2, 8), "sign", "lead")
        if self.writer.co_owner_bodies(entity):
            step(rng.randint(1, 3) if nda else rng.randint(2, 6), "sign", "co_owners")
        block = _within(block, *CONTRACT_DAYS["nda" if nda else "agreement"], stretch=pace)
        # every time the terms are entered, the effective date is the day of the last signature
        for index, (gap, action, *args) in enumerate(block):
            if args[1] == "terms":
                block[index] = (gap, action, label, "terms", sum(later[0] for later in block[index + 1 :]))
        self.steps += block
        self._survey(SurveyEvent.NDA_IN_FORCE if nda else SurveyEvent.AGREEMENT_SIGNED, label=label)

    def _survey(self, event: str, *, label: str | None = None, answered: bool | None = None, gap: int = 0) -> None:
        """The invitation at the event; the answer (most of the time) a few working days later."""
        rng = self.rng
        self.add(0, "survey", str(event), label)
        if answered is None:
            answered = rng.random() < 0.7
        if not answered:
            return
        # mostly 7 to 10; lower after a "no" from OPALE, a late first answer or many rounds on a contract
        if event == SurveyEvent.ENQUIRY_CLOSED:
            closed = next(step[1] for step in reversed(self.steps) if step[1] in ("decline", "no_go", "withdraw"))
            base = {"withdraw": 8.2, "no_go": 7.8, "decline": 7.2}[closed]
        else:
            base = 8.7 if event == SurveyEvent.NDA_IN_FORCE else 8.9
        base -= 1.6 if self.late else 0
        base -= 0.5 * max(0, self.rounds - 1)
        recommendation = rng.randint(1, 4) if rng.random() < 0.06 else round(rng.gauss(base, 1.1))
        recommendation = min(10, max(0, recommendation))

        def rating(shift: float) -> int:
            return min(5, max(1, round(recommendation / 2 + shift + rng.gauss(0, 0.6))))

        comment = ""
        if rng.random() < 0.45:
            comment = self.text("good" if recommendation >= 7 else "bad")
        self.add(
            gap or rng.randint(1, 10),
            "rate",
            recommendation,
            rating(-1.0 if self.late else 0.0),
            rating(-0.3 * self.rounds),
            rating(0.5),
            comment,
        )

    def _reason(self) -> str:
        return ROUTE_REASON[self.language].format(product=self.product)


def _within(block: list[tuple], low: int, high: int, *, stretch: float) -> list[tuple]:
    """The contract's steps lasting ``low`` to ``high`` working days from its request (``high`` stretched for a
    slow body): the first send waits longer for a quick one, every gap shrinks for a long one. The gaps skip
    weekends only; counted without public holidays too, as the dashboard counts, up to five days go (in May):
    ``low`` keeps them in hand."""
    request, rest = block[0], block[1:]
    total, high, low = sum(step[0] for step in rest), math.ceil(high * stretch), low + 5
    if total > high:
        rest = [(gap * high // total, *step) for gap, *step in rest]
    total = sum(step[0] for step in rest)
    if total < low:
        send = next(index for index, step in enumerate(rest) if step[3] == "send")
        rest[send] = (rest[send][0] + low - total, *rest[send][1:])
    return [request, *rest]


def _terms(kind: str, story: _Story, entity: str) -> dict[str, Any]:
    """The terms the drafter types, in French (the contract's language), after one of the demo's own contracts of
    the kind; the effective date is the day of the last signature (``HistoryContract._terms``)."""
    _title, summary, objectives = story.french
    common = {"effective_date": "@signature"}
    if kind == "nda":
        return {**TERMS["hemavia-pdx-nda"], **common, "purpose": summary}
    if kind == "service":
        return {
            **TERMS["myelis-flt3-screening-service"],
            **common,
            "statement_of_work": f"{summary}\n{objectives}",
            "deliverables": "Données brutes et rapport d'étude à la fin des travaux.",
            "acceptance_procedure": "L'entreprise vérifie que chaque prestation prévue a été réalisée et documentée.",
            "duration_months": 12,
        }
    if kind == "research_collaboration":
        co_owners = len(story.writer.co_owner_bodies(entity))
        return {
            **TERMS["hematica-atlas-collaboration"],
            **common,
            "work_plan": objectives,
            "deliverables": "Un rapport intermédiaire à 12 mois, le rapport final et une publication commune.",
            "steering_committee": "Deux membres par partie ; se réunit chaque trimestre.",
            "background": {
                "company": "Le produit de l'entreprise et ses données précliniques.",
                "lead": "Les méthodes et les collections de l'unité.",
                "co_owner": "Aucune.",
            },
            "exploitation_field": "Le domaine du produit de l'entreprise.",
            "financial_return": "Une redevance sur les ventes, à négocier de bonne foi.",
            "share": {"company": "50", "lead": str(50 - 10 * co_owners), "co_owner": "10"},
        }
    if kind == "consultancy":
        return {
            **TERMS["sanagen-cll-sequencing-advice"],
            **common,
            "consultants": "Dr Claire Vernet, hématologue\nPr Yves Marchand, hématologue\nDr Sonia Haddou, biologiste",
            "hospital_clinician": "False",
            "subject": summary,
            "deliverable": objectives,
            "fee_payment": "Moitié à la signature, le solde à la remise de l'avis écrit.",
            "duration_months": 12,
        }
    raise ValueError(f"No history terms for contracts of kind {kind!r}.")


# ========================================================================================================
# Cutting a plan where today finds it
# ========================================================================================================
def _fit(plan: dict[str, Any], today: dt.date) -> dict[str, Any] | None:
    """The plan with the steps that have happened by ``QUIET_DAYS`` before ``today``; None if it has not begun."""
    last_day = today - dt.timedelta(days=QUIET_DAYS)
    steps = plan["steps"]

    def in_time(count: int) -> bool:
        try:
            moments = timeline({**plan, "steps": steps[:count]}, today)
        except ValueError:  # runs into today
            return False
        return timezone.localtime(moments[-1]).date() <= last_day

    if not in_time(0):
        return None
    low, high = 0, len(steps)
    while low < high:  # moments only move forward: the longest prefix that is in time
        middle = (low + high + 1) // 2
        if in_time(middle):
            low = middle
        else:
            high = middle - 1
    return {**plan, "steps": _tidy(steps[:low], steps)}


def _tidy(kept: list[tuple], planned: list[tuple]) -> list[tuple]:
    """An agreement cut in the middle of its signatures waits for all of them (its enquiry is signed only when it
    comes into force, with or without the contracts loaded); a contract cut while the company reviews it has the
    PDF it reviews."""
    signs = _verbs(planned, "sign")
    kept_signs = _verbs(kept, "sign")
    partial = {
        label
        for label, count in kept_signs.items()
        if count < signs[label] and not label.startswith("nda")  # an NDA may wait for the academic signatures
    }
    kept = [step for step in kept if not (step[1] == "agreement" and step[2] in partial and step[3] == "sign")]
    last_verb: dict[str, str] = {}
    for _gap, action, *args in kept:
        if action == "agreement":
            last_verb[args[0]] = args[1]
    for label, verb in last_verb.items():
        if verb == "send":
            kept.append((0, "agreement", label, "draft"))
    return kept


def _verbs(steps: list[tuple], verb: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _gap, action, *args in steps:
        if action == "agreement" and args[1] == verb:
            counts[args[0]] = counts.get(args[0], 0) + 1
    return counts


# ========================================================================================================
# Replaying: the enquiry replay of demo_data, with history contracts and satisfaction surveys
# ========================================================================================================
class HistoryContract(ContractReplay):
    """A history contract: its terms come with its enquiry's spec; it may be cancelled with its enquiry."""

    VERBS = ContractReplay.VERBS | {"cancel"}

    def __init__(self, label: str, *, terms: dict[str, Any], **cast):
        super().__init__(label, **cast)
        self.terms = terms

    def _terms(self, enquiry, at, workdays: int = 0):
        """``@signature``: the effective date is the day of the last signature, ``workdays`` ahead (an NDA is not
        retroactive when it goes to the company; an agreement starts when signed)."""
        entered = timezone.localtime(at).date()
        terms = dict(self.terms)
        if terms.get("effective_date") == "@signature":
            terms["effective_date"] = _add_working_days(entered, workdays).isoformat()
        data = self._form_input(terms, entered)
        self.agreement = contract_services.agreement_save_terms(
            agreement=self.agreement, actor=self.legal, data=data, at=at
        )

    def _cancel(self, enquiry, at, reason):
        self._step(contract_workflow.agreement_cancel, self.legal, at, reason=reason)


class HistoryReplay(_EnquiryReplay):
    """``demo_data``'s replay, plus ``survey <event> <contract label or None>`` (the invitation, at the event) and
    ``rate <recommendation> <responsiveness> <clarity> <expertise fit> <comment>`` (its answer)."""

    STEPS = _EnquiryReplay.STEPS | {"survey", "rate"}

    def __init__(self, spec, cast, created, *, contracts: bool = True):
        super().__init__(spec, cast, created, contracts=contracts)
        self.invitation: SurveyInvitation | None = None

    def _new_contract(self, label: str) -> ContractReplay:
        return HistoryContract(label, terms=self.spec["terms"][label], **self._contract_cast())

    def _survey(self, at, event, label):
        """Asked as the workflow asks once the change commits (the loader silences it), dated at the event."""
        self.invitation = None
        contract_id = None
        if label is not None:
            replay = self.contracts.get(label)
            if replay is None or replay.agreement is None:  # the contracts are not loaded
                return
            contract_id = replay.agreement.pk
        made = surveys_for_event(event=event, enquiry=self.enquiry, contract_id=contract_id)
        if not made:
            return
        SurveyInvitation.objects.filter(pk=made[0].pk).update(
            created_at=at,
            expires_at=at.astimezone(dt.UTC) + dt.timedelta(days=VALID_DAYS),  # as the service: 60 x 24 h
        )
        self.invitation = made[0]
        self.created["survey invitations"] += 1

    def _rate(self, at, recommendation, responsiveness, clarity, expertise_fit, comment):
        """The answer as ``quality.services.survey_answer`` records it, on a past day (the link's token is not kept)."""
        if self.invitation is None:
            return
        answer = SurveyAnswer(
            invitation=self.invitation,
            recommendation=recommendation,
            responsiveness=responsiveness,
            clarity=clarity,
            expertise_fit=expertise_fit,
            comment=comment,
            answered_at=at,
        )
        answer.full_clean()
        answer.save()
        SurveyInvitation.objects.filter(pk=self.invitation.pk).update(answered_at=at)
        self.invitation = None
        self.created["survey answers"] += 1
