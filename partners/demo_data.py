"""Demo data: a fictional OPALE consortium, its staff, companies and enquiries, for trying the portal.

``load()`` is what ``manage.py load_demo`` runs. It is idempotent: every object has a natural key (users by
username, companies by country and registration number, bodies by short name, entities by name, enquiries by
company and title, routing rules by entity and name). A row that already exists is left exactly as it is,
with its relations, so a second run creates nothing and never overwrites what someone changed in the admin;
an enquiry that exists is skipped whole, its workflow is not replayed.

Enquiry stages are reached only through ``partners.workflow``, with the actor each step needs (the company
submits and withdraws, the central team triages and routes, the entity's scientific contact answers, the
legal staff of the lead body marks the partnership signed) and past timestamps: each enquiry's steps are a
few working days apart, counted back from today, and all enquiries are replayed in one chronological order
so references are numbered in submission order.

Everything here is fictional: people, companies, ``.example`` websites and e-mail domains, and registration
numbers (made up, with valid check digits; the SIRENs start with 0, away from the ranges INSEE allocates, so
they should name no real company).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from agreements.demo_data import ContractReplay
from agreements.models import Agreement, DraftVersion, Signature, StageChange
from quality import clocks
from quality.models import SurveyAnswer, SurveyInvitation

from . import notices, workflow
from .choices import (
    BodyKind,
    BudgetBand,
    CompanySize,
    EntityKind,
    FundingProgramme,
    LicenceSubject,
    PartnershipKind,
    Sector,
)
from .models import (
    Capability,
    Company,
    CompanyMember,
    DiseaseArea,
    Enquiry,
    Entity,
    Governance,
    GoverningBody,
    Message,
    Routing,
    RoutingRule,
)
from .roles import CENTRAL_TEAM, ENTITY_CONTACT, LEGAL_STAFF
from .validators import normalise_registration_number

DEMO_PASSWORD = "opale-demo-2026"  # noqa: S105 -- public by design, printed by load_demo
BASE_URL = "http://127.0.0.1:8000"
COMPANY_LOGIN_URL = f"{BASE_URL}/accounts/login/"
STAFF_LOGIN_URL = f"{BASE_URL}/admin/"
STAFF_EMAIL_DOMAIN = "demo.opale.example"

K = PartnershipKind
B = BudgetBand

# --------------------------------------------------------------------------------------------------------
# Staff: (username, first name, last name, role). Company members are listed with their company.
# --------------------------------------------------------------------------------------------------------
SUPERUSER = ("admin", "OPALE", "Administrator")

STAFF = [
    # central team
    ("central", "Sophie", "Lambert", CENTRAL_TEAM),
    ("m.delaunay", "Marc", "Delaunay", CENTRAL_TEAM),
    ("a.benali", "Amina", "Benali", CENTRAL_TEAM),
    # scientific contacts of entities
    ("entity", "Claire", "Moreau", ENTITY_CONTACT),
    ("p.garnier", "Pierre", "Garnier", ENTITY_CONTACT),
    ("a.roux", "Antoine", "Roux", ENTITY_CONTACT),
    ("e.lefevre", "Émilie", "Lefèvre", ENTITY_CONTACT),
    ("r.harris", "Rachel", "Harris", ENTITY_CONTACT),
    ("l.bernard", "Lucas", "Bernard", ENTITY_CONTACT),
    ("m.vandamme", "Mathilde", "Vandamme", ENTITY_CONTACT),
    ("h.dubois", "Hélène", "Dubois", ENTITY_CONTACT),
    ("s.giraud", "Stéphane", "Giraud", ENTITY_CONTACT),
    ("k.meyer", "Karine", "Meyer", ENTITY_CONTACT),
    ("l.fabre", "Louis", "Fabre", ENTITY_CONTACT),
    ("a.perret", "Anne", "Perret", ENTITY_CONTACT),
    ("v.chevalier", "Vincent", "Chevalier", ENTITY_CONTACT),
    ("n.faure", "Nicolas", "Faure", ENTITY_CONTACT),
    ("j.perrin", "Jérôme", "Perrin", ENTITY_CONTACT),
    ("c.lemaire", "Caroline", "Lemaire", ENTITY_CONTACT),
    ("y.benoit", "Yann", "Benoit", ENTITY_CONTACT),
    # legal staff of governing bodies' contracting offices
    ("legal", "Nathalie", "Girard", LEGAL_STAFF),
    ("f.morel", "François", "Morel", LEGAL_STAFF),
    ("o.mercier", "Olivier", "Mercier", LEGAL_STAFF),
    ("r.caron", "Romain", "Caron", LEGAL_STAFF),
    ("i.fontaine", "Isabelle", "Fontaine", LEGAL_STAFF),
    ("s.henry", "Sarah", "Henry", LEGAL_STAFF),
    ("a.leclercq", "Agnès", "Leclercq", LEGAL_STAFF),
    ("b.lucas", "Benoît", "Lucas", LEGAL_STAFF),
    ("e.blanc", "Emma", "Blanc", LEGAL_STAFF),
    ("t.marchal", "Thibault", "Marchal", LEGAL_STAFF),
]

# --------------------------------------------------------------------------------------------------------
# Governing bodies ("tutelles"), keyed by short name.
# --------------------------------------------------------------------------------------------------------
BODIES = [
    {
        "short_name": "Inserm",
        "name": "Institut national de la santé et de la recherche médicale",
        "kind": BodyKind.RESEARCH_ORG,
        "contracting_office": "Inserm Transfert",
        "address": "101 rue de Tolbiac, 75013 Paris, France",
        "contact_email": "contrats.inserm@demo.opale.example",
        "signatory_name": "Anne-Sophie Marchand",
        "signatory_title": (
            "Présidente du directoire d’Inserm Transfert, par délégation du président-directeur général de l’Inserm"
        ),
        "signatory_delegation": "décision n° 2025-041 du 6 janvier 2025",
        "legal_staff": ["legal"],
    },
    {
        "short_name": "CNRS",
        "name": "Centre national de la recherche scientifique",
        "kind": BodyKind.RESEARCH_ORG,
        "contracting_office": "CNRS Innovation et service partenariat et valorisation de la délégation Paris-Centre",
        "address": "3 rue Michel-Ange, 75016 Paris, France",
        "contact_email": "spv.paris-centre@demo.opale.example",
        "signatory_name": "Bertrand Lemoine",
        "signatory_title": "Délégué régional Paris-Centre, par délégation du président-directeur général du CNRS",
        "signatory_delegation": "décision DEC250118DAJ du 15 janvier 2025",
        "legal_staff": ["f.morel"],
    },
    {
        "short_name": "UPCité",
        "name": "Université Paris Cité",
        "kind": BodyKind.UNIVERSITY,
        "contracting_office": "Direction de la recherche, de l’innovation et de la valorisation",
        "address": "85 boulevard Saint-Germain, 75006 Paris, France",
        "contact_email": "contrats.recherche@demo.opale.example",
        "signatory_name": "Hugo Lefranc",
        "signatory_title": "Président de l’Université Paris Cité",
        "signatory_delegation": "",
        "legal_staff": ["o.mercier"],
    },
    {
        "short_name": "Sorbonne U",
        "name": "Sorbonne Université",
        "kind": BodyKind.UNIVERSITY,
        "contracting_office": "SATT Lutech",
        "address": "21 rue de l'École-de-Médecine, 75006 Paris, France",
        "contact_email": "contrats.sorbonne@demo.opale.example",
        "signatory_name": "Marie-Christine Duval",
        "signatory_title": "Vice-présidente chargée de l’innovation, par délégation du président",
        "signatory_delegation": "arrêté n° 2024-118 du 2 septembre 2024",
        "legal_staff": ["r.caron"],
    },
    {
        "short_name": "AP-HP",
        "name": "Assistance Publique – Hôpitaux de Paris",
        "kind": BodyKind.HOSPITAL,
        "contracting_office": "Direction de la recherche clinique et de l’innovation (DRCI)",
        "address": "1 avenue Claude-Vellefaux, 75010 Paris, France",
        "contact_email": "drci.contrats@demo.opale.example",
        "signatory_name": "Catherine Rivière",
        "signatory_title": (
            "Directrice de la recherche clinique et de l’innovation, par délégation du directeur général"
        ),
        "signatory_delegation": "décision n° 2025-0217-DG du 3 mars 2025",
        "legal_staff": ["i.fontaine"],
    },
    {
        "short_name": "Gustave Roussy",
        "name": "Institut Gustave Roussy",
        "kind": BodyKind.CANCER_CENTRE,
        "contracting_office": "Direction de la recherche – service partenariats et valorisation",
        "address": "114 rue Édouard-Vaillant, 94805 Villejuif, France",
        "contact_email": "partenariats.igr@demo.opale.example",
        "signatory_name": "Philippe Arnaud",
        "signatory_title": "Directeur général",
        "signatory_delegation": "",
        "legal_staff": ["s.henry"],
    },
    {
        "short_name": "CHU Lille",
        "name": "Centre hospitalier universitaire de Lille",
        "kind": BodyKind.HOSPITAL,
        "contracting_office": "DRCI du CHU de Lille",
        "address": "2 avenue Oscar-Lambret, 59037 Lille, France",
        "contact_email": "drci.chu-lille@demo.opale.example",
        "signatory_name": "Delphine Carpentier",
        "signatory_title": "Directrice générale adjointe, par délégation du directeur général",
        "signatory_delegation": "décision DG n° 2025/032 du 20 février 2025",
        "legal_staff": ["a.leclercq"],
    },
    {
        "short_name": "U Lille",
        "name": "Université de Lille",
        "kind": BodyKind.UNIVERSITY,
        "contracting_office": "SATT Nord",
        "address": "42 rue Paul-Duez, 59000 Lille, France",
        "contact_email": "contrats.ulille@demo.opale.example",
        "signatory_name": "Régis Dumont",
        "signatory_title": "Président de l’Université de Lille",
        "signatory_delegation": "",
        "legal_staff": ["b.lucas"],
    },
    {
        "short_name": "ALFA",
        "name": "Acute Leukemia French Association (association loi 1901)",
        "kind": BodyKind.ASSOCIATION,
        "contracting_office": "Service contrats et partenariats de l’ALFA",
        "address": "c/o Hôpital Saint-Louis, 1 avenue Claude-Vellefaux, 75010 Paris, France",
        "contact_email": "contrats.alfa@demo.opale.example",
        "signatory_name": "Pr Étienne Marchetti",
        "signatory_title": "Président de l’association",
        "signatory_delegation": "",
        "legal_staff": ["e.blanc"],
    },
    {
        "short_name": "FILO",
        "name": "French Innovative Leukemia Organization (association loi 1901)",
        "kind": BodyKind.ASSOCIATION,
        "contracting_office": "Bureau des opérations de FILO",
        "address": "c/o CHU de Tours, 2 boulevard Tonnellé, 37044 Tours, France",
        "contact_email": "contrats.filo@demo.opale.example",
        "signatory_name": "Pr Sylvie Vautrin",
        "signatory_title": "Présidente de l’association",
        "signatory_delegation": "",
        "legal_staff": ["t.marchal"],
    },
    {
        "short_name": "GRAALL",
        "name": "Group for Research on Adult Acute Lymphoblastic Leukemia (association loi 1901)",
        "kind": BodyKind.ASSOCIATION,
        "contracting_office": "Cellule de coordination du GRAALL",
        "address": "c/o Hôpital Saint-Louis, 1 avenue Claude-Vellefaux, 75010 Paris, France",
        "contact_email": "contrats.graall@demo.opale.example",
        "signatory_name": "Pr Marc-Antoine Roy",
        "signatory_title": "Président de l’association",
        "signatory_delegation": "",
        "legal_staff": [],
    },
    {
        "short_name": "GFM",
        "name": "Groupe Francophone des Myélodysplasies (association loi 1901)",
        "kind": BodyKind.ASSOCIATION,
        "contracting_office": "Service des contrats du GFM",
        "address": "c/o Hôpital Avicenne, 125 rue de Stalingrad, 93000 Bobigny, France",
        "contact_email": "contrats.gfm@demo.opale.example",
        "signatory_name": "Pr Alain Desjardins",
        "signatory_title": "Président de l’association",
        "signatory_delegation": "",
        "legal_staff": ["e.blanc"],
    },
    {
        "short_name": "SFCE",
        "name": "Société Française de lutte contre les Cancers et les leucémies de l'Enfant et de l'adolescent",
        "kind": BodyKind.ASSOCIATION,
        "contracting_office": "Cellule de recherche clinique de la SFCE",
        "address": "c/o Institut Curie, 26 rue d'Ulm, 75005 Paris, France",
        "contact_email": "contrats.sfce@demo.opale.example",
        "signatory_name": "Pr Nadia Lebrun",
        "signatory_title": "Présidente de la société savante",
        "signatory_delegation": "",
        "legal_staff": [],
    },
]

# --------------------------------------------------------------------------------------------------------
# Entities, keyed by a short key used in this module only. "bodies": (body short name, roles), the roles
# being any of "lead" (lead negotiator), "ip" (IP agent, mandataire unique), "managing", "host".
# --------------------------------------------------------------------------------------------------------
ENTITIES = [
    {
        "key": "lsc",
        "name": "Leukemia Stem Cells and Therapy Resistance",
        "code": "UMR-S 1131",
        "kind": EntityKind.RESEARCH_UNIT,
        "city": "Paris",
        "profile": (
            "Studies the leukemia stem cells that survive chemotherapy and drive relapse in acute myeloid "
            "leukemia. Expertise in menin inhibitors, FLT3 and IDH inhibitors and venetoclax resistance, "
            "with functional assays on primary patient cells and single-cell RNA-seq. Offers target discovery "
            "and validation, mechanism-of-action studies and minimal residual disease (MRD) biomarkers."
        ),
        "disease_areas": ["aml", "mds"],
        "capabilities": ["target_discovery", "biomarkers", "preclinical_models", "screening_small_molecules"],
        "partnership_kinds": [K.BILATERAL_RD, K.CONSULTANCY, K.JOINT_LAB, K.LICENCE, K.COLLABORATIVE_CALL],
        "contact_email": "umrs1131@demo.opale.example",
        "contacts": ["entity", "p.garnier"],
        "bodies": [("Inserm", "lead ip managing"), ("UPCité", "host"), ("AP-HP", "")],
    },
    {
        "key": "hema",
        "name": "Haematopoiesis and Leukemogenesis Laboratory",
        "code": "U944",
        "kind": EntityKind.RESEARCH_UNIT,
        "city": "Paris",
        "profile": (
            "Works on normal and malignant haematopoiesis: how JAK2, CALR and epigenetic mutations turn "
            "stem cells into myeloproliferative neoplasms and leukemia. Mouse genetic models, CRISPR screens "
            "in primary human haematopoietic cells and long-term culture assays. Open to bilateral target "
            "discovery projects and industrial PhDs (CIFRE)."
        ),
        "disease_areas": ["mpn", "aml", "cml"],
        "capabilities": ["target_discovery", "preclinical_models", "biomarkers"],
        "partnership_kinds": [K.BILATERAL_RD, K.JOINT_LAB, K.CONSULTANCY],
        "contact_email": "u944@demo.opale.example",
        "contacts": ["a.roux"],
        "bodies": [("Inserm", "lead managing"), ("CNRS", ""), ("UPCité", "ip host")],
    },
    {
        "key": "genomics",
        "name": "Genomics and Epigenetics of Haematological Malignancies",
        "code": "UMR 8200",
        "kind": EntityKind.RESEARCH_UNIT,
        "city": "Villejuif",
        "profile": (
            "Maps clonal evolution in myelodysplastic syndromes, AML and CLL with targeted sequencing, "
            "single-cell multi-omics and DNA methylation profiling. Holds patents on prognostic gene "
            "signatures and develops companion-diagnostic biomarkers with industry. A bioinformatics team "
            "integrates multi-omics and clinical data."
        ),
        "disease_areas": ["mds", "aml", "cll"],
        "capabilities": ["biomarkers", "target_discovery"],
        "partnership_kinds": [K.BILATERAL_RD, K.LICENCE, K.COLLABORATIVE_CALL, K.CONSULTANCY],
        "contact_email": "umr8200@demo.opale.example",
        "contacts": ["e.lefevre", "r.harris"],
        "bodies": [("CNRS", "lead managing"), ("Gustave Roussy", "ip host")],
    },
    {
        "key": "immuno",
        "name": "Immunology and Immunotherapy of Lymphoid Malignancies",
        "code": "UMR-S 1135",
        "kind": EntityKind.RESEARCH_UNIT,
        "city": "Paris",
        "profile": (
            "Studies immune escape in chronic lymphocytic leukemia and lymphomas and designs next-generation "
            "immunotherapies: bispecific antibodies, CAR-T and CAR-NK cells. High-dimensional flow and mass "
            "cytometry, T-cell exhaustion assays and humanised mouse models. Experienced partner of "
            "industrial chairs and collaborative calls."
        ),
        "disease_areas": ["cll", "lymphoma", "all"],
        "capabilities": ["screening_cell_therapies", "screening_biologics", "biomarkers"],
        "partnership_kinds": [K.BILATERAL_RD, K.JOINT_LAB, K.COLLABORATIVE_CALL, K.CONSULTANCY],
        "contact_email": "umrs1135@demo.opale.example",
        "contacts": ["l.bernard"],
        "bodies": [("Sorbonne U", "lead host"), ("Inserm", "ip managing"), ("AP-HP", "")],
    },
    {
        "key": "canther",
        "name": "Leukemia Plasticity and Drug Resistance",
        "code": "UMR 9020 – U1277",
        "kind": EntityKind.RESEARCH_UNIT,
        "city": "Lille",
        "profile": (
            "Investigates how leukemia and myeloma cells adapt to targeted therapies through metabolic and "
            "epigenetic plasticity. Drug combination screening on primary samples, 3D bone-marrow niche "
            "models and PDX follow-up with the Lille biobank. Works with SMEs on drug repositioning and "
            "combination strategies."
        ),
        "disease_areas": ["aml", "cml", "myeloma"],
        "capabilities": ["screening_small_molecules", "preclinical_models", "biomarkers"],
        "partnership_kinds": [K.BILATERAL_RD, K.PLATFORM_USE, K.COLLABORATIVE_CALL],
        "contact_email": "u1277@demo.opale.example",
        "contacts": ["m.vandamme"],
        "bodies": [("U Lille", "lead host"), ("Inserm", "ip managing"), ("CNRS", ""), ("CHU Lille", "")],
    },
    {
        "key": "alfa",
        "name": "ALFA – Acute Leukemia French Association",
        "code": "ALFA",
        "kind": EntityKind.COOPERATIVE_GROUP,
        "city": "Paris",
        "profile": (
            "Cooperative group of about forty French and Belgian centres running academic and "
            "industry-sponsored trials in adult acute myeloid leukemia. Brings phase I-III trial networks, "
            "a central NPM1 and FLT3 molecular lab for minimal residual disease and trial biobanks with "
            "annotated samples. Industry projects go through its scientific council and publication charter."
        ),
        "disease_areas": ["aml"],
        "capabilities": ["clinical_trials", "real_world_data", "biological_samples"],
        "partnership_kinds": [K.CONSULTANCY, K.PLATFORM_USE, K.COLLABORATIVE_CALL, K.BILATERAL_RD],
        "contact_email": "alfa@demo.opale.example",
        "contacts": ["h.dubois"],
        "bodies": [("ALFA", "lead ip managing")],
    },
    {
        "key": "filo",
        "name": "FILO – French Innovative Leukemia Organization",
        "code": "FILO",
        "kind": EntityKind.COOPERATIVE_GROUP,
        "city": "Tours",
        "profile": (
            "Cooperative group for chronic lymphocytic leukemia and related lymphoid diseases. Runs phase "
            "II-III trials of BTK and BCL-2 inhibitor combinations with centralised MRD by flow cytometry "
            "and NGS. Advises companies on trial design, endpoints and treatment sequencing."
        ),
        "disease_areas": ["cll", "lymphoma"],
        "capabilities": ["clinical_trials", "biomarkers", "biological_samples"],
        "partnership_kinds": [K.CONSULTANCY, K.PLATFORM_USE, K.COLLABORATIVE_CALL],
        "contact_email": "filo@demo.opale.example",
        "contacts": ["s.giraud"],
        "bodies": [("FILO", "lead ip managing")],
    },
    {
        "key": "graall",
        "name": "GRAALL – Group for Research on Adult Acute Lymphoblastic Leukemia",
        "code": "GRAALL",
        "kind": EntityKind.COOPERATIVE_GROUP,
        "city": "Paris",
        "profile": (
            "Adult acute lymphoblastic leukemia cooperative group running national trials in B- and T-cell "
            "ALL, with molecular minimal residual disease (Ig/TR and BCR-ABL1) guiding therapy. Interested in "
            "CAR-T cells and bispecific antibodies in relapsed disease and in the clinical validation of MRD "
            "assays."
        ),
        "disease_areas": ["all"],
        "capabilities": ["clinical_trials", "biomarkers", "real_world_data"],
        "partnership_kinds": [K.CONSULTANCY, K.BILATERAL_RD, K.COLLABORATIVE_CALL],
        "contact_email": "graall@demo.opale.example",
        "contacts": ["k.meyer"],
        "bodies": [("GRAALL", "lead ip managing")],
    },
    {
        "key": "gfm",
        "name": "GFM – Groupe Francophone des Myélodysplasies",
        "code": "GFM",
        "kind": EntityKind.COOPERATIVE_GROUP,
        "city": "Bobigny",
        "profile": (
            "French-speaking cooperative group on myelodysplastic syndromes and CMML: phase I-III trials of "
            "hypomethylating agents and new drugs, and a national MDS registry of more than 5,000 patients. "
            "Provides clinical validation, real-world data and expert advice on MDS endpoints."
        ),
        "disease_areas": ["mds", "aml"],
        "capabilities": ["clinical_trials", "real_world_data"],
        "partnership_kinds": [K.CONSULTANCY, K.COLLABORATIVE_CALL, K.BILATERAL_RD],
        "contact_email": "gfm@demo.opale.example",
        "contacts": ["l.fabre"],
        "bodies": [("GFM", "lead ip managing")],
    },
    {
        "key": "sfce",
        "name": "SFCE – Leukemia Committee of the French Society of Childhood Cancers",
        "code": "SFCE",
        "kind": EntityKind.COOPERATIVE_GROUP,
        "city": "Paris",
        "profile": (
            "Leukemia committee of the French society of childhood and adolescent cancers, covering every "
            "paediatric haematology centre in France. Runs front-line and relapse trials in paediatric ALL "
            "and AML, early-phase trials of CAR-T cells and bispecific antibodies, and supports paediatric "
            "investigation plans (PIP). Projects with children go through its scientific council and the "
            "patient committee's review of information notes."
        ),
        "disease_areas": ["paediatric", "all", "aml"],
        "capabilities": ["clinical_trials", "biological_samples"],
        "partnership_kinds": [K.CONSULTANCY, K.COLLABORATIVE_CALL, K.PLATFORM_USE],
        "contact_email": "sfce-leucemies@demo.opale.example",
        "contacts": ["a.perret"],
        "bodies": [("SFCE", "lead ip managing")],
    },
    {
        "key": "cart",
        "name": "CAR-T Bioproduction Platform",
        "code": "PF-CART",
        "kind": EntityKind.PLATFORM,
        "city": "Paris",
        "profile": (
            "Authorised GMP facility producing CAR-T and other gene-modified cell batches for phase I/II "
            "trials. From lentiviral transduction process development to CAR-T GMP batches, release testing "
            "and documentation ready for the qualified person. Also runs comparability studies of apheresis "
            "and manufacturing processes."
        ),
        "disease_areas": ["all", "lymphoma", "myeloma"],
        "capabilities": ["cart_bioproduction", "screening_cell_therapies"],
        "partnership_kinds": [K.PLATFORM_USE, K.BILATERAL_RD, K.COLLABORATIVE_CALL],
        "contact_email": "pf-cart@demo.opale.example",
        "contacts": ["v.chevalier"],
        "bodies": [("AP-HP", "lead managing host"), ("Inserm", "ip")],
    },
    {
        "key": "screen",
        "name": "Compound Screening Platform",
        "code": "PF-SCREEN",
        "kind": EntityKind.PLATFORM,
        "city": "Villejuif",
        "profile": (
            "Automated high-throughput screening of small-molecule and biologics libraries on leukemia cell "
            "lines and primary AML and ALL cells. 384- and 1536-well viability and high-content imaging "
            "assays, dose-response and synergy analysis, and a 100,000-compound library. Service contracts "
            "with fast turnaround."
        ),
        "disease_areas": ["aml", "all", "cml"],
        "capabilities": ["screening_small_molecules", "screening_biologics", "target_discovery"],
        "partnership_kinds": [K.PLATFORM_USE, K.BILATERAL_RD],
        "contact_email": "pf-screen@demo.opale.example",
        "contacts": ["n.faure"],
        "bodies": [("Gustave Roussy", "lead ip host"), ("CNRS", "managing")],
    },
    {
        "key": "pdx",
        "name": "Preclinical Leukemia Models Platform (PDX)",
        "code": "PF-PDX",
        "kind": EntityKind.PLATFORM,
        "city": "Paris",
        "profile": (
            "Bank of more than 250 patient-derived xenograft (PDX) models of AML and of adult and paediatric "
            "ALL, characterised by exome and RNA sequencing (NPM1, FLT3-ITD, KMT2A rearrangements). Runs "
            "efficacy studies of small molecules, antibodies and CAR-T cells in NSG mice with MRD follow-up "
            "by flow cytometry, as a service or in collaboration."
        ),
        "disease_areas": ["aml", "all", "paediatric"],
        "capabilities": ["preclinical_models", "screening_small_molecules", "screening_cell_therapies"],
        "partnership_kinds": [K.PLATFORM_USE, K.BILATERAL_RD, K.COLLABORATIVE_CALL],
        "contact_email": "pf-pdx@demo.opale.example",
        "contacts": ["j.perrin", "entity"],
        "bodies": [("Inserm", "lead managing"), ("UPCité", "ip host")],
    },
    {
        "key": "biobank",
        "name": "Lille Haematological Malignancies Biobank",
        "code": "CRB-HEMATO",
        "kind": EntityKind.BIOBANK,
        "city": "Lille",
        "profile": (
            "Certified biobank (NF S96-900) holding viable cells, DNA, RNA and plasma from more than 12,000 "
            "patients with leukemia, lymphoma or myeloma, with clinical annotations. Samples are provided "
            "for a scientific project only, under a material transfer agreement and at cost. Declared "
            "collection CODECOH DC-2019-3581."
        ),
        "disease_areas": ["aml", "all", "cll", "cml", "mds", "myeloma"],
        "capabilities": ["biological_samples", "biomarkers"],
        "partnership_kinds": [K.LICENCE, K.PLATFORM_USE, K.COLLABORATIVE_CALL],
        "contact_email": "crb-hemato@demo.opale.example",
        "contacts": ["c.lemaire"],
        "bodies": [("CHU Lille", "lead ip managing host"), ("U Lille", "")],
    },
    {
        "key": "cohort",
        "name": "OPALE Acute Leukemia Real-World Cohort",
        "code": "OPALE-RWD",
        "kind": EntityKind.COHORT,
        "city": "Paris",
        "profile": (
            "Multicentre real-world database of 9,000 adults treated for acute leukemia or MDS since 2015, "
            "with treatment lines, molecular profiles, MRD and outcomes. Data extracts under a data access "
            "licence (CNIL MR-004), feasibility counts within days, and health-economics studies. Partner of "
            "collaborative calls on real-world evidence and AI."
        ),
        "disease_areas": ["aml", "all", "mds"],
        "capabilities": ["real_world_data", "biomarkers"],
        "partnership_kinds": [K.LICENCE, K.COLLABORATIVE_CALL, K.CONSULTANCY],
        "contact_email": "opale-rwd@demo.opale.example",
        "contacts": ["y.benoit", "h.dubois"],
        "bodies": [("AP-HP", "lead managing host"), ("Inserm", "ip"), ("UPCité", "")],
    },
]

# --------------------------------------------------------------------------------------------------------
# Companies, keyed by a short key. French numbers: SIREN/SIRET whose Luhn key was computed with
# stdnum.luhn.calc_check_digit, or an FR VAT number; other countries: VAT (or Swiss UID) numbers with
# computed check digits. Company.full_clean() checks every one when it is created.
# Members: (username, first name, last name, job title, may sign); the first one files the enquiries.
# "account_manager": the central-team member who handles the company's enquiries (default: "central").
# --------------------------------------------------------------------------------------------------------
COMPANIES = [
    {
        "key": "hemavia",
        "legal_name": "Hemavia Therapeutics SAS",
        "country": "FR",
        "registration_number": "084 123 751",
        "size": CompanySize.SME,
        "sector": Sector.BIOPHARMA,
        "is_startup": True,
        "is_spinoff": True,
        "group_name": "",
        "domain": "hemavia.example",
        "members": [
            ("company", "Julie", "Martin", "Head of Business Development", False),
            ("t.nguyen", "Thomas", "Nguyen", "Chief Executive Officer", True),
        ],
    },
    {
        "key": "lymphodx",
        "legal_name": "Lymphocyte Diagnostics SAS",
        "country": "FR",
        "registration_number": "079 531 646",
        "size": CompanySize.SME,
        "sector": Sector.DIAGNOSTICS,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "",
        "domain": "lymphocyte-dx.example",
        "members": [("company2", "Camille", "Rousseau", "VP Partnerships", True)],
    },
    {
        "key": "myelis",
        "legal_name": "Myelis Bio SAS",
        "country": "FR",
        "registration_number": "088 540 299",
        "size": CompanySize.MICRO,
        "sector": Sector.BIOPHARMA,
        "is_startup": True,
        "is_spinoff": False,
        "group_name": "",
        "domain": "myelis.example",
        "members": [("r.aubert", "Raphaël", "Aubert", "Chief Scientific Officer and co-founder", True)],
    },
    {
        "key": "cellforge",
        "legal_name": "Cellforge Therapeutics GmbH",
        "country": "DE",
        "registration_number": "DE814523673",
        "size": CompanySize.SME,
        "sector": Sector.BIOPHARMA,
        "is_startup": True,
        "is_spinoff": False,
        "group_name": "",
        "domain": "cellforge.example",
        "account_manager": "a.benali",
        "members": [("k.weber", "Katrin", "Weber", "Head of Alliance Management", True)],
    },
    {
        "key": "hematica",
        "legal_name": "Hematica Genomics B.V.",
        "country": "NL",
        "registration_number": "NL824517362B01",
        "size": CompanySize.SME,
        "sector": Sector.DIAGNOSTICS,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "",
        "domain": "hematica.example",
        "account_manager": "a.benali",
        "members": [("j.devries", "Jeroen", "de Vries", "Chief Business Officer", True)],
    },
    {
        "key": "oncoroute",
        "legal_name": "Oncoroute Analytics SAS",
        "country": "FR",
        "registration_number": "FR08091377523",
        "size": CompanySize.MICRO,
        "sector": Sector.DIGITAL,
        "is_startup": True,
        "is_spinoff": True,
        "group_name": "",
        "domain": "oncoroute.example",
        "account_manager": "m.delaunay",
        "members": [("i.haddad", "Inès", "Haddad", "Chief Executive Officer", True)],
    },
    {
        "key": "sanagen",
        "legal_name": "Sanagen Pharma France SAS",
        "country": "FR",
        "registration_number": "067 903 153",
        "size": CompanySize.LARGE,
        "sector": Sector.BIOPHARMA,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "Sanagen Group",
        "domain": "sanagen.example",
        "account_manager": "m.delaunay",
        "members": [
            ("p.laurent", "Paul", "Laurent", "Director, External Innovation – Haematology", False),
            ("v.roche", "Valérie", "Roche", "President, Sanagen Pharma France", True),
        ],
    },
    {
        "key": "biolumen",
        "legal_name": "Biolumen Instruments NV",
        "country": "BE",
        "registration_number": "BE0831245755",
        "size": CompanySize.MIDCAP,
        "sector": Sector.MEDTECH,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "",
        "domain": "biolumen.example",
        "members": [("e.peeters", "Els", "Peeters", "Clinical Affairs Manager", False)],
    },
    {
        "key": "meddata",
        "legal_name": "MedData Santé SA",
        "country": "FR",
        "registration_number": "066 284 175 00032",
        "size": CompanySize.MIDCAP,
        "sector": Sector.DIGITAL,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "",
        "domain": "meddata-sante.example",
        "members": [("c.masson", "Cécile", "Masson", "Head of Research Partnerships", True)],
    },
    {
        "key": "cytometrix",
        "legal_name": "Cytometrix Medical SAS",
        "country": "FR",
        "registration_number": "072 819 469",
        "size": CompanySize.MIDCAP,
        "sector": Sector.MEDTECH,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "Cytometrix Group",
        "domain": "cytometrix.example",
        "members": [("g.renaud", "Guillaume", "Renaud", "R&D Director, Cell Processing", False)],
    },
    {
        "key": "greenfield",
        "legal_name": "Greenfield Lab Supplies SARL",
        "country": "FR",
        "registration_number": "059 461 285",
        "size": CompanySize.MICRO,
        "sector": Sector.OTHER,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "",
        "domain": "greenfield-lab.example",
        "members": [("m.colin", "Manon", "Colin", "Founder and manager", True)],
    },
    {
        "key": "helvetic",
        "legal_name": "Helvetic Oncology AG",
        "country": "CH",
        "registration_number": "CHE-418.273.657",
        "size": CompanySize.LARGE,
        "sector": Sector.BIOPHARMA,
        "is_startup": False,
        "is_spinoff": False,
        "group_name": "Helvetic Pharma Holding",
        "domain": "helvetic-oncology.example",
        "account_manager": "a.benali",
        "members": [("d.keller", "Daniel", "Keller", "Head of Oncology Scouting", False)],
    },
]

# --------------------------------------------------------------------------------------------------------
# Enquiries. "start": calendar days before today when the company created it. "steps": (working days after
# the previous step, action, *arguments), replayed through partners.workflow:
#   submit, triage, ask <question>, answer <text>, route {entity key: why}, accept <entity> <comment>,
#   refuse <entity> <reason>, contract, sign, decline <reason>, withdraw <reason>, no_go <reason>,
#   note <internal note by the central team>, msg <company|central|entity:<key>> <text>,
#   agreement <label> <verb> <arguments>: a step of one of the enquiry's contracts (agreements/demo_data.py).
# "starts_in_days" and "deadline_in_days" (wished start, call deadline) count from the creation day;
# "central" names the central-team member handling it when it is not the company's account manager.
# The title is the enquiry's natural key within its company: do not rename one without expecting a copy.
# --------------------------------------------------------------------------------------------------------
ENQUIRIES: list[dict[str, Any]] = [
    # ---- Hemavia Therapeutics (login "company") --------------------------------------------------------
    {
        "company": "hemavia",
        "kind": K.PLATFORM_USE,
        "title": "Efficacy of the menin inhibitor HMV-201 in NPM1-mutated AML PDX models",
        "summary": (
            "Hemavia develops HMV-201, an oral menin inhibitor in late preclinical development. We are looking "
            "for patient-derived xenograft (PDX) models of NPM1-mutated and KMT2A-rearranged acute myeloid "
            "leukemia to assess efficacy alone and with azacitidine, with minimal residual disease read-outs. "
            "The compound's structure and formulation will be shared only under NDA."
        ),
        "objectives": (
            "Test HMV-201 in 6 to 8 PDX models; dose-response and combination arms; MRD by flow cytometry and "
            "survival; a study report suitable for an IND package."
        ),
        "budget_band": B.FROM_200K,
        "duration_months": 12,
        "starts_in_days": 90,
        "nda_required": True,
        "language": "en",
        "disease_areas": ["aml"],
        "capabilities": ["preclinical_models", "biomarkers"],
        "start": 215,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                0,
                "note",
                "Strong fit with PF-PDX (NPM1 and KMT2A PDX bank) and UMR-S 1131 (menin biology). "
                "Inserm Transfert leads for both, so one NDA can cover the two.",
            ),
            (
                1,
                "route",
                {
                    "pdx": "Characterised NPM1-mutated and KMT2A-rearranged PDX models; runs efficacy studies.",
                    "lsc": "Works on menin inhibitors and resistance; could add mechanism-of-action read-outs.",
                },
            ),
            (4, "msg", "company", "Our formulation is ready for oral gavage; we can supply compound for Q3."),
            (
                2,
                "refuse",
                "lsc",
                "PF-PDX covers the in vivo work; our lab is available for advice on "
                "resistance read-outs but cannot take on the study this year.",
            ),
            (3, "accept", "pdx", "Seven NPM1-mutated and three KMT2A-rearranged PDX models available from Q3."),
            (1, "agreement", "hemavia-pdx-nda", "request", "pdx", "nda", "en", "company"),
            (1, "agreement", "hemavia-pdx-nda", "start_drafting"),
            (0, "agreement", "hemavia-pdx-nda", "terms"),
            (0, "agreement", "hemavia-pdx-nda", "draft"),
            (0, "agreement", "hemavia-pdx-nda", "send"),
            (3, "agreement", "hemavia-pdx-nda", "agree"),
            (0, "agreement", "hemavia-pdx-nda", "sign", "company"),
            (2, "agreement", "hemavia-pdx-nda", "sign", "lead"),
            (1, "agreement", "hemavia-pdx-nda", "sign", "co_owners"),
            (2, "contract"),
            (
                2,
                "msg",
                "central",
                "The NDA is in force: you can now share the compound's structure and formulation through the portal. "
                "Inserm Transfert will draft the service agreement once the study plan is agreed.",
            ),
            (
                80,
                "msg",
                "company",
                "The study plan is agreed with PF-PDX: eight models, five arms, 28 days of treatment. HMV-201 "
                "batches for the study are released.",
            ),
            (2, "agreement", "hemavia-pdx-service", "request", "pdx", "service", "en", "legal"),
            (0, "agreement", "hemavia-pdx-service", "start_drafting"),
            (15, "agreement", "hemavia-pdx-service", "terms"),
            (0, "agreement", "hemavia-pdx-service", "draft"),
        ],
    },
    {
        "company": "hemavia",
        "kind": K.JOINT_LAB,
        "title": "Thèse CIFRE : biomarqueurs de réponse aux inhibiteurs de ménine",
        "summary": (
            "Hemavia souhaite co-encadrer une thèse CIFRE sur les biomarqueurs prédictifs de réponse aux "
            "inhibiteurs de ménine dans les LAM NPM1 mutées, à partir de cellules primaires de patients et "
            "de données de single-cell RNA-seq."
        ),
        "objectives": (
            "Identifier une signature transcriptomique de réponse ; valider sur une cohorte rétrospective ; "
            "publier et déposer si pertinent."
        ),
        "budget_band": B.FROM_50K,
        "duration_months": 36,
        "starts_in_days": 120,
        "language": "fr",
        "disease_areas": ["aml"],
        "capabilities": ["biomarkers", "target_discovery"],
        "start": 300,
        "central": "m.delaunay",
        "steps": [
            (0, "submit"),
            (2, "triage"),
            (
                1,
                "ask",
                "Avez-vous identifié un ou une doctorante, et quelle date de début visez-vous pour le dossier ANRT ?",
            ),
            (
                4,
                "answer",
                "Oui : une candidate diplômée d'un master de biologie cellulaire ; nous visons un début de thèse "
                "dans quatre mois, le temps d'obtenir l'accord de l'ANRT.",
            ),
            (2, "route", {"lsc": "Thèses CIFRE en cours sur la résistance aux inhibiteurs de ménine."}),
            (5, "accept", "lsc", "Claire Moreau dirigera la thèse ; l'école doctorale a donné son accord."),
            (3, "contract"),
            (8, "note", "Contrat de collaboration CIFRE à signer dans les 6 mois suivant le début de thèse."),
            (
                25,
                "msg",
                "company",
                "L'ANRT a accepté le dossier CIFRE n° 2026/0873 : le contrat de travail de Léa Fontanel "
                "commencera dans trois semaines.",
            ),
            (10, "agreement", "hemavia-menin-cifre", "request", "lsc", "cifre", "fr", "legal"),
            (0, "agreement", "hemavia-menin-cifre", "start_drafting"),
            (35, "agreement", "hemavia-menin-cifre", "terms"),
            (0, "agreement", "hemavia-menin-cifre", "draft"),
            (0, "agreement", "hemavia-menin-cifre", "internal_review"),
            (6, "agreement", "hemavia-menin-cifre", "send"),
            (12, "agreement", "hemavia-menin-cifre", "agree"),
            (3, "agreement", "hemavia-menin-cifre", "open_signature"),
            (4, "agreement", "hemavia-menin-cifre", "sign", "company"),
            (10, "agreement", "hemavia-menin-cifre", "sign", "lead"),
            (8, "agreement", "hemavia-menin-cifre", "sign", "co_owners"),
        ],
    },
    {
        "company": "hemavia",
        "kind": K.BILATERAL_RD,
        "title": "Mechanisms of acquired resistance to menin inhibitors",
        "summary": (
            "Patients on menin inhibitors relapse with MEN1 mutations and non-genetic adaptation. Hemavia "
            "proposes a joint project to map resistance mechanisms in primary AML cells and single-cell "
            "data, and to test rational combinations."
        ),
        "objectives": "Resistance map; two combination hypotheses tested in vitro; joint publication.",
        "budget_band": B.FROM_200K,
        "duration_months": 24,
        "starts_in_days": 60,
        "language": "en",
        "disease_areas": ["aml"],
        "capabilities": ["target_discovery", "biomarkers"],
        "start": 40,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "route",
                {
                    "lsc": "Leads research on leukemia stem cells and menin inhibitor resistance.",
                    "hema": "Epigenetic models of leukemogenesis; CRISPR screens.",
                },
            ),
            (
                5,
                "refuse",
                "hema",
                "Our team is committed to two industrial projects until next year; UMR-S 1131 is better placed.",
            ),
            (1, "msg", "company", "We can share longitudinal samples from our phase I sites under NDA."),
        ],
    },
    {
        "company": "hemavia",
        "kind": K.CONSULTANCY,
        "title": "Advice on the design of a phase I/II trial of HMV-201 in relapsed AML",
        "summary": (
            "Before filing a clinical trial application, Hemavia would like the advice of experienced AML "
            "investigators on patient selection (NPM1, KMT2A), dose escalation and MRD endpoints."
        ),
        "objectives": "Two advisory meetings and a written opinion on the draft synopsis.",
        "budget_band": B.UNDER_50K,
        "duration_months": 3,
        "starts_in_days": 30,
        "language": "en",
        "disease_areas": ["aml"],
        "capabilities": ["clinical_trials"],
        "start": 70,
        "steps": [
            (1, "submit"),
            (3, "triage"),
            (2, "route", {"alfa": "Adult AML cooperative group; runs phase I-III trials with central MRD."}),
            (
                6,
                "accept",
                "alfa",
                "ALFA's scientific council agrees to set up an advisory board of three investigators.",
            ),
            (2, "note", "Consultancy with hospital clinicians: remind Hemavia of the transparency declarations."),
            (
                1,
                "msg",
                "central",
                "ALFA proposes a framework agreement: the advisory meetings will be its first specific agreement, "
                "and later trial work can follow under the same rules.",
            ),
            (1, "contract"),
            (1, "agreement", "hemavia-alfa-framework", "request", "alfa", "framework", "en", "legal"),
            (0, "agreement", "hemavia-alfa-framework", "start_drafting"),
            (4, "agreement", "hemavia-alfa-framework", "terms"),
            (
                0,
                "agreement",
                "hemavia-alfa-framework",
                "approve",
                "scientific_council",
                "approved",
                "ALFA scientific council, opinion SC-2026-31",
            ),
            (0, "agreement", "hemavia-alfa-framework", "draft"),
            (0, "agreement", "hemavia-alfa-framework", "internal_review"),
            (4, "agreement", "hemavia-alfa-framework", "send"),
            (7, "agreement", "hemavia-alfa-framework", "agree"),
        ],
    },
    {
        "company": "hemavia",
        "kind": K.PLATFORM_USE,
        "title": "Criblage de combinaisons HMV-201 + vénétoclax sur cellules primaires de LAM",
        "summary": (
            "Brouillon : nous souhaitons cribler des combinaisons de HMV-201 avec le vénétoclax et "
            "l'azacitidine sur une trentaine d'échantillons primaires de LAM."
        ),
        "objectives": "Matrices de synergie sur 30 échantillons primaires.",
        "budget_band": B.UNKNOWN,
        "language": "fr",
        "disease_areas": ["aml"],
        "capabilities": ["screening_small_molecules"],
        "start": 6,
        "steps": [],
    },
    {
        "company": "hemavia",
        "kind": K.LICENCE,
        "title": "Option on a patent family covering a leukemia stem-cell surface marker",
        "summary": (
            "Hemavia is interested in an option on the patent family describing a surface marker of "
            "leukemia stem cells, for an antibody-drug conjugate programme."
        ),
        "objectives": "Twelve-month option with pre-agreed licence terms.",
        "budget_band": B.FROM_50K,
        "language": "en",
        "disease_areas": ["aml"],
        "capabilities": ["target_discovery"],
        "start": 165,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (3, "route", {"lsc": "Inventors of the patent family; Inserm Transfert manages it as IP agent."}),
            (4, "accept", "lsc", "The unit supports an option; Inserm Transfert will propose terms."),
            (2, "contract"),
            (1, "agreement", "hemavia-lsm7-option", "request", "lsc", "option", "en", "legal"),
            (0, "agreement", "hemavia-lsm7-option", "start_drafting"),
            (4, "agreement", "hemavia-lsm7-option", "terms"),
            (0, "agreement", "hemavia-lsm7-option", "draft"),
            (0, "agreement", "hemavia-lsm7-option", "internal_review"),
            (3, "agreement", "hemavia-lsm7-option", "send"),
            (8, "agreement", "hemavia-lsm7-option", "agree"),
            (1, "agreement", "hemavia-lsm7-option", "open_signature"),
            # The licence is opened with the option, so that its pre-agreed key terms wait in it; the portal starts
            # no agreement once the partnership is signed, which the option's coming into force marks.
            (0, "agreement", "hemavia-lsm7-licence", "request", "lsc", "patent_licence", "en", "legal"),
            (
                0,
                "note",
                "Licence opened in scoping with the option's key terms; Inserm Transfert drafts it when Hemavia "
                "exercises the option.",
            ),
            (2, "agreement", "hemavia-lsm7-option", "sign", "company"),
            (3, "agreement", "hemavia-lsm7-option", "sign", "lead"),
            (
                40,
                "msg",
                "company",
                "Our ADC feasibility study on LSM-7 is conclusive: Hemavia exercises its option and asks for the "
                "licence on the pre-agreed terms.",
            ),
            (1, "agreement", "hemavia-lsm7-licence", "start_drafting"),
            (3, "agreement", "hemavia-lsm7-licence", "terms"),
            (0, "agreement", "hemavia-lsm7-licence", "draft"),
            (0, "agreement", "hemavia-lsm7-licence", "internal_review"),
            (5, "agreement", "hemavia-lsm7-licence", "send"),
            (
                12,
                "agreement",
                "hemavia-lsm7-licence",
                "changes",
                "As the option agreement provides, please deduct the 25,000-euro option fee from the upfront "
                "payment, and lower the minimum annual royalties to 20,000 euros until the first marketing "
                "authorisation.",
            ),
        ],
    },
    # ---- Lymphocyte Diagnostics (login "company2") -----------------------------------------------------
    {
        "company": "lymphodx",
        "kind": K.BILATERAL_RD,
        "title": "Validation clinique d'un test NGS de maladie résiduelle minimale dans la LAL de l'adulte",
        "summary": (
            "Lymphocyte Diagnostics a développé un test NGS de maladie résiduelle minimale (MRD) fondé sur "
            "les réarrangements Ig/TR. Nous cherchons à le comparer à la méthode de référence sur des "
            "échantillons d'essais de LAL de l'adulte."
        ),
        "objectives": "Concordance sur 300 échantillons ; dossier de marquage CE-IVDR.",
        "budget_band": B.FROM_200K,
        "duration_months": 18,
        "starts_in_days": 90,
        "language": "fr",
        "disease_areas": ["all"],
        "capabilities": ["clinical_trials", "biomarkers"],
        "start": 150,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (1, "ask", "Sur quel séquenceur le test tourne-t-il, et où en est le dossier CE-IVDR ?"),
            (3, "answer", "Illumina NextSeq ; dossier technique en cours, organisme notifié choisi."),
            (2, "route", {"graall": "MRD moléculaire centralisée dans les essais LAL de l'adulte."}),
            (
                6,
                "accept",
                "graall",
                "Le conseil scientifique du GRAALL est favorable, sous réserve du comité d'accès aux données.",
            ),
            (3, "contract"),
            (2, "note", "La charte de publication du GRAALL doit être acceptée avant le comité d'accès aux données."),
            (
                1,
                "agreement",
                "lymphodx-mrd-collaboration",
                "request",
                "graall",
                "research_collaboration",
                "fr",
                "central",
            ),
            (1, "agreement", "lymphodx-mrd-collaboration", "start_drafting"),
            (2, "agreement", "lymphodx-mrd-collaboration", "terms"),
            (0, "agreement", "lymphodx-mrd-collaboration", "draft"),
            (0, "agreement", "lymphodx-mrd-collaboration", "internal_review"),
            (4, "agreement", "lymphodx-mrd-collaboration", "send"),
            (
                6,
                "agreement",
                "lymphodx-mrd-collaboration",
                "changes",
                "Nous souhaitons une option de licence exclusive de 12 mois après la fin du programme, et un "
                "minimum annuel de redevances ramené à 5 000 euros les deux premières années.",
            ),
        ],
    },
    {
        "company": "lymphodx",
        "kind": K.LICENCE,
        "title": "Accès à des échantillons de LLC pour le développement d'un test de MRD",
        "summary": (
            "Nous avons besoin d'ADN et de cellules viables de patients atteints de LLC, à différents "
            "temps de traitement, pour développer un test de MRD par NGS."
        ),
        "objectives": "200 échantillons annotés (diagnostic et fin de traitement).",
        "scientific_project": (
            "Développement et validation analytique d'un test NGS de MRD dans la LLC : limite de détection, "
            "linéarité et concordance avec la cytométrie en flux sur 200 échantillons appariés."
        ),
        "budget_band": B.FROM_50K,
        "duration_months": 12,
        "starts_in_days": 60,
        "language": "fr",
        "disease_areas": ["cll"],
        "capabilities": ["biological_samples", "biomarkers"],
        "start": 280,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "route",
                {
                    "biobank": "Collection LLC annotée, cession pour un projet scientifique.",
                    "filo": "Biothèques des essais LLC.",
                },
            ),
            (
                4,
                "refuse",
                "filo",
                "Les échantillons des essais FILO sont réservés aux études ancillaires ; "
                "le CRB de Lille détient un matériel équivalent.",
            ),
            (3, "accept", "biobank", "180 paires diagnostic / fin de traitement disponibles."),
            (3, "contract"),
            (1, "agreement", "lymphodx-cll-samples", "request", "biobank", "material_transfer", "fr", "legal"),
            (0, "agreement", "lymphodx-cll-samples", "start_drafting"),
            (4, "agreement", "lymphodx-cll-samples", "terms"),
            (0, "agreement", "lymphodx-cll-samples", "draft"),
            (0, "agreement", "lymphodx-cll-samples", "internal_review"),
            (5, "agreement", "lymphodx-cll-samples", "send"),
            (6, "agreement", "lymphodx-cll-samples", "agree"),
            (2, "agreement", "lymphodx-cll-samples", "open_signature"),
            (2, "agreement", "lymphodx-cll-samples", "sign", "company"),
            (4, "agreement", "lymphodx-cll-samples", "sign", "lead"),
            (3, "agreement", "lymphodx-cll-samples", "sign", "co_owners"),
        ],
    },
    {
        "company": "lymphodx",
        "kind": K.COLLABORATIVE_CALL,
        "title": "EU Cancer Mission call: MRD-guided therapy in paediatric ALL",
        "summary": (
            "We are building a consortium for an EU Cancer Mission call on personalised follow-up of "
            "children with acute lymphoblastic leukemia, using NGS-based MRD to guide treatment intensity."
        ),
        "objectives": "Consortium of 8-10 partners; OPALE partners for clinical validation and samples.",
        "budget_band": B.OVER_1M,
        "duration_months": 48,
        "funding_programme": FundingProgramme.CANCER_MISSION,
        "funding_call": "HORIZON-MISS-2027-CANCER-01 – Personalised follow-up of childhood cancers",
        "deadline_in_days": 120,
        "language": "en",
        "disease_areas": ["paediatric", "all"],
        "capabilities": ["clinical_trials", "biomarkers"],
        "start": 25,
        "central": "a.benali",
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "ask",
                "Which partners have already committed to the consortium, and which work package would OPALE lead?",
            ),
        ],
    },
    {
        "company": "lymphodx",
        "kind": K.CONSULTANCY,
        "title": "Expertise pour l'harmonisation de la MRD par cytométrie en flux",
        "summary": (
            "Nous souhaitons l'avis d'experts sur l'harmonisation inter-laboratoires de la MRD par "
            "cytométrie en flux (panels, seuils, contrôles qualité)."
        ),
        "objectives": "Un atelier et un avis écrit.",
        "budget_band": B.UNDER_50K,
        "language": "fr",
        "disease_areas": ["all", "cll"],
        "capabilities": ["biomarkers"],
        "start": 4,
        "steps": [(1, "submit")],
    },
    # ---- Myelis Bio ------------------------------------------------------------------------------------
    {
        "company": "myelis",
        "kind": K.PLATFORM_USE,
        "title": "Efficacité de dégradeurs de FLT3 sur modèles PDX de LAM FLT3-ITD",
        "summary": (
            "Myelis développe des dégradeurs de FLT3 (PROTAC). Nous cherchons des modèles PDX de LAM "
            "FLT3-ITD, dont des modèles résistants au gilteritinib, pour une étude d'efficacité."
        ),
        "objectives": "Quatre modèles PDX, deux doses, comparateur gilteritinib.",
        "budget_band": B.FROM_50K,
        "duration_months": 6,
        "starts_in_days": 45,
        "nda_required": True,
        "language": "fr",
        "disease_areas": ["aml"],
        "capabilities": ["preclinical_models"],
        "start": 30,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (2, "route", {"pdx": "Modèles PDX FLT3-ITD caractérisés, dont résistants."}),
        ],
    },
    {
        "company": "myelis",
        "kind": K.PLATFORM_USE,
        "title": "Criblage haut débit d'une chimiothèque de dégradeurs de FLT3 sur cellules primaires",
        "summary": (
            "Criblage de 400 dégradeurs de FLT3 sur lignées et cellules primaires de LAM, en format 384 "
            "puits, avec courbes dose-réponse."
        ),
        "objectives": "Classement des 20 meilleurs composés ; rapport de criblage.",
        "budget_band": B.FROM_50K,
        "duration_months": 4,
        "starts_in_days": 30,
        "language": "fr",
        "disease_areas": ["aml"],
        "capabilities": ["screening_small_molecules"],
        "start": 290,
        "steps": [
            (1, "submit"),
            (1, "triage"),
            (2, "route", {"screen": "Criblage automatisé sur cellules primaires de LAM."}),
            (3, "accept", "screen", "Créneau disponible en mai ; devis envoyé."),
            (2, "contract"),
            (1, "agreement", "myelis-flt3-screening-service", "request", "screen", "service", "fr", "legal"),
            (0, "agreement", "myelis-flt3-screening-service", "start_drafting"),
            (2, "agreement", "myelis-flt3-screening-service", "terms"),
            (0, "agreement", "myelis-flt3-screening-service", "draft"),
            (0, "agreement", "myelis-flt3-screening-service", "internal_review"),
            (3, "agreement", "myelis-flt3-screening-service", "send"),
            (5, "agreement", "myelis-flt3-screening-service", "agree"),
            (1, "agreement", "myelis-flt3-screening-service", "open_signature"),
            (2, "agreement", "myelis-flt3-screening-service", "sign", "company"),
            (3, "agreement", "myelis-flt3-screening-service", "sign", "lead"),
            (2, "agreement", "myelis-flt3-screening-service", "sign", "co_owners"),
        ],
    },
    # ---- Cellforge Therapeutics ------------------------------------------------------------------------
    {
        "company": "cellforge",
        "kind": K.PLATFORM_USE,
        "title": "GMP manufacturing of CD7-directed CAR-T batches for a phase I trial in T-ALL",
        "summary": (
            "Cellforge needs an academic GMP partner to manufacture CD7-directed CAR-T batches for a phase I "
            "trial in relapsed T-cell acute lymphoblastic leukemia, including process transfer and release "
            "testing."
        ),
        "objectives": "Process transfer, three engineering runs, then up to 12 CAR-T GMP batches.",
        "budget_band": B.FROM_500K,
        "duration_months": 24,
        "starts_in_days": 120,
        "nda_required": True,
        "language": "en",
        "disease_areas": ["all"],
        "capabilities": ["cart_bioproduction"],
        "start": 120,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (0, "note", "AP-HP DRCI leads for PF-CART; check GMP suite capacity for Q2 with the platform."),
            (2, "route", {"cart": "GMP facility producing CAR-T batches for phase I/II trials."}),
            (
                5,
                "msg",
                "company",
                "Our lentiviral vector lots are released; the CMC dossier can be shared once the NDA is in force.",
            ),
            (2, "accept", "cart", "Capacity confirmed from Q2; process transfer can start under NDA."),
            (3, "contract"),
            (1, "agreement", "cellforge-cart-nda", "request", "cart", "nda", "en", "legal"),
            (0, "agreement", "cellforge-cart-nda", "start_drafting"),
            (1, "agreement", "cellforge-cart-nda", "terms"),
            (0, "agreement", "cellforge-cart-nda", "draft"),
            (0, "agreement", "cellforge-cart-nda", "send"),
            (4, "agreement", "cellforge-cart-nda", "agree"),
            (1, "agreement", "cellforge-cart-nda", "sign", "company"),
        ],
    },
    {
        "company": "cellforge",
        "kind": K.COLLABORATIVE_CALL,
        "title": "Horizon Europe: allogeneic CAR-T for relapsed T-cell acute lymphoblastic leukemia",
        "summary": (
            "Cellforge coordinates a Horizon Europe proposal on base-edited allogeneic CAR-T cells for "
            "relapsed T-ALL and seeks a clinical group, a GMP platform and an immunology lab."
        ),
        "objectives": "Consortium agreement before the grant agreement; first-in-human trial in year 3.",
        "budget_band": B.OVER_1M,
        "duration_months": 60,
        "funding_programme": FundingProgramme.HORIZON_EUROPE,
        "funding_call": "HORIZON-HLTH-2027-DISEASE-07 – Next-generation cell therapies",
        "deadline_in_days": 100,
        "language": "en",
        "disease_areas": ["all"],
        "capabilities": ["cart_bioproduction", "clinical_trials", "screening_cell_therapies"],
        "start": 35,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "route",
                {
                    "cart": "GMP CAR-T bioproduction.",
                    "graall": "Adult ALL trials network.",
                    "immuno": "CAR-T and T-cell exhaustion assays.",
                },
            ),
            (4, "refuse", "immuno", "Already a partner of a competing proposal to the same call."),
        ],
    },
    # ---- Hematica Genomics -----------------------------------------------------------------------------
    {
        "company": "hematica",
        "kind": K.BILATERAL_RD,
        "title": "Single-cell multi-omics atlas of clonal evolution from MDS to AML",
        "summary": (
            "Hematica develops single-cell DNA and protein panels. We propose a joint study of clonal "
            "evolution from myelodysplastic syndromes to secondary AML on serial samples."
        ),
        "objectives": "Atlas of 60 patients; candidate progression biomarkers; joint publication.",
        "budget_band": B.FROM_200K,
        "duration_months": 24,
        "starts_in_days": 90,
        "language": "en",
        "disease_areas": ["mds", "aml"],
        "capabilities": ["biomarkers"],
        "start": 80,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "route",
                {
                    "genomics": "Single-cell multi-omics of MDS clonal evolution.",
                    "gfm": "National MDS registry and serial samples.",
                },
            ),
            (
                5,
                "refuse",
                "gfm",
                "GFM samples already contribute to UMR 8200's cohort under an existing "
                "agreement; the unit should lead.",
            ),
            (2, "accept", "genomics", "Fits our ongoing MDS programme; we propose a kick-off next month."),
            (3, "contract"),
            (
                1,
                "agreement",
                "hematica-atlas-collaboration",
                "request",
                "genomics",
                "research_collaboration",
                "en",
                "legal",
            ),
            (0, "agreement", "hematica-atlas-collaboration", "start_drafting"),
            (3, "agreement", "hematica-atlas-collaboration", "terms"),
            (0, "agreement", "hematica-atlas-collaboration", "draft"),
            (0, "agreement", "hematica-atlas-collaboration", "internal_review"),
            (3, "agreement", "hematica-atlas-collaboration", "send"),
            (5, "agreement", "hematica-atlas-collaboration", "agree"),
            (1, "agreement", "hematica-atlas-collaboration", "open_signature"),
            (2, "agreement", "hematica-atlas-collaboration", "sign", "company"),
            (2, "agreement", "hematica-atlas-collaboration", "sign", "lead"),
            (1, "agreement", "hematica-atlas-collaboration", "sign", "co_owners"),
        ],
    },
    {
        "company": "hematica",
        "kind": K.COLLABORATIVE_CALL,
        "title": "ANR PRCE: single-cell clonal tracking in chronic myelomonocytic leukemia",
        "summary": (
            "Hematica wants to answer the ANR generic call (PRCE instrument) with an academic partner on "
            "single-cell clonal tracking in CMML under hypomethylating agents."
        ),
        "objectives": "Pre-proposal with one academic coordinator.",
        "budget_band": B.FROM_200K,
        "duration_months": 42,
        "funding_programme": FundingProgramme.ANR,
        "funding_call": "ANR Generic Call 2027 – PRCE (collaborative research with companies)",
        "deadline_in_days": 45,
        "language": "en",
        "disease_areas": ["mds", "mpn"],
        "capabilities": ["biomarkers"],
        "start": 12,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                0,
                "note",
                "Candidates: UMR 8200 (coordinator) with GFM samples. Check ANR rules for a Dutch company partner.",
            ),
        ],
    },
    # ---- Oncoroute Analytics ---------------------------------------------------------------------------
    {
        "company": "oncoroute",
        "kind": K.LICENCE,
        "title": "Extraction de données de vie réelle pour un modèle prédictif de rechute de LAM",
        "summary": (
            "Oncoroute développe un modèle d'IA prédisant la rechute des LAM après allogreffe. Nous "
            "demandons un extrait pseudonymisé de données de vie réelle pour l'entraîner et le valider."
        ),
        "objectives": "Extrait de 2 000 patients ; validation externe du modèle.",
        "data_use": (
            "Réutilisation de données pseudonymisées selon la méthodologie de référence MR-004 ; hébergement "
            "certifié HDS ; aucune tentative de réidentification ; pas de transfert hors UE."
        ),
        "budget_band": B.FROM_50K,
        "duration_months": 12,
        "starts_in_days": 60,
        "language": "fr",
        "disease_areas": ["aml"],
        "capabilities": ["real_world_data"],
        "start": 140,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (2, "route", {"cohort": "Base de vie réelle LAM avec issues après allogreffe."}),
            (4, "accept", "cohort", "Faisabilité : 2 300 patients éligibles ; avis du DPO à demander."),
            (3, "contract"),
            (
                2,
                "msg",
                "entity:cohort",
                "Le protocole relève de la méthodologie MR-004 ; le délégué à la protection des données de l'AP-HP "
                "rendra son avis sur la licence pendant la revue interne.",
            ),
            (5, "agreement", "oncoroute-aml-relapse-data", "request", "cohort", "data_access", "fr", "legal"),
            (0, "agreement", "oncoroute-aml-relapse-data", "start_drafting"),
            (
                25,
                "msg",
                "company",
                "La version 1.1 du protocole est prête : 140 variables, dont la MRD avant greffe, et un hébergement "
                "chez notre hébergeur certifié HDS.",
            ),
            (25, "agreement", "oncoroute-aml-relapse-data", "terms"),
            (0, "agreement", "oncoroute-aml-relapse-data", "draft"),
            (0, "agreement", "oncoroute-aml-relapse-data", "internal_review"),
        ],
    },
    {
        "company": "oncoroute",
        "kind": K.JOINT_LAB,
        "title": "Laboratoire commun : IA de cytomorphologie sur frottis médullaires",
        "data_use": (
            "Images de frottis médullaires pseudonymisées, réutilisées selon la méthodologie de référence MR-004 ; "
            "hébergement certifié HDS au laboratoire commun."
        ),
        "summary": (
            "Projet de laboratoire commun pour développer des algorithmes d'apprentissage profond de "
            "cytomorphologie sur frottis médullaires de leucémies."
        ),
        "objectives": "Feuille de route sur 4 ans, gouvernance commune, base d'images annotées.",
        "budget_band": B.FROM_500K,
        "duration_months": 48,
        "starts_in_days": 120,
        "language": "fr",
        "disease_areas": ["aml", "mds"],
        "capabilities": ["biomarkers", "real_world_data"],
        "start": 250,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (2, "route", {"hema": "Cytologie et hématopoïèse ; collection de frottis annotés."}),
            (5, "accept", "hema", "Intérêt fort pour un laboratoire commun."),
            (3, "contract"),
            (2, "agreement", "oncoroute-cytomorphology-joint-lab", "request", "hema", "joint_lab", "fr", "legal"),
            (
                10,
                "note",
                "Points à cadrer avant la rédaction : propriété des modèles entraînés, accès aux images (MR-004), "
                "contribution d'Oncoroute.",
            ),
            (
                30,
                "msg",
                "company",
                "Notre proposition de feuille de route est déposée : quatre axes sur quatre ans, un comité commun "
                "deux fois par an, deux ingénieurs d'Oncoroute installés dans l'unité.",
            ),
            (35, "agreement", "oncoroute-cytomorphology-joint-lab", "start_drafting"),
            (40, "agreement", "oncoroute-cytomorphology-joint-lab", "terms"),
            (0, "agreement", "oncoroute-cytomorphology-joint-lab", "draft"),
            (0, "agreement", "oncoroute-cytomorphology-joint-lab", "internal_review"),
            (
                15,
                "agreement",
                "oncoroute-cytomorphology-joint-lab",
                "return",
                "La revue interne d'Inserm Transfert demande de distinguer les modèles entraînés (leurs poids) des "
                "logiciels, de préciser la copropriété de chacun, et de réserver aux établissements l'usage des "
                "images annotées pour leurs propres recherches.",
            ),
        ],
    },
    # ---- Sanagen Pharma France -------------------------------------------------------------------------
    {
        "company": "sanagen",
        "kind": K.JOINT_LAB,
        "title": "Industrial chair on immune escape in lymphoid malignancies",
        "summary": (
            "Sanagen proposes to co-fund a four-year industrial chair on immune escape mechanisms in CLL and "
            "lymphomas, to guide its bispecific antibody programmes."
        ),
        "objectives": "Chair holder recruited; yearly scientific review; shared exploitation strategy.",
        "budget_band": B.OVER_1M,
        "duration_months": 48,
        "starts_in_days": 150,
        "language": "en",
        "disease_areas": ["cll", "lymphoma"],
        "capabilities": ["screening_biologics", "biomarkers"],
        "start": 305,
        "central": "m.delaunay",
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (3, "route", {"immuno": "Immune escape in lymphoid malignancies; industrial chair experience."}),
            (6, "accept", "immuno", "The unit and Sorbonne Université support the chair."),
            (3, "contract"),
            (1, "agreement", "sanagen-immune-escape-chair", "request", "immuno", "industrial_chair", "en", "legal"),
            (0, "agreement", "sanagen-immune-escape-chair", "start_drafting"),
            (
                4,
                "msg",
                "company",
                "Our legal team has sent its comments on Sorbonne Université's model chair agreement: "
                "co-owned results, and Sanagen's name in the chair's name.",
            ),
            (6, "agreement", "sanagen-immune-escape-chair", "terms"),
            (0, "agreement", "sanagen-immune-escape-chair", "draft"),
            (0, "agreement", "sanagen-immune-escape-chair", "internal_review"),
            (5, "agreement", "sanagen-immune-escape-chair", "send"),
            (9, "agreement", "sanagen-immune-escape-chair", "agree"),
            (2, "agreement", "sanagen-immune-escape-chair", "open_signature"),
            (3, "agreement", "sanagen-immune-escape-chair", "sign", "company"),
            (5, "agreement", "sanagen-immune-escape-chair", "sign", "lead"),
            (4, "agreement", "sanagen-immune-escape-chair", "sign", "co_owners"),
        ],
    },
    {
        "company": "sanagen",
        "kind": K.CONSULTANCY,
        "title": "Expert advice on treatment sequencing after BTK and BCL-2 inhibitors in CLL",
        "summary": (
            "Sanagen seeks expert advice on treatment sequencing in CLL after BTK and BCL-2 inhibitors, to "
            "position a new compound in its development plan."
        ),
        "objectives": "Advisory board of four experts; written report.",
        "budget_band": B.UNDER_50K,
        "duration_months": 2,
        "starts_in_days": 30,
        "language": "en",
        "disease_areas": ["cll"],
        "capabilities": ["clinical_trials"],
        "start": 200,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (2, "route", {"filo": "CLL cooperative group; trials of BTK and BCL-2 inhibitor combinations."}),
            (4, "accept", "filo", "Four investigators available for an advisory board."),
            (2, "contract"),
            (1, "agreement", "sanagen-cll-sequencing-advice", "request", "filo", "consultancy", "en", "legal"),
            (0, "agreement", "sanagen-cll-sequencing-advice", "start_drafting"),
            (3, "agreement", "sanagen-cll-sequencing-advice", "terms"),
            (0, "agreement", "sanagen-cll-sequencing-advice", "draft"),
            (0, "agreement", "sanagen-cll-sequencing-advice", "internal_review"),
            (4, "agreement", "sanagen-cll-sequencing-advice", "send"),
            (6, "agreement", "sanagen-cll-sequencing-advice", "agree"),
            (
                2,
                "agreement",
                "sanagen-cll-sequencing-advice",
                "approve",
                "transparency",
                "approved",
                "Transparence Santé declaration TS-2026-118734",
                "Sanagen declares the agreement and the fees paid through FILO on the public Transparence Santé "
                "database.",
            ),
            (
                5,
                "agreement",
                "sanagen-cll-sequencing-advice",
                "approve",
                "anti_gift",
                "approved",
                "EThiCS file 2026-04127",
                "Declared to the Ordre des médecins through the EThiCS platform for the four haematologists; "
                "no objection within the legal period.",
            ),
            (1, "agreement", "sanagen-cll-sequencing-advice", "open_signature"),
            (2, "agreement", "sanagen-cll-sequencing-advice", "sign", "company"),
            (3, "agreement", "sanagen-cll-sequencing-advice", "sign", "lead"),
        ],
    },
    {
        "company": "sanagen",
        "kind": K.LICENCE,
        "title": "Licence of a patented prognostic gene signature in MDS",
        "summary": (
            "Sanagen would like a non-exclusive licence to a patented prognostic gene signature in "
            "myelodysplastic syndromes, for patient stratification in its trials."
        ),
        "objectives": "Non-exclusive licence, field: clinical trial stratification.",
        "budget_band": B.FROM_50K,
        "language": "en",
        "disease_areas": ["mds"],
        "capabilities": ["biomarkers"],
        "start": 15,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                1,
                "note",
                "Patent co-owned by CNRS and Gustave Roussy; Gustave Roussy is the IP agent for "
                "UMR 8200: check with it that the field is still free.",
            ),
        ],
    },
    {
        "company": "sanagen",
        "kind": K.OTHER,
        "title": "Exploratory discussion on treatment-free remission in CML",
        "summary": (
            "Sanagen would like an exploratory discussion on research needs around treatment-free remission "
            "in chronic myeloid leukemia."
        ),
        "objectives": "Identify possible projects.",
        "budget_band": B.UNKNOWN,
        "language": "en",
        "disease_areas": ["cml"],
        "capabilities": [],
        "start": 100,
        "steps": [
            (1, "submit"),
            (3, "triage"),
            (2, "msg", "central", "We suggest a call with UMR 9020 – U1277 and U944; would next week suit?"),
            # Closed while both units were still asked: the demo's closed enquiry with live routings.
            (
                1,
                "route",
                {
                    "canther": "Drug resistance and leukemic stem-cell persistence under tyrosine kinase inhibitors.",
                    "hema": "Haematopoietic stem cells and clonal models of CML.",
                },
            ),
            (7, "no_go", "After the first call Sanagen decided not to pursue CML programmes this year."),
        ],
    },
    # ---- Biolumen Instruments --------------------------------------------------------------------------
    {
        "company": "biolumen",
        "kind": K.PLATFORM_USE,
        "title": "Performance evaluation of a 12-colour flow cytometer for MRD follow-up",
        "summary": (
            "Biolumen would like to evaluate its new 12-colour flow cytometer against reference instruments "
            "for minimal residual disease follow-up on patient samples."
        ),
        "objectives": "Comparative study on 150 samples; performance report.",
        "budget_band": B.FROM_50K,
        "duration_months": 6,
        "starts_in_days": 60,
        "language": "en",
        "disease_areas": ["all", "cll"],
        "capabilities": ["biomarkers", "clinical_trials"],
        "start": 60,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (2, "route", {"graall": "MRD follow-up in adult ALL trials."}),
            (
                6,
                "refuse",
                "graall",
                "GRAALL measures MRD by molecular methods (Ig/TR); a flow-based evaluation does not fit our trials.",
            ),
            (1, "note", "Back in triage: trying FILO, whose CLL trials use flow MRD."),
            (1, "route", {"filo": "Flow-cytometry MRD in CLL trials."}),
            # Accepted and waiting for the central team: the demo's only enquiry at that stage.
            (
                5,
                "accept",
                "filo",
                "Flow MRD guides our CLL trials: two FILO laboratories can run the comparison on 150 samples.",
            ),
        ],
    },
    {
        "company": "biolumen",
        "kind": K.COLLABORATIVE_CALL,
        "title": "Hauts-de-France regional call: point-of-care blood analyser for leukemia screening",
        "summary": (
            "Biolumen prepares an application to a Hauts-de-France regional programme for a point-of-care "
            "blood analyser that flags suspected acute leukemia in primary care."
        ),
        "objectives": "Regional consortium with a hospital and a biobank.",
        "budget_band": B.FROM_500K,
        "duration_months": 36,
        "funding_programme": FundingProgramme.REGIONAL,
        "funding_call": "Région Hauts-de-France – Santé Innovation 2027",
        "deadline_in_days": 60,
        "language": "en",
        "disease_areas": ["aml", "all"],
        "capabilities": ["biological_samples", "clinical_trials"],
        "start": 5,
        "steps": [(1, "submit")],
    },
    # ---- MedData Santé ---------------------------------------------------------------------------------
    {
        "company": "meddata",
        "kind": K.COLLABORATIVE_CALL,
        "title": "Appel Bpifrance i-Démo : analyses fédérées de données de vie réelle en hématologie",
        "data_use": (
            "Analyses fédérées : les données restent chez chaque responsable de traitement, seuls des agrégats "
            "circulent ; MR-004 ; pas de transfert hors UE."
        ),
        "summary": (
            "MedData Santé monte un projet i-Démo d'analyses fédérées sur des données de vie réelle de "
            "leucémies aiguës, sans centralisation des données patients."
        ),
        "objectives": "Consortium de trois partenaires ; démonstrateur sur deux bases.",
        "budget_band": B.OVER_1M,
        "duration_months": 36,
        "funding_programme": FundingProgramme.BPIFRANCE,
        "funding_call": "i-Démo – Santé numérique, vague 2027",
        "deadline_in_days": 90,
        "language": "fr",
        "disease_areas": ["aml", "all"],
        "capabilities": ["real_world_data"],
        "start": 75,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "route",
                {
                    "cohort": "Base de vie réelle multicentrique des leucémies aiguës.",
                    "alfa": "Données des essais LAM.",
                },
            ),
            (
                4,
                "refuse",
                "alfa",
                "Les données des essais ALFA ne peuvent pas entrer dans un démonstrateur "
                "fédéré avant la publication des essais en cours.",
            ),
            (2, "accept", "cohort", "Partenaire académique du projet ; nous rédigeons le lot données."),
            (2, "contract"),
            (1, "agreement", "meddata-federated-rwd-consortium", "request", "cohort", "consortium", "fr", "legal"),
            (0, "agreement", "meddata-federated-rwd-consortium", "start_drafting"),
            (12, "agreement", "meddata-federated-rwd-consortium", "terms"),
            (0, "agreement", "meddata-federated-rwd-consortium", "draft"),
            (0, "agreement", "meddata-federated-rwd-consortium", "internal_review"),
            (8, "agreement", "meddata-federated-rwd-consortium", "send"),
        ],
    },
    {
        "company": "meddata",
        "kind": K.OTHER,
        "title": "Déploiement d'un entrepôt de données pour les groupes coopérateurs",
        "data_use": (
            "Entrepôt de données des essais des groupes coopérateurs ; finalité : recherche ; "
            "base légale à définir avec les DPO des groupes (MR-004 envisagée)."
        ),
        "summary": (
            "MedData Santé propose de déployer son entrepôt de données de santé auprès des groupes "
            "coopérateurs d'OPALE."
        ),
        "objectives": "Contrat de déploiement et de maintenance.",
        "budget_band": B.FROM_200K,
        "language": "fr",
        "disease_areas": [],
        "capabilities": ["real_world_data"],
        "start": 180,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                4,
                "decline",
                "Il s'agit d'une fourniture de logiciel relevant des achats des établissements, "
                "et non d'un partenariat de recherche ; nous vous avons orientés vers les "
                "directions des achats concernées.",
            ),
        ],
    },
    # ---- Cytometrix Medical ----------------------------------------------------------------------------
    {
        "company": "cytometrix",
        "kind": K.BILATERAL_RD,
        "title": "Comparabilité d'un procédé d'aphérèse automatisé pour la production de CAR-T",
        "summary": (
            "Cytometrix a mis au point un procédé d'aphérèse et de sélection lymphocytaire automatisé. Nous "
            "souhaitons étudier sa comparabilité avec le procédé de référence pour la production de CAR-T."
        ),
        "objectives": "Étude de comparabilité sur 10 aphérèses ; publication conjointe.",
        "budget_band": B.FROM_200K,
        "duration_months": 12,
        "starts_in_days": 90,
        "language": "fr",
        "disease_areas": ["lymphoma", "all"],
        "capabilities": ["cart_bioproduction"],
        "start": 20,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                1,
                "ask",
                "Le dispositif est-il marqué CE ? L'étude porterait-elle sur des donneurs sains ou sur des patients ?",
            ),
        ],
    },
    # ---- Greenfield Lab Supplies -----------------------------------------------------------------------
    {
        "company": "greenfield",
        "kind": K.OTHER,
        "title": "Milieu de cryoconservation sans DMSO pour échantillons de leucémie",
        "summary": "Brouillon : évaluation d'un milieu de cryoconservation sans DMSO sur cellules de leucémie.",
        "objectives": "",
        "budget_band": B.UNKNOWN,
        "language": "fr",
        "disease_areas": [],
        "capabilities": ["biological_samples"],
        "start": 9,
        "steps": [],
    },
    {
        "company": "greenfield",
        "kind": K.OTHER,
        "title": "Accord de distribution de consommables de laboratoire",
        "summary": "Greenfield souhaite référencer ses consommables de laboratoire auprès des entités d'OPALE.",
        "objectives": "Accord-cadre de distribution.",
        "budget_band": B.UNDER_50K,
        "language": "fr",
        "disease_areas": [],
        "capabilities": [],
        "start": 230,
        "central": "a.benali",
        "steps": [
            (1, "submit"),
            (
                3,
                "decline",
                "OPALE ne conclut pas d'accords commerciaux de distribution ; les achats relèvent "
                "de chaque établissement.",
            ),
        ],
    },
    # ---- Helvetic Oncology -----------------------------------------------------------------------------
    {
        "company": "helvetic",
        "kind": K.CONSULTANCY,
        "title": "Paediatric investigation plan for a CD19xCD3 bispecific: expert input",
        "summary": (
            "Helvetic Oncology prepares the paediatric investigation plan of a CD19xCD3 bispecific antibody "
            "and seeks the input of paediatric leukemia experts."
        ),
        "objectives": "Expert review of the draft PIP; two meetings.",
        "budget_band": B.UNDER_50K,
        "duration_months": 3,
        "language": "en",
        "disease_areas": ["paediatric", "all"],
        "capabilities": ["clinical_trials"],
        "start": 18,
        "steps": [
            (1, "submit"),
            (3, "triage"),
            (1, "note", "Fits the SFCE leukemia committee; wait for its scientific council date before routing."),
        ],
    },
    {
        "company": "helvetic",
        "kind": K.PLATFORM_USE,
        "title": "Screening a bispecific antibody on paediatric B-ALL PDX models",
        "summary": (
            "Efficacy of a CD19xCD3 bispecific antibody on paediatric B-ALL PDX models, including CD19-low relapses."
        ),
        "objectives": "Six PDX models; humanised mice.",
        "budget_band": B.FROM_200K,
        "duration_months": 9,
        "starts_in_days": 60,
        "nda_required": True,
        "language": "en",
        "disease_areas": ["paediatric", "all"],
        "capabilities": ["preclinical_models", "screening_biologics"],
        "start": 110,
        "steps": [
            (1, "submit"),
            (2, "triage"),
            (
                2,
                "route",
                {
                    "pdx": "Paediatric B-ALL PDX models.",
                    "sfce": "Paediatric leukemia committee; CD19-low relapse samples.",
                },
            ),
            (6, "withdraw", "The programme was out-licensed; the licensee will run its own preclinical work."),
        ],
    },
]

# --------------------------------------------------------------------------------------------------------
# Routing rules: (entity key, name, kind, disease area, capability, keywords, weight).
# --------------------------------------------------------------------------------------------------------
ROUTING_RULES = [
    (
        "cart",
        "CAR-T manufacturing",
        "",
        "",
        "cart_bioproduction",
        "car-t, cart, gmp batch, bioproduction, lentiviral, apheresis",
        40,
    ),
    (
        "immuno",
        "Cell therapy and bispecific screening",
        "",
        "",
        "screening_cell_therapies",
        "car-nk, bispecific, t-cell exhaustion, immune escape",
        15,
    ),
    ("biobank", "Biological samples", "", "", "biological_samples", "", 30),
    ("biobank", "Licence of samples", K.LICENCE, "", "", "samples, biobank, codecoh, dna, viable cells", 20),
    ("cohort", "Collaborative calls on real-world evidence", K.COLLABORATIVE_CALL, "", "real_world_data", "", 15),
    ("cohort", "Real-world data", "", "", "real_world_data", "real-world, registry, data extract, outcome, mr-004", 30),
    ("pdx", "PDX and in vivo models", "", "", "preclinical_models", "pdx, xenograft, in vivo, nsg mice", 35),
    (
        "screen",
        "Small-molecule screening",
        "",
        "",
        "screening_small_molecules",
        "high-throughput, hts, compound library, screening, synergy",
        30,
    ),
    ("screen", "Biologics screening", "", "", "screening_biologics", "", 20),
    ("alfa", "Adult AML trials", "", "aml", "clinical_trials", "phase i, phase ii, phase iii, trial", 25),
    ("filo", "CLL and lymphoma clinical work", "", "cll", "", "btk, bcl-2, venetoclax", 25),
    ("graall", "Adult ALL and molecular MRD", "", "all", "", "mrd, minimal residual disease, ig/tr", 25),
    ("gfm", "Myelodysplastic syndromes", "", "mds", "", "mds, cmml, hypomethylating", 25),
    ("sfce", "Paediatric leukemia", "", "paediatric", "", "children, paediatric, pediatric, pip", 35),
    (
        "lsc",
        "Menin, FLT3 and leukemia stem cells",
        "",
        "",
        "",
        "menin, kmt2a, npm1, flt3, leukemia stem cell, venetoclax resistance",
        20,
    ),
    (
        "genomics",
        "Single-cell and clonal genomics",
        "",
        "",
        "biomarkers",
        "single-cell, scrna-seq, clonal evolution, methylation, gene signature",
        20,
    ),
    ("canther", "Drug resistance and myeloma", "", "myeloma", "", "resistance, plasticity, repositioning", 15),
    ("hema", "Haematopoiesis and MPN", "", "mpn", "", "jak2, calr, haematopoiesis, crispr", 15),
]

# --------------------------------------------------------------------------------------------------------
# The logins the command prints.
# --------------------------------------------------------------------------------------------------------
DEMO_LOGINS = [
    {
        "role": "Superuser",
        "username": "admin",
        "sees": "Everything, including users and reference data",
        "url": STAFF_LOGIN_URL,
    },
    {
        "role": "Central team",
        "username": "central",
        "sees": "All enquiries: triage, routing, reference data",
        "url": STAFF_LOGIN_URL,
    },
    {
        "role": "Entity contact",
        "username": "entity",
        "sees": "Enquiries routed to UMR-S 1131 and PF-PDX; accepts or declines",
        "url": STAFF_LOGIN_URL,
    },
    {
        "role": "Legal staff (Inserm)",
        "username": "legal",
        "sees": "Enquiries of entities governed by Inserm",
        "url": STAFF_LOGIN_URL,
    },
    {
        "role": "Company member",
        "username": "company",
        "sees": "Hemavia Therapeutics' enquiries",
        "url": COMPANY_LOGIN_URL,
    },
    {
        "role": "Company member",
        "username": "company2",
        "sees": "Lymphocyte Diagnostics' enquiries",
        "url": COMPANY_LOGIN_URL,
    },
]

COUNTED_MODELS = [
    ("users", get_user_model()),
    ("companies", Company),
    ("company members", CompanyMember),
    ("governing bodies", GoverningBody),
    ("entities", Entity),
    ("governance rows", Governance),
    ("routing rules", RoutingRule),
    ("enquiries", Enquiry),
    ("routings", Routing),
    ("messages", Message),
    ("stage changes", StageChange),
    ("contracts", Agreement),
    ("draft versions", DraftVersion),
    ("signatures", Signature),
    ("survey invitations", SurveyInvitation),
    ("survey answers", SurveyAnswer),
]


# ========================================================================================================
# Loading
# ========================================================================================================
def load(*, today: dt.date | None = None, contracts: bool = True) -> dict[str, Any]:
    """Create whatever demo data is missing, in one transaction; return what was created and the totals.

    ``today`` anchors the enquiries' timelines (default: today in the portal's time zone). ``contracts=False``
    leaves out the enquiries' contracts (their PDFs take seconds to render), for tests that need none.
    """
    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    with transaction.atomic():
        before = {model: model.objects.count() for model in (StageChange, DraftVersion, Signature)}
        users = _load_users(created)
        _verify_emails(users)
        bodies = _load_bodies(users, created)
        entities = _load_entities(users, bodies, created)
        companies = _load_companies(users, created)
        _load_routing_rules(entities, created)
        # past events: nobody is e-mailed about them today; each enquiry's clocks are computed once, at the end
        with notices.silenced(), clocks.deferred():
            _load_enquiries(users, entities, companies, today, created, contracts=contracts)
        for label, model in (
            ("stage changes", StageChange),
            ("draft versions", DraftVersion),
            ("signatures", Signature),
        ):
            created[label] = model.objects.count() - before[model]
    return {
        "created": {label: created[label] for label, _model in COUNTED_MODELS if created[label]},
        "totals": {label: model.objects.count() for label, model in COUNTED_MODELS},
        "logins": [
            {
                **login,
                "password": DEMO_PASSWORD,
                # companies sign in on the portal with their e-mail; staff in the admin with their username
                "sign_in_with": users[login["username"]].email
                if login["url"] == COMPANY_LOGIN_URL
                else login["username"],
            }
            for login in DEMO_LOGINS
        ],
    }


def _email(first_name: str, last_name: str, domain: str) -> str:
    local = f"{first_name}.{last_name}".lower().replace(" ", "-").replace("'", "")
    ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
    return f"{ascii_local}@{domain}"


def _user_specs() -> list[dict[str, Any]]:
    """Every demo user, superuser, staff and company members, with its group."""
    username, first, last = SUPERUSER
    specs = [
        {
            "username": username,
            "first_name": first,
            "last_name": last,
            "domain": STAFF_EMAIL_DOMAIN,
            "is_staff": True,
            "is_superuser": True,
            "group": None,
        }
    ]
    for username, first, last, group in STAFF:
        specs.append(
            {
                "username": username,
                "first_name": first,
                "last_name": last,
                "domain": STAFF_EMAIL_DOMAIN,
                "is_staff": True,
                "is_superuser": False,
                "group": group,
            }
        )
    for company in COMPANIES:
        for username, first, last, _job, _signs in company["members"]:
            specs.append(
                {
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "domain": company["domain"],
                    "is_staff": False,
                    "is_superuser": False,
                    "group": None,
                }
            )
    return specs


def _load_users(created: Counter) -> dict[str, Any]:
    User = get_user_model()
    specs = _user_specs()
    users = {u.username: u for u in User.objects.filter(username__in=[s["username"] for s in specs])}
    missing = [s for s in specs if s["username"] not in users]
    if not missing:
        return users
    groups = {g.name: g for g in Group.objects.filter(name__in=[CENTRAL_TEAM, ENTITY_CONTACT, LEGAL_STAFF])}
    if len(groups) != 3:
        raise RuntimeError("The staff groups are missing: run `manage.py migrate` before loading demo data.")
    # One hash for every new user: PBKDF2 takes about half a second, so hashing per user would make the
    # load slow, and the demo password is printed on the console anyway.
    password = make_password(DEMO_PASSWORD)
    for spec in missing:
        user = User(
            username=spec["username"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            email=_email(spec["first_name"], spec["last_name"], spec["domain"]),
            is_staff=spec["is_staff"],
            is_superuser=spec["is_superuser"],
            password=password,
        )
        user.save()
        if spec["group"]:
            user.groups.add(groups[spec["group"]])
        users[user.username] = user
        created["users"] += 1
    return users


def _licence_subject(spec: dict) -> str:
    """What a demo licence is for, read from what its enquiry carries (samples need a scientific project)."""
    if spec["kind"] != PartnershipKind.LICENCE:
        return ""
    if spec.get("scientific_project"):
        return LicenceSubject.SAMPLES
    return LicenceSubject.DATA if spec.get("data_use") else LicenceSubject.PATENT


def _verify_emails(users: dict[str, Any]) -> None:
    """Demo addresses count as verified, so company logins can sign in to the portal straight away."""
    from allauth.account.models import EmailAddress

    known = set(EmailAddress.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in users.values()
            if user.pk not in known and user.email
        ]
    )


def _load_bodies(users: dict[str, Any], created: Counter) -> dict[str, GoverningBody]:
    names = [spec["short_name"] for spec in BODIES]
    bodies = {body.short_name: body for body in GoverningBody.objects.filter(short_name__in=names)}
    for spec in BODIES:
        if spec["short_name"] in bodies:
            continue
        body = GoverningBody(**{field: value for field, value in spec.items() if field != "legal_staff"})
        body.full_clean()
        body.save()
        body.legal_staff.add(*(users[username] for username in spec["legal_staff"]))
        bodies[body.short_name] = body
        created["governing bodies"] += 1
    return bodies


def _load_entities(users: dict[str, Any], bodies: dict[str, GoverningBody], created: Counter) -> dict[str, Entity]:
    existing = {e.name: e for e in Entity.objects.filter(name__in=[spec["name"] for spec in ENTITIES])}
    areas, capabilities = _terms(DiseaseArea), _terms(Capability)
    entities = {}
    for spec in ENTITIES:
        entity = existing.get(spec["name"])
        if entity is None:
            entity = Entity(
                name=spec["name"],
                code=spec["code"],
                kind=spec["kind"],
                city=spec["city"],
                profile=spec["profile"],
                partnership_kinds=[str(kind) for kind in spec["partnership_kinds"]],
                contact_email=spec["contact_email"],
            )
            entity.full_clean()
            entity.save()
            entity.disease_areas.set([areas[code] for code in spec["disease_areas"]])
            entity.capabilities.set([capabilities[code] for code in spec["capabilities"]])
            entity.scientific_contacts.set([users[username] for username in spec["contacts"]])
            _add_governance(entity, spec["bodies"], bodies)
            created["entities"] += 1
            created["governance rows"] += len(spec["bodies"])
        entities[spec["key"]] = entity
    return entities


def _add_governance(entity: Entity, rows: list[tuple[str, str]], bodies: dict[str, GoverningBody]) -> None:
    roles = [set(words.split()) for _short_name, words in rows]
    # The database holds "at most one" lead negotiator and IP agent; the demo data must also hold "at least".
    for role in ("lead", "ip"):
        if sum(role in entity_roles for entity_roles in roles) != 1:
            raise ValueError(f"Demo entity {entity.name!r} needs exactly one {role!r} governing body.")
    for (short_name, _words), body_roles in zip(rows, roles, strict=True):
        unknown = body_roles - {"lead", "ip", "managing", "host"}
        if unknown:
            raise ValueError(f"Unknown governance roles {sorted(unknown)} for {entity.name!r}.")
        Governance.objects.create(
            entity=entity,
            body=bodies[short_name],
            is_lead_negotiator="lead" in body_roles,
            is_ip_agent="ip" in body_roles,
            is_managing_body="managing" in body_roles,
            is_host_body="host" in body_roles,
        )


def _terms(model) -> dict[str, Any]:
    return {term.code: term for term in model.objects.all()}


def _load_companies(users: dict[str, Any], created: Counter) -> dict[str, Company]:
    numbers = {
        spec["key"]: normalise_registration_number(spec["country"], spec["registration_number"]) for spec in COMPANIES
    }
    existing = {
        (str(company.country), company.registration_number): company
        for company in Company.objects.filter(registration_number__in=numbers.values())
    }
    members = set(CompanyMember.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    companies = {}
    for spec in COMPANIES:
        company = existing.get((spec["country"], numbers[spec["key"]]))
        if company is None:
            company = Company(
                legal_name=spec["legal_name"],
                country=spec["country"],
                registration_number=spec["registration_number"],
                group_name=spec["group_name"],
                size=spec["size"],
                is_startup=spec["is_startup"],
                is_spinoff=spec["is_spinoff"],
                sector=spec["sector"],
                website=f"https://www.{spec['domain']}",
            )
            company.full_clean()  # checks the registration number and stores its compact form
            company.save()
            created["companies"] += 1
        companies[spec["key"]] = company
        for username, _first, _last, job_title, signs in spec["members"]:
            user = users[username]
            if user.pk in members:
                continue
            CompanyMember.objects.create(
                company=company,
                user=user,
                job_title=job_title,
                phone=_phone(user.pk) if spec["country"] == "FR" else "",
                is_signatory=signs,
            )
            created["company members"] += 1
    return companies


def _phone(number: int) -> str:
    # 01 99 00 xx xx is a range the French regulator (ARCEP) sets aside for fiction.
    return f"+33 1 99 00 {number // 100 % 100:02d} {number % 100:02d}"


def _load_routing_rules(entities: dict[str, Entity], created: Counter) -> None:
    existing = set(RoutingRule.objects.filter(entity__in=entities.values()).values_list("entity_id", "name"))
    areas, capabilities = _terms(DiseaseArea), _terms(Capability)
    for key, name, kind, area, capability, keywords, weight in ROUTING_RULES:
        entity = entities[key]
        if (entity.pk, name) in existing:
            continue
        rule = RoutingRule(
            name=name,
            entity=entity,
            kind=kind,
            disease_area=areas[area] if area else None,
            capability=capabilities[capability] if capability else None,
            keywords=keywords,
            weight=weight,
        )
        rule.full_clean()
        rule.save()
        created["routing rules"] += 1


# ---- enquiries ------------------------------------------------------------------------------------------
def timeline(spec: dict[str, Any], today: dt.date) -> list[dt.datetime]:
    """When the enquiry was created, then when each of its steps happened: working days, office hours.

    Deterministic for a given ``today``. Raises if a step would fall today or later, so demo data that no
    longer fits in the past fails loudly instead of producing events in the future.
    """
    day = today - dt.timedelta(days=spec["start"])
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    seed = spec["start"] * 37
    moments = [_at(day, 9 * 60 + seed % 420)]
    for index, (gap, *_step) in enumerate(spec["steps"], start=1):
        if gap == 0:  # same day, a little later
            moments.append(moments[-1] + dt.timedelta(minutes=35))
            continue
        day = _add_working_days(day, gap)
        moments.append(_at(day, 9 * 60 + (seed + index * 131) % 450))
    if timezone.localtime(moments[-1]).date() >= today:
        raise ValueError(f"Demo enquiry {spec['title']!r} runs into today or the future: shorten its steps.")
    return moments


def _add_working_days(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)))


def _load_enquiries(users, entities, companies, today: dt.date, created: Counter, *, contracts: bool) -> None:
    from .demo_history import enquiries as history  # a year of history behind the stories, for the dashboard

    existing = set(Enquiry.objects.filter(company__in=companies.values()).values_list("company_id", "title"))
    specs = [*ENQUIRIES, *history(today)]
    missing = [spec for spec in specs if (companies[spec["company"]].pk, spec["title"]) not in existing]
    if not missing:
        return
    cast = _Cast(users, entities, companies)
    # Every step of every missing enquiry, replayed in time order, so references are numbered in the order
    # the enquiries were submitted, as they would have been.
    events = []
    for number, spec in enumerate(missing):
        replay = spec.get("replay", _EnquiryReplay)(spec, cast, created, contracts=contracts)
        for index, moment in enumerate(timeline(spec, today)):
            events.append((moment, number, index, replay))
    events.sort(key=lambda event: event[:3])
    for moment, _number, index, replay in events:
        replay.play(index, moment)


class _Cast:
    """Who plays which part in the enquiries: company members, central team, entity contacts, legal staff."""

    def __init__(self, users, entities, companies):
        self.users, self.entities, self.companies = users, entities, companies
        self.areas, self.capabilities = _terms(DiseaseArea), _terms(Capability)
        self.members = {spec["key"]: [users[m[0]] for m in spec["members"]] for spec in COMPANIES}
        self.signatories = {
            spec["key"]: next((users[m[0]] for m in spec["members"] if m[4]), None) for spec in COMPANIES
        }
        self.account_managers = {spec["key"]: spec.get("account_manager", "central") for spec in COMPANIES}
        self.contacts = {spec["key"]: users[spec["contacts"][0]] for spec in ENTITIES}
        first_legal = {spec["short_name"]: spec["legal_staff"][:1] for spec in BODIES}
        self.lead_legal = {}
        for spec in ENTITIES:
            lead = next(short_name for short_name, words in spec["bodies"] if "lead" in words.split())
            self.lead_legal[spec["key"]] = [users[username] for username in first_legal[lead]]


class _EnquiryReplay:
    """One demo enquiry: created at its first moment, then one workflow step per later moment."""

    STEPS = frozenset(
        {
            "submit",
            "triage",
            "ask",
            "answer",
            "route",
            "accept",
            "refuse",
            "contract",
            "sign",
            "decline",
            "withdraw",
            "no_go",
            "note",
            "msg",
            "agreement",
        }
    )

    def __init__(self, spec: dict[str, Any], cast: _Cast, created: Counter, *, contracts: bool = True):
        self.spec, self.cast, self.created = spec, cast, created
        self.with_contracts = contracts
        self.company_user = cast.members[spec["company"]][0]
        self.central = cast.users[spec.get("central") or cast.account_managers[spec["company"]]]
        self.enquiry: Enquiry | None = None
        self.accepted_by: str | None = None
        self.contracts: dict[str, ContractReplay] = {}
        self._last_signature = self._closing_signature() if not contracts else None

    def _closing_signature(self) -> tuple | None:
        """Without the contracts, the enquiry must still end signed where a contract's last signature would have
        put it: the last "sign" step of its first agreement that is not an NDA, if it has any."""
        kinds = {
            args[0]: args[3]
            for _gap, action, *args in self.spec["steps"]
            if action == "agreement" and args[1] == "request"
        }
        agreements = [label for label, kind in kinds.items() if kind != "nda"]
        signs = [
            tuple(args)
            for _gap, action, *args in self.spec["steps"]
            if action == "agreement" and agreements and args[0] == agreements[0] and args[1] == "sign"
        ]
        return signs[-1] if signs else None

    def _contract_entity(self, label: str) -> str:
        return next(
            args[2]
            for _gap, action, *args in self.spec["steps"]
            if action == "agreement" and args[0] == label and args[1] == "request"
        )

    def play(self, index: int, at: dt.datetime) -> None:
        if index == 0:
            self.enquiry = self._create(at)
            return
        _gap, action, *args = self.spec["steps"][index - 1]
        if action not in self.STEPS:
            raise ValueError(f"Unknown demo step {action!r} in {self.spec['title']!r}.")
        result = getattr(self, f"_{action}")(at, *args)
        if isinstance(result, Enquiry):
            self.enquiry = result

    def _create(self, at: dt.datetime) -> Enquiry:
        spec, author = self.spec, self.company_user
        signatory = self.cast.signatories[spec["company"]]
        starts_in, deadline_in = spec.get("starts_in_days"), spec.get("deadline_in_days")
        enquiry = Enquiry(
            company=self.cast.companies[spec["company"]],
            submitted_by=author,
            kind=spec["kind"],
            licence_subject=_licence_subject(spec),
            title=spec["title"],
            summary=spec["summary"],
            objectives=spec.get("objectives", ""),
            budget_band=spec["budget_band"],
            wished_start=(at + dt.timedelta(days=starts_in)).date().replace(day=1) if starts_in else None,
            duration_months=spec.get("duration_months"),
            funding_programme=spec.get("funding_programme", ""),
            funding_call=spec.get("funding_call", ""),
            # Counted from creation: a call deadline lies ahead of the enquiry, whatever its stage.
            funding_deadline=(at + dt.timedelta(days=deadline_in)).date() if deadline_in else None,
            scientific_project=spec.get("scientific_project", ""),
            data_use=spec.get("data_use", ""),
            nda_required=spec.get("nda_required", False),
            language=spec["language"],
            contact_name=author.get_full_name(),
            contact_email=author.email,
            signatory_name=signatory.get_full_name() if signatory else "",
            consent_at=at,
            created_at=at,
            stage_changed_at=at,
        )
        enquiry.full_clean(exclude=["reference", "stage"])
        enquiry.save()
        enquiry.disease_areas.set([self.cast.areas[code] for code in spec["disease_areas"]])
        enquiry.capabilities.set([self.cast.capabilities[code] for code in spec["capabilities"]])
        self.created["enquiries"] += 1
        return enquiry

    # One method per step of the ENQUIRIES mini-language; each returns the enquiry the workflow gave back.
    def _submit(self, at):
        return workflow.enquiry_submit(enquiry=self.enquiry, actor=self.company_user, at=at, notify_company=False)

    def _triage(self, at):
        return workflow.enquiry_take_into_triage(enquiry=self.enquiry, actor=self.central, at=at)

    def _ask(self, at, question):
        return workflow.enquiry_request_information(enquiry=self.enquiry, actor=self.central, question=question, at=at)

    def _answer(self, at, answer):
        return workflow.enquiry_provide_information(enquiry=self.enquiry, actor=self.company_user, answer=answer, at=at)

    def _route(self, at, reasons_by_key):
        targets = [self.cast.entities[key] for key in reasons_by_key]
        reasons = {self.cast.entities[key].pk: why for key, why in reasons_by_key.items()}
        self.created["routings"] += len(targets)
        return workflow.enquiry_route(
            enquiry=self.enquiry, actor=self.central, entities=targets, reasons=reasons, at=at
        )

    def _accept(self, at, key, comment):
        self.accepted_by = key
        return self._answer_routing(at, key, accept=True, reason=comment)

    def _refuse(self, at, key, reason):
        return self._answer_routing(at, key, accept=False, reason=reason)

    def _answer_routing(self, at, key, *, accept, reason):
        routing = Routing.objects.get(enquiry=self.enquiry, entity=self.cast.entities[key])
        return workflow.enquiry_answer_routing(
            routing=routing, actor=self.cast.contacts[key], accept=accept, reason=reason, at=at
        )

    def _contract(self, at):
        return workflow.enquiry_start_contracting(enquiry=self.enquiry, actor=self.central, at=at)

    def _sign(self, at):
        # The lead negotiator's legal officer records the signature; the central team if it has none.
        signer = (self.cast.lead_legal.get(self.accepted_by) or [self.central])[0]
        return workflow.enquiry_mark_signed(enquiry=self.enquiry, actor=signer, at=at)

    def _agreement(self, at, label, verb, *args):
        if not self.with_contracts:
            if (label, verb, *args) == self._last_signature:  # the enquiry ends where the contract took it
                self.accepted_by = self._contract_entity(label)
                return self._sign(at)
            return None
        replay = self.contracts.get(label)
        if replay is None:
            replay = self.contracts[label] = self._new_contract(label)
            self.created["contracts"] += 1
        replay.play(self.enquiry, at, verb, *args)
        self.enquiry.refresh_from_db()  # a contract coming into force moves the enquiry

    def _new_contract(self, label: str) -> ContractReplay:
        return ContractReplay(label, **self._contract_cast())

    def _contract_cast(self) -> dict[str, Any]:
        """Who acts on the enquiry's contracts."""
        return {
            "company_user": self.company_user,
            "company_signer": self.cast.signatories[self.spec["company"]] or self.company_user,
            "central": self.central,
            "legal_by_entity": self.cast.lead_legal,
            "entities": self.cast.entities,
        }

    def _decline(self, at, reason):
        return workflow.enquiry_decline(enquiry=self.enquiry, actor=self.central, reason=reason, at=at)

    def _withdraw(self, at, reason):
        return workflow.enquiry_withdraw(enquiry=self.enquiry, actor=self.company_user, reason=reason, at=at)

    def _no_go(self, at, reason):
        return workflow.enquiry_close_no_go(enquiry=self.enquiry, actor=self.central, reason=reason, at=at)

    def _note(self, at, body):
        self._message(at, self.central, body, internal=True)

    def _msg(self, at, who, body):
        if who == "company":
            author = self.company_user
        elif who == "central":
            author = self.central
        else:
            author = self.cast.contacts[who.removeprefix("entity:")]
        self._message(at, author, body, internal=False)

    def _message(self, at, author, body, *, internal):
        Message.objects.create(enquiry=self.enquiry, author=author, body=body, is_internal=internal, created_at=at)
        self.created["messages"] += 1
