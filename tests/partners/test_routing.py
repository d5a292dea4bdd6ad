"""Routing suggestions: the entity an expert would pick comes in the top three, with reasons a person can check.

The table of enquiries below was written from the demo entities' profiles, the way a member of the central team
would triage them, before the engine was tuned: each case names the entity that expert would route to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from partners import demo_data, workflow
from partners.choices import LicenceSubject, PartnershipKind, RoutingStatus
from partners.models import Capability, DiseaseArea, Entity, Routing
from partners.routing import suggest_entities

from ..factories import (
    EnquiryFactory,
    EntityFactory,
    GovernanceFactory,
    GoverningBodyFactory,
    RoutingRuleFactory,
    submitted_enquiry,
)

K = PartnershipKind
NAMES = {spec["key"]: spec["name"] for spec in demo_data.ENTITIES}


@dataclass
class Case:
    expert_pick: str  # demo entity key
    kind: str
    title: str
    summary: str
    objectives: str = ""
    areas: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    language: str = "en"
    licence_subject: str = ""
    scientific_project: str = ""

    def __str__(self) -> str:
        return f"{self.expert_pick}: {self.title}"


CASES = [
    Case(
        "pdx",
        K.PLATFORM_USE,
        "In vivo efficacy of a CD33xCD3 bispecific T-cell engager in AML",
        "Our bispecific antibody is entering IND-enabling studies. We need in vivo efficacy data in "
        "patient-derived models of acute myeloid leukemia with different molecular backgrounds, with and "
        "without human T cells, and tumour burden follow-up in blood and bone marrow.",
        "Efficacy in at least five models; dose finding; a GLP-like study report.",
        areas=["aml"],
        capabilities=["preclinical_models"],
    ),
    Case(
        "biobank",
        K.LICENCE,
        "Accès à des échantillons de plasma et d'ADN de patients atteints de LLC",
        "Nous développons un panel de biomarqueurs sanguins pour suivre la réponse aux traitements de la "
        "leucémie lymphoïde chronique. Nous cherchons 300 échantillons de plasma et d'ADN avec annotations "
        "cliniques (stade, traitement, réponse) pour une étude de validation analytique.",
        "Valider la sensibilité et la spécificité du panel sur des échantillons annotés.",
        areas=["cll"],
        capabilities=["biological_samples"],
        language="fr",
        licence_subject=LicenceSubject.SAMPLES,
        scientific_project="Validation analytique d'un panel de biomarqueurs plasmatiques dans la LLC.",
    ),
    Case(
        "cohort",
        K.LICENCE,
        "Real-world outcomes after venetoclax plus azacitidine in unfit AML patients",
        "We want to describe treatment patterns and overall survival of adults with AML who are unfit for "
        "intensive chemotherapy and receive venetoclax with a hypomethylating agent in routine practice in "
        "France, as an external comparator for our single-arm trial.",
        "A pseudonymised data extract with treatment lines, molecular profile and survival; a feasibility count first.",
        areas=["aml"],
        capabilities=["real_world_data"],
        licence_subject=LicenceSubject.DATA,
    ),
    Case(
        "gfm",
        K.CONSULTANCY,
        "Advisory board on endpoints for a phase II trial in lower-risk MDS",
        "We are designing a randomised phase II study of an oral drug for transfusion-dependent anaemia in "
        "lower-risk myelodysplastic syndromes and would like expert clinicians to challenge our choice of "
        "primary endpoint and patient population.",
        "Two advisory meetings and written recommendations.",
        areas=["mds"],
        capabilities=["clinical_trials"],
    ),
    Case(
        "cart",
        K.PLATFORM_USE,
        "Production GMP de lots de CAR-T anti-CD19 pour un essai de phase I",
        "Start-up française, nous avons un vecteur lentiviral anti-CD19 de nouvelle génération. Nous "
        "cherchons un site autorisé pour produire les lots cliniques de notre premier essai chez l'adulte "
        "en rechute, y compris les contrôles de libération.",
        "Transfert de procédé, trois lots d'engineering puis lots cliniques.",
        areas=["all", "lymphoma"],
        capabilities=["cart_bioproduction"],
        language="fr",
    ),
    Case(
        "screen",
        K.PLATFORM_USE,
        "High-throughput screen of a kinase inhibitor library on leukemia cells",
        "We own a focused library of 20,000 kinase inhibitors and want to screen it on a panel of leukemia "
        "cell lines and primary blasts to find hits with selective activity, followed by dose-response "
        "curves for the best compounds.",
        "Primary screen in 384-well format, hit confirmation and IC50 determination.",
        areas=["aml", "all"],
        capabilities=["screening_small_molecules"],
    ),
    Case(
        "hema",
        K.BILATERAL_RD,
        "Vulnerabilities of JAK2 V617F stem cells in myelofibrosis",
        "We look for an academic partner to run a genome-wide CRISPR screen in primary haematopoietic stem "
        "cells carrying JAK2 or CALR mutations, to identify targets that would eliminate the malignant clone "
        "rather than control symptoms.",
        "Two validated targets with in vivo proof of concept in mouse models.",
        areas=["mpn"],
        capabilities=["target_discovery"],
    ),
    Case(
        "lsc",
        K.JOINT_LAB,
        "Thèse CIFRE : résistance aux inhibiteurs d'IDH dans les leucémies aiguës myéloïdes",
        "Notre société souhaite financer une thèse CIFRE sur les mécanismes de résistance aux inhibiteurs "
        "d'IDH1 et d'IDH2, en étudiant les cellules souches leucémiques qui persistent sous traitement.",
        "Identifier des combinaisons capables de prévenir la rechute.",
        areas=["aml"],
        capabilities=["target_discovery"],
        language="fr",
    ),
    Case(
        "genomics",
        K.LICENCE,
        "Licence of a prognostic gene signature for a companion diagnostic kit",
        "We are an in-vitro diagnostics company and would like to license a patented prognostic gene "
        "expression signature in myelodysplastic syndromes, to develop a CE-IVD sequencing kit for risk "
        "stratification.",
        "An exclusive licence in the diagnostic field, with access to the validation data.",
        areas=["mds"],
        capabilities=["biomarkers"],
        licence_subject=LicenceSubject.PATENT,
    ),
    Case(
        "immuno",
        K.BILATERAL_RD,
        "T-cell exhaustion in CLL patients treated with a bispecific antibody",
        "Responses to our CD20xCD3 bispecific antibody vary between patients with chronic lymphocytic "
        "leukemia. We want to understand whether T-cell exhaustion and immune escape explain resistance, "
        "using high-dimensional cytometry on patient samples.",
        "A signature of response and a rational combination strategy.",
        areas=["cll", "lymphoma"],
        capabilities=["biomarkers"],
    ),
    Case(
        "canther",
        K.PLATFORM_USE,
        "Repositionnement de médicaments dans le myélome multiple résistant",
        "PME lilloise, nous disposons d'une collection de médicaments déjà approuvés et souhaitons tester des "
        "combinaisons sur des cellules primaires de myélome en rechute, dans un modèle de niche médullaire en "
        "3D, pour identifier des synergies.",
        "Trois combinaisons candidates pour un essai de repositionnement.",
        areas=["myeloma"],
        capabilities=["screening_small_molecules"],
        language="fr",
    ),
    Case(
        "filo",
        K.CONSULTANCY,
        "Design of a fixed-duration BTK and BCL-2 inhibitor trial in CLL",
        "We are preparing a phase III trial comparing a fixed-duration combination of our next-generation "
        "BTK inhibitor with venetoclax against continuous therapy in previously untreated CLL, and seek advice "
        "on MRD-guided stopping rules and treatment sequencing.",
        "Recommendations on design, endpoints and the MRD strategy.",
        areas=["cll"],
        capabilities=["clinical_trials"],
    ),
    Case(
        "sfce",
        K.COLLABORATIVE_CALL,
        "Appel européen : CAR-T chez l'enfant en rechute de LAL",
        "Nous préparons une réponse à un appel européen sur les thérapies innovantes chez l'enfant et "
        "l'adolescent. Le projet porte sur un essai précoce de CAR-T de deuxième génération dans la leucémie "
        "aiguë lymphoblastique pédiatrique en rechute, avec un plan d'investigation pédiatrique.",
        "Constituer le consortium clinique et déposer avant la date limite.",
        areas=["paediatric", "all"],
        capabilities=["clinical_trials"],
        language="fr",
    ),
    Case(
        "graall",
        K.BILATERAL_RD,
        "Clinical validation of a digital PCR assay for BCR-ABL1 MRD in Ph-positive ALL",
        "Our digital PCR assay quantifies BCR-ABL1 transcripts with high sensitivity. We want to validate it "
        "against the reference method on samples from adults with Philadelphia-positive acute lymphoblastic "
        "leukemia treated in national trials.",
        "Concordance study on follow-up samples and a joint publication.",
        areas=["all"],
        capabilities=["biomarkers", "clinical_trials"],
    ),
    Case(
        "alfa",
        K.PLATFORM_USE,
        "Running a multicentre phase Ib study in relapsed AML in France",
        "We sponsor a phase Ib dose-expansion study of our CD47 antibody in relapsed or refractory acute "
        "myeloid leukemia and look for experienced French investigator sites and central molecular testing "
        "of NPM1 and FLT3.",
        "Open eight sites and recruit 40 patients in 18 months.",
        areas=["aml"],
        capabilities=["clinical_trials"],
    ),
    Case(
        "cohort",
        K.LICENCE,
        "Extraction de données de vie réelle sur les LAL de l'adulte",
        "Cabinet d'études médico-économiques, nous souhaitons estimer le coût de prise en charge des adultes "
        "atteints de leucémie aiguë lymphoblastique en France, à partir de données de vie réelle sur les "
        "lignes de traitement et les hospitalisations.",
        "Un extrait de données pseudonymisées et une étude médico-économique.",
        areas=["all"],
        capabilities=["real_world_data"],
        language="fr",
        licence_subject=LicenceSubject.DATA,
    ),
    Case(
        "cohort",
        K.COLLABORATIVE_CALL,
        "Horizon Europe: AI to predict relapse of acute leukemia from routine data",
        "We are a digital health company building machine-learning models on routine care data. We want "
        "academic partners with a large real-world database of acute leukemia patients for a Horizon Europe "
        "consortium on relapse prediction.",
        "Train and externally validate a relapse-risk model.",
        areas=["aml", "all"],
        capabilities=["real_world_data"],
    ),
    Case(
        "canther",
        K.BILATERAL_RD,
        "Overcoming tyrosine kinase inhibitor resistance in CML through metabolic targeting",
        "Our small molecules target mitochondrial metabolism. We would like to test whether they resensitise "
        "chronic myeloid leukemia cells that have become resistant to imatinib through metabolic adaptation, "
        "on primary samples and in relevant models.",
        "Proof of concept of the combination and a mechanistic understanding of the adaptation.",
        areas=["cml"],
        capabilities=["screening_small_molecules"],
    ),
    Case(
        "cart",
        K.PLATFORM_USE,
        "Comparability study after moving CAR-T manufacturing to a closed automated system",
        "We make cell-processing instruments. A customer wants to move its CAR-T process to our closed "
        "automated system and needs a comparability study of apheresis starting material and final product "
        "run by an experienced GMP facility.",
        "Side-by-side runs and a comparability report acceptable to regulators.",
        areas=["lymphoma"],
        capabilities=["cart_bioproduction"],
    ),
    Case(
        "biobank",
        K.LICENCE,
        "Viable bone-marrow cells from AML patients at relapse",
        "Our ex vivo drug sensitivity platform predicts response from a patient's own cells. To train it we "
        "need cryopreserved viable mononuclear cells from relapsed AML patients with clinical annotations.",
        "Fifty annotated viable samples for the training set.",
        areas=["aml"],
        capabilities=["biological_samples"],
        licence_subject=LicenceSubject.SAMPLES,
        scientific_project="Training an ex vivo drug-sensitivity predictor on relapsed AML cells.",
    ),
    Case(
        "genomics",
        K.BILATERAL_RD,
        "Évolution clonale et méthylation de l'ADN sous azacitidine dans les SMD",
        "Nous voulons comprendre pourquoi certains patients atteints de syndromes myélodysplasiques perdent "
        "leur réponse à l'azacitidine, en suivant l'évolution clonale par séquençage ciblé et le profil de "
        "méthylation de l'ADN au cours du traitement.",
        "Un biomarqueur prédictif de perte de réponse.",
        areas=["mds"],
        capabilities=["biomarkers"],
        language="fr",
    ),
    Case(
        "sfce",
        K.CONSULTANCY,
        "Paediatric investigation plan for a FLT3 inhibitor",
        "The European Medicines Agency asks us for a paediatric investigation plan for our FLT3 inhibitor "
        "approved in adults. We need paediatric haematologists to advise on the design of a study in "
        "children with relapsed AML.",
        "A PIP proposal supported by the French paediatric centres.",
        areas=["paediatric", "aml"],
        capabilities=["clinical_trials"],
    ),
    Case(
        "lsc",
        K.CONSULTANCY,
        "Expertise on resistance mechanisms to menin inhibitors",
        "Several patients on our menin inhibitor relapse after an initial response. We would like an expert "
        "opinion on the likely resistance mechanisms in leukemia stem cells and on the functional assays to "
        "test them.",
        "A half-day workshop and a written opinion.",
        areas=["aml"],
        capabilities=["target_discovery"],
    ),
    Case(
        "immuno",
        K.JOINT_LAB,
        "Chaire industrielle sur les cellules CAR-NK dans les lymphomes",
        "Notre groupe souhaite cofinancer une chaire industrielle de quatre ans sur les cellules CAR-NK "
        "allogéniques dans les lymphomes B, de la conception des constructions aux modèles murins humanisés.",
        "Une chaire de 48 mois, deux doctorants et un post-doctorant.",
        areas=["lymphoma"],
        capabilities=["screening_cell_therapies"],
        language="fr",
    ),
    # Harder: what companies really send, with capabilities left blank, a vague kind, or a kind the right
    # entity does not list.
    Case(
        "pdx",
        K.PLATFORM_USE,
        "In vivo testing of a FLT3 degrader",
        "We have a FLT3 degrader with nanomolar activity on MV4-11 cells and need to test it in mice "
        "engrafted with patient cells carrying FLT3-ITD, including models resistant to gilteritinib.",
        areas=["aml"],
    ),
    Case(
        "gfm",
        K.OTHER,
        "Training our medical science liaisons on MDS",
        "We launch a new drug in lower-risk MDS next year and would like clinicians from a French expert group "
        "to train our medical team on the treatment landscape and on how patients are followed in practice.",
        areas=["mds"],
    ),
    Case(
        "graall",
        K.CONSULTANCY,
        "Stratégie de développement d'un anticorps bispécifique dans les LAL B de l'adulte",
        "Nous développons un anticorps bispécifique CD22xCD3 et souhaitons l'avis de cliniciens français sur "
        "sa place chez l'adulte atteint de LAL B en rechute, avant ou après les CAR-T, et sur le suivi de la "
        "maladie résiduelle.",
    ),
    Case(
        "lsc",
        K.BILATERAL_RD,
        "Single-cell view of venetoclax resistance in AML",
        "Many AML patients relapse on venetoclax. We would like to co-develop, with an academic lab that "
        "works on primary patient cells, a single-cell map of the leukemic stem cells that survive and a "
        "biomarker to select patients for our BCL-2/MCL-1 combination.",
        areas=["aml"],
        capabilities=["biomarkers"],
    ),
    Case(
        "hema",
        K.COLLABORATIVE_CALL,
        "ANR PRCE: antibodies against mutant calreticulin in myeloproliferative neoplasms",
        "We are a small antibody company preparing an ANR PRCE application. Our antibodies recognise mutant "
        "calreticulin (CALR) at the surface of malignant cells; we need a lab with mouse models of CALR-driven "
        "MPN and primary patient cells to show that they eliminate the clone.",
        areas=["mpn"],
        capabilities=["target_discovery", "preclinical_models"],
    ),
    Case(
        "lsc",
        K.OTHER,
        "Scouting for new targets in acute myeloid leukemia",
        "Our oncology scouting team meets French academic teams working on new therapeutic targets in AML, "
        "especially leukemia stem cells and resistance to targeted therapies, to identify opportunities for "
        "partnership or licensing.",
        areas=["aml"],
    ),
]


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo consortium, loaded once for a class and rolled back after it; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_data.load(contracts=False)
        yield
        transaction.set_rollback(True)


def make_enquiry(case: Case):
    enquiry = EnquiryFactory(
        kind=case.kind,
        title=case.title,
        summary=case.summary,
        objectives=case.objectives,
        language=case.language,
        licence_subject=case.licence_subject,
        scientific_project=case.scientific_project,
        disease_areas=DiseaseArea.objects.filter(code__in=case.areas),
    )
    enquiry.capabilities.set(Capability.objects.filter(code__in=case.capabilities))
    return enquiry


@pytest.mark.usefixtures("demo", "db")
class TestOnTheDemoConsortium:
    @pytest.mark.parametrize("case", CASES, ids=str)
    def test_the_expert_pick_is_in_the_top_three(self, case):
        enquiry = make_enquiry(case)

        top = [s.entity.name for s in suggest_entities(enquiry, limit=3)]

        assert NAMES[case.expert_pick] in top, f"{NAMES[case.expert_pick]} not in {top}"

    def test_the_number_of_queries_does_not_grow_with_the_number_of_entities(self, django_assert_max_num_queries):
        enquiry = make_enquiry(CASES[0])
        # entities; their disease areas, capabilities, governances with bodies; active rules; the enquiry's
        # disease areas, capabilities and routings
        with django_assert_max_num_queries(8):
            suggest_entities(enquiry)
        for n in range(30):
            extra = entity_with(
                name=f"PDX lab {n}",
                profile="PDX models of AML.",
                partnership_kinds=[K.PLATFORM_USE],
                area_codes=["aml", "all"],
                capability_codes=["preclinical_models", "biomarkers"],
                lead_body=GoverningBodyFactory(),
            )
            GovernanceFactory(entity=extra, is_host_body=True)
            RoutingRuleFactory(entity=extra, kind=K.PLATFORM_USE, keywords="pdx")

        with django_assert_max_num_queries(8):
            suggestions = suggest_entities(enquiry, limit=100)
            shown = [(str(s.entity), s.reasons, [(str(b), roles) for b, roles in s.bodies]) for s in suggestions]

        assert len(shown) > 40


def test_the_table_covers_every_kind_an_entity_offers_and_both_languages():
    assert len(CASES) >= 15
    assert {c.kind for c in CASES} >= {K.BILATERAL_RD, K.CONSULTANCY, K.PLATFORM_USE, K.COLLABORATIVE_CALL}
    assert {c.kind for c in CASES} >= {K.JOINT_LAB, K.LICENCE}
    assert {c.language for c in CASES} == {"en", "fr"}


# ---- reasons, rules and routed entities, on a few entities of their own ------------------------------------
def areas(*codes):
    return DiseaseArea.objects.filter(code__in=codes)


def capabilities(*codes):
    return Capability.objects.filter(code__in=codes)


def entity_with(*, area_codes=(), capability_codes=(), **kwargs) -> Entity:
    entity = EntityFactory(**kwargs)
    entity.disease_areas.set(areas(*area_codes))
    entity.capabilities.set(capabilities(*capability_codes))
    return entity


def enquiry_with(*, area_codes=("aml",), capability_codes=(), **kwargs):
    enquiry = EnquiryFactory(disease_areas=areas(*area_codes), **kwargs)
    enquiry.capabilities.set(capabilities(*capability_codes))
    return enquiry


def reasons_for(entity: Entity, enquiry) -> list[str]:
    return next(s.reasons for s in suggest_entities(enquiry, limit=50) if s.entity == entity)


@pytest.fixture
def pdx_platform(db):
    return entity_with(
        name="Preclinical models platform",
        code="PF-PDX",
        profile="Patient-derived xenografts (PDX) of AML engrafted in NSG mice.",
        partnership_kinds=[K.PLATFORM_USE],
        area_codes=["aml"],
        capability_codes=["preclinical_models"],
    )


@pytest.fixture
def genomics_unit(db):
    return entity_with(
        name="Genomics unit",
        code="UMR 8200",
        profile="Sequencing of myelodysplastic syndromes.",
        partnership_kinds=[K.BILATERAL_RD],
        area_codes=["aml", "mds"],
    )


def test_each_signal_that_matches_is_a_reason_and_nothing_else_is(pdx_platform, genomics_unit):
    RoutingRuleFactory(
        entity=pdx_platform,
        name="PDX and in vivo models",
        kind="",
        capability=Capability.objects.get(code="preclinical_models"),
        keywords="pdx, xenograft",
    )
    # in French, accented and plural: the profile's "xenografts" all the same
    enquiry = enquiry_with(
        kind=K.PLATFORM_USE,
        capability_codes=["preclinical_models"],
        title="Xénogreffes de LAM",
        summary="Nous cherchons des modèles PDX pour tester notre composé.",
        objectives="",
    )

    suggestions = suggest_entities(enquiry)

    assert [s.entity for s in suggestions] == [pdx_platform, genomics_unit]
    assert suggestions[0].reasons == [
        "offers: Use of platforms, models or networks",
        "disease area: Acute myeloid leukemia (AML)",
        "capability: Preclinical models",
        "words in common: aml, model, pdx, xenograft",
        "rule “PDX and in vivo models”",
    ]
    assert suggestions[1].reasons == ["disease area: Acute myeloid leukemia (AML)"]
    assert suggestions[0].score > suggestions[1].score


def test_several_shared_terms_are_listed_in_one_reason(genomics_unit):
    enquiry = enquiry_with(kind=K.CONSULTANCY, area_codes=["aml", "mds"], summary="Advice.", objectives="")

    assert any(
        reason.startswith("disease areas: ") and ", " in reason for reason in reasons_for(genomics_unit, enquiry)
    )


def test_an_enquiry_that_names_an_entity_by_its_code_says_so(genomics_unit, pdx_platform):
    enquiry = enquiry_with(kind=K.BILATERAL_RD, summary="We met the team of UMR 8200 at ASH last year.")

    assert "names the entity: UMR 8200" in reasons_for(genomics_unit, enquiry)
    assert not any(reason.startswith("names the entity") for reason in reasons_for(pdx_platform, enquiry))


@pytest.mark.parametrize(
    ("summary", "words"),
    [
        ("Relapsed B-ALL in adults.", "words in common: ALL, adult"),
        ("Leucémies aiguës lymphoblastiques : LAL de l'adulte.", "words in common: ALL, adult"),
        ("We screen all compounds on cells from adults.", "words in common: adult"),
    ],
)
def test_all_in_capitals_is_the_leukemia_and_lower_case_all_is_a_stop_word(db, summary, words):
    graall = entity_with(name="ALL group", code="", profile="Trials in adult ALL.")
    enquiry = enquiry_with(kind=K.OTHER, area_codes=[], title="Enquiry", summary=summary, objectives="")

    assert reasons_for(graall, enquiry) == [words]


def test_a_rule_counts_only_when_every_criterion_it_sets_holds(pdx_platform):
    aml, cll = areas("aml").get(), areas("cll").get()
    preclinical = Capability.objects.get(code="preclinical_models")
    RoutingRuleFactory(entity=pdx_platform, name="wrong kind", kind=K.LICENCE, keywords="in vivo")
    RoutingRuleFactory(entity=pdx_platform, name="wrong area", kind=K.PLATFORM_USE, keywords="", disease_area=cll)
    RoutingRuleFactory(entity=pdx_platform, name="no keyword found", kind="", keywords="car-t, gmp")
    RoutingRuleFactory(entity=pdx_platform, name="switched off", kind="", keywords="in vivo", is_active=False)
    RoutingRuleFactory(
        entity=pdx_platform,
        name="all four hold",
        kind=K.PLATFORM_USE,
        disease_area=aml,
        capability=preclinical,
        keywords="nsg mice, in vivo",
        weight=35,
    )
    enquiry = enquiry_with(
        kind=K.PLATFORM_USE,
        capability_codes=["preclinical_models"],
        summary="We need IN VIVO efficacy data for our menin inhibitor.",
    )

    rules = [reason for reason in reasons_for(pdx_platform, enquiry) if reason.startswith("rule")]

    assert rules == ["rule “all four hold”"]


def test_inactive_entities_and_entities_with_nothing_in_common_are_not_suggested(pdx_platform, genomics_unit):
    pdx_platform.is_active = False
    pdx_platform.save()
    RoutingRuleFactory(entity=pdx_platform, kind=K.PLATFORM_USE, keywords="")
    entity_with(name="Lymphoma unit", profile="Lymphoma biology.", partnership_kinds=[K.JOINT_LAB])  # no match
    enquiry = enquiry_with(kind=K.PLATFORM_USE, capability_codes=["preclinical_models"], summary="PDX in NSG mice.")

    assert [s.entity for s in suggest_entities(enquiry)] == [genomics_unit]


def test_governing_bodies_lead_negotiator_first_with_their_roles(pdx_platform):
    host = GoverningBodyFactory(short_name="AAA")
    lead = GoverningBodyFactory(short_name="ZZZ")
    GovernanceFactory(entity=pdx_platform, body=host, is_host_body=True)
    GovernanceFactory(entity=pdx_platform, body=lead, lead=True)
    enquiry = enquiry_with(kind=K.PLATFORM_USE)

    (suggestion,) = suggest_entities(enquiry)

    assert suggestion.bodies == [(lead, ["lead negotiator", "IP agent", "managing body"]), (host, ["host body"])]


def test_an_entity_that_declined_comes_last_and_one_still_answering_is_marked(
    entity, other_entity, entity_contact, central_user
):
    for unit in (entity, other_entity):
        unit.disease_areas.set(areas("aml"))
    entity.capabilities.set(capabilities("preclinical_models"))  # the better match of the two
    now = timezone.now()
    routed_at, declined_at = now - dt.timedelta(days=10), now - dt.timedelta(days=3)
    enquiry = submitted_enquiry(kind=K.BILATERAL_RD, submitted__at=now - dt.timedelta(days=20))
    workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity, other_entity], at=routed_at)
    workflow.enquiry_answer_routing(
        routing=Routing.objects.get(enquiry=enquiry, entity=entity),
        actor=entity_contact,
        accept=False,
        reason="No capacity this year.",
        at=declined_at,
    )
    enquiry.capabilities.set(capabilities("preclinical_models"))

    suggestions = suggest_entities(enquiry, limit=10)

    assert [s.entity for s in suggestions] == [other_entity, entity]
    assert suggestions[1].score > suggestions[0].score
    assert suggestions[1].reasons[-1] == f"declined on {date_format(timezone.localdate(declined_at))}"
    assert suggestions[0].reasons[-1] == f"routed on {date_format(timezone.localdate(routed_at))}, awaiting its answer"
    assert suggest_entities(enquiry)[0].entity == other_entity
    assert Routing.objects.get(enquiry=enquiry, entity=entity).status == RoutingStatus.DECLINED
