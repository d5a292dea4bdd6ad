"""Demo contracts: the NDAs and agreements of the demo enquiries, replayed through the contract engine.

``partners.demo_data`` replays each enquiry's steps; a step ``("agreement", label, verb, *args)`` is handed to
``ContractReplay``, one per contract label. Verbs, each played by the person who would do it:

- ``request <entity key> <kind> <language> <who>``: the company (an NDA), the lead body's legal staff or the
  central team asks for the contract;
- ``terms``: the lead body's legal staff enter the terms of ``TERMS[label]`` (form input; a per-party term is
  given by role: ``{"company": …, "lead": …, "co_owner": …}``);
- ``draft``: they make a version, rendered there and then (the demo's PDFs exist once it is loaded);
- ``start_drafting``, ``internal_review``, ``send``, ``open_signature``: legal staff's steps;
  ``return <comment>``: the internal review sends the text back;
- ``changes <comment>``, ``agree``: the company's answers;
- ``approve <approval kind> <decision> <reference> [<note>]``: legal staff record a step before signature
  (agreements.approvals), dated that day;
- ``sign <company|lead|co_owners>``: the company's signatory, the lead body's legal staff, or each co-owner that
  signs itself (through its legal staff), on the version the circuit is on. The last signature puts the contract
  in force, and its final PDF is rendered too.

Terms are judged as of the day they are entered: an NDA effective that day is not "retroactive" today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from . import approvals, drafts, services, signatures, workflow
from .choices import PartyRole
from .models import Agreement, Approval, DraftVersion

DEMO_IP = "192.0.2.10"  # TEST-NET-1 (RFC 5737): an address that is nobody's

# The terms of each demo contract, as the drafter types them in the admin's form.
TERMS: dict[str, dict[str, Any]] = {
    "hemavia-pdx-nda": {
        "direction": "mutual",
        "purpose": (
            "Evaluating the efficacy of Hemavia's menin inhibitor HMV-201 in the platform's NPM1-mutated and "
            "KMT2A-rearranged AML PDX models: Hemavia discloses the compound's structure, formulation and "
            "preclinical data; the platform its models' characterisation and study protocols."
        ),
        "effective_date": "@entered",
        "disclosure_months": 24,
        "survival_years": 5,
        "marking_required": "on",
        "oral_confirmation_days": 15,
    },
    "cellforge-cart-nda": {
        "direction": "company",
        "purpose": (
            "Assessing whether the CAR-T bioproduction platform can manufacture Cellforge's CD7-directed CAR-T "
            "batches under GMP for a phase I trial: Cellforge discloses its vector, process and release "
            "specifications."
        ),
        "effective_date": "@entered",
        "disclosure_months": 18,
        "survival_years": 7,
        "marking_required": "on",
        "oral_confirmation_days": 15,
    },
    "lymphodx-mrd-collaboration": {
        "work_plan": (
            "Lot 1 (months 1-6): analytical validation of the NGS MRD assay on 120 stored bone-marrow samples "
            "of the GRAALL-2014 trial, against the reference qPCR results.\n"
            "Lot 2 (months 7-18): prospective comparison on 200 patients of the GRAALL-2024 trial at the "
            "protocol's MRD time points.\n"
            "Lot 3 (months 19-24): analysis of the prognostic value of MRD by NGS; joint publication."
        ),
        "deliverables": (
            "Analytical validation report (month 6); interim comparison report (month 12); final report and "
            "the data set for the CE-IVDR technical file (month 24)."
        ),
        "company_contribution": "285000.00",
        "pricing_basis": "full_cost",
        "effective_date": "@entered+30",
        "duration_months": 24,
        "steering_committee": (
            "Two members for Lymphocyte Diagnostics, the GRAALL study coordinator and the GRAALL scientific "
            "director; it meets every quarter and decides on changes to the work plan."
        ),
        "background": {
            "company": "The NGS MRD assay (IG/TR rearrangements), its bioinformatics pipeline and patent "
            "application EP 4 123 456.",
            "lead": "The GRAALL-2014 and GRAALL-2024 trial data and samples, and the group's qPCR MRD method.",
        },
        "ownership": "co_owned",
        "share": {"company": "50", "lead": "50"},
        "exploitation_field": "In vitro diagnostic tests for minimal residual disease in acute lymphoblastic leukemia.",
        "exclusive": "True",
        "financial_return": "Royalties of 3 % of net sales of the assay, with a yearly minimum of 10,000 euros.",
        "licence_access": "option",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    },
    "hematica-atlas-collaboration": {
        "work_plan": (
            "Task 1 (months 1-9): single-cell multi-omics (scRNA-seq, scATAC-seq, targeted DNA) of 60 serial "
            "samples from 20 patients progressing from MDS to AML.\n"
            "Task 2 (months 6-18): reconstruction of clonal trajectories and of the transcriptional states that "
            "precede transformation.\n"
            "Task 3 (months 15-24): validation of three candidate markers by flow cytometry on an independent "
            "cohort; joint publication."
        ),
        "deliverables": (
            "The annotated atlas and its browser (month 18); the marker validation report (month 24); the "
            "joint manuscript."
        ),
        "company_contribution": "340000.00",
        "pricing_basis": "full_cost_plus_margin",
        "effective_date": "@entered+20",
        "duration_months": 24,
        "steering_committee": (
            "The unit's principal investigator and two Hematica scientists; every two months, by video call."
        ),
        "background": {
            "company": "Hematica's single-cell DNA and RNA sequencing chemistry and its clonal inference software.",
            "lead": "The unit's serial MDS-AML sample collection and its methods for clonal evolution analysis.",
            "co_owner": "None.",
        },
        "ownership": "co_owned",
        "share": {"company": "40", "lead": "35", "co_owner": "25"},
        "exploitation_field": "Research tools and companion diagnostics for myelodysplastic syndromes and AML.",
        "exclusive": "False",
        "financial_return": "A share of 5 % of the net income from the atlas's commercial licences.",
        "licence_access": "negotiation",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    },
    "sanagen-immune-escape-chair": {
        "chair_title": "Sanagen – Sorbonne Université Chair on Immune Escape in Lymphoid Malignancies",
        "chair_holder": "Dr Hélène Vasseur, Inserm research director, UMR-S 1135",
        "effective_date": "@entered+45",
        "duration_months": 48,
        "company_contribution": "1600000.00",
        "payment_schedule": (
            "Four yearly payments of 400,000 euros: the first within 30 days of signature, the others on each "
            "anniversary of the effective date."
        ),
        "other_funders": "Agence nationale de la recherche, industrial chairs programme: 600,000 euros.",
        "other_funding": "600000.00",
        "academic_contribution": (
            "The holder's research time (60 %), a research engineer and a technician of UMR-S 1135, the unit's "
            "mass cytometry and humanised-mouse facilities, and 120 m² of laboratory space at the Pitié-Salpêtrière "
            "site."
        ),
        "research_programme": (
            "Year 1: atlas of T-cell exhaustion and myeloid suppression in the lymph nodes and marrow of 80 patients "
            "with CLL or follicular lymphoma, by mass cytometry and single-cell RNA-seq.\n"
            "Year 2: functional validation of five escape pathways in co-cultures and humanised mice.\n"
            "Year 3: how these pathways blunt CD20xCD3 and CD19xCD3 bispecific antibodies, and rational "
            "combinations to restore their activity.\n"
            "Year 4: predictive biomarkers of response to bispecifics, validated on samples from Sanagen's phase II "
            "trials."
        ),
        "teaching_programme": (
            "A 30-hour course on tumour immunology in the Sorbonne Université master's in immunology; two doctoral "
            "students and four master's interns hosted by the chair; a yearly summer school on lymphoid "
            "malignancies."
        ),
        "steering_committee": (
            "The chair holder, the director of UMR-S 1135 and two Sanagen scientists (Haematology research and "
            "External Innovation); meets twice a year, reviews the programme and the yearly scientific report."
        ),
        "ownership": "co_owned",
        "share": {"company": "40", "lead": "30", "co_owner": "15"},
        "publication_review_days": 45,
        "publication_deferral_days": 90,
        "company_in_chair_name": "True",
        "communication": (
            "Sorbonne Université and Sanagen announce the chair in a joint press release at its launch; each party "
            "may cite the chair and show the others' logos in its communication about it, after their approval."
        ),
    },
    "hemavia-menin-cifre": {
        "doctoral_student": "Léa Fontanel",
        "thesis_title": (
            "Biomarqueurs prédictifs de la réponse aux inhibiteurs de ménine dans les leucémies aiguës myéloïdes "
            "NPM1 mutées"
        ),
        "doctoral_school": "ED 561 – Hématologie, oncogenèse et biothérapies",
        "anrt_file_number": "2026/0873",
        "thesis_start": "@entered-42",
        "thesis_director": "Dr Claire Moreau, directrice de recherche Inserm (HDR), UMR-S 1131",
        "company_supervisor": "Dr Sébastien Collet, responsable de la biologie translationnelle, Hemavia",
        "research_programme": (
            "Année 1 : profils transcriptomiques (single-cell RNA-seq) de 40 échantillons primaires de LAM NPM1 "
            "mutées exposés ex vivo à HMV-201 ; définition d'une signature de réponse.\n"
            "Année 2 : validation fonctionnelle des gènes candidats (CRISPR, tests de différenciation) et "
            "réduction de la signature à un panel de 20 gènes.\n"
            "Année 3 : validation rétrospective du panel sur 120 patients traités par inhibiteur de ménine ; "
            "rédaction de la thèse et publication."
        ),
        "company_time_percent": 40,
        "time_schedule": (
            "Trois jours par semaine au laboratoire (cellules primaires, séquençage), deux jours chez Hemavia "
            "(analyses bioinformatiques et données précliniques de HMV-201) ; la première année surtout au "
            "laboratoire."
        ),
        "lab_contribution": "15000.00",
        "background": {
            "company": "La molécule HMV-201, ses données précliniques et pharmacologiques, et les données "
            "transcriptomiques de ses études in vivo.",
            "lead": "Les méthodes de culture et de tests fonctionnels de l'unité sur cellules primaires de LAM, "
            "et sa collection d'échantillons annotés.",
            "co_owner": "Aucune.",
        },
        "ownership": "co_owned",
        "share": {"company": "50", "lead": "30", "co_owner": "10"},
        "publication_review_days": 30,
        "publication_deferral_days": 90,
        "confidential_thesis": "False",
    },
    "myelis-flt3-screening-service": {
        "statement_of_work": (
            "Criblage des 400 dégradeurs de FLT3 fournis par Myelis (solutions à 10 mM dans le DMSO, en plaques "
            "384 puits) sur quatre lignées de LAM (MOLM-13, MV4-11, OCI-AML3, THP-1) et sur 12 échantillons "
            "primaires de LAM FLT3-ITD de la plateforme : viabilité à 72 heures, courbes dose-réponse en 10 points, "
            "en duplicat. Confirmation de la dégradation de FLT3 (western blot quantitatif) pour les 40 meilleurs "
            "composés sur deux lignées."
        ),
        "inventive_work_expected": "False",
        "deliverables": (
            "Données brutes et normalisées (CI50, aire sous la courbe) au mois 3 ; rapport de criblage classant "
            "les 20 meilleurs composés, avec les résultats de dégradation, au mois 4."
        ),
        "acceptance_procedure": (
            "Myelis vérifie que chaque composé et chaque modèle cellulaire prévus ont été mesurés et que les "
            "contrôles de chaque plaque sont conformes (Z' d'au moins 0,5)."
        ),
        "acceptance_days": 15,
        "price": "68400.00",
        "pricing_basis": "market_price",
        "payment_schedule": (
            "30 % à la signature, 40 % à la remise des données, le solde à l'acceptation du rapport de criblage."
        ),
        "effective_date": "@entered+25",
        "duration_months": 12,
    },
    "lymphodx-cll-samples": {
        "materials": (
            "ADN génomique et cellules mononucléées viables congelées, issus du sang ou de la moelle de patients "
            "atteints de leucémie lymphoïde chronique, au diagnostic et en fin de traitement ; ADN conservé à "
            "-80 °C, cellules en azote liquide."
        ),
        "quantities": (
            "100 paires diagnostic / fin de traitement (200 échantillons), choisies parmi les 180 paires "
            "disponibles : 2 µg d'ADN et un tube de 5 millions de cellules viables par échantillon."
        ),
        "associated_data": (
            "Âge au diagnostic, sexe, stade de Binet, statut mutationnel IGHV, del(17p) et mutations de TP53, "
            "traitement reçu, MRD par cytométrie en flux en fin de traitement."
        ),
        "collection_name": "Collection LLC du Centre de ressources biologiques hématologique du CHU de Lille",
        "collection_number": "DC-2019-3581",
        "consent_status": "consent",
        "ethics_references": (
            "Avis favorable du CPP Nord-Ouest IV sur la collection (2019) ; consentement des donneurs couvrant les "
            "analyses génétiques à des fins de recherche ; avis favorable du comité scientifique du CRB, "
            "décision CS-CRB-2026-07."
        ),
        "scientific_project": (
            "Développement et validation analytique d'un test NGS de MRD dans la LLC : limite de détection, "
            "linéarité et concordance avec la cytométrie en flux sur 200 échantillons appariés."
        ),
        "end_of_use": "destroy",
        "cost_recovery": "9000.00",
        "cost_items": (
            "Sélection et préparation de 200 aliquotes (7 000 euros), extraction complémentaire d'ADN pour 40 "
            "échantillons (1 000 euros), envoi sur carboglace et en azote liquide (1 000 euros)."
        ),
        "effective_date": "@entered+35",
        "duration_months": 24,
    },
    "oncoroute-cytomorphology-joint-lab": {
        "lab_name": "Laboratoire commun CytoMorph-IA",
        "roadmap": (
            "Année 1 : base de 15 000 frottis médullaires numérisés et annotés par deux cytologistes (LAM, SMD, "
            "moelles normales), selon la méthodologie MR-004.\n"
            "Année 2 : modèles de détection et de classification des cellules médullaires ; comparaison à la "
            "lecture de référence.\n"
            "Année 3 : modèles de diagnostic des LAM et des SMD et de leurs sous-types ; validation multicentrique "
            "rétrospective sur trois hôpitaux.\n"
            "Année 4 : étude de performance pour le marquage CE-IVDR du logiciel ; publications communes."
        ),
        "effective_date": "@entered+120",
        "duration_months": 48,
        "directors": (
            "Dr Antoine Roux (U944) pour les établissements ; Dr Karim Belkacem, directeur scientifique "
            "d'Oncoroute, pour l'entreprise."
        ),
        "committee_members": (
            "Pour les établissements : le directeur de l'U944, un cytologiste et un représentant d'Inserm "
            "Transfert ; pour Oncoroute : sa présidente, son directeur scientifique et son responsable "
            "réglementaire. Présidence alternée chaque année."
        ),
        "meetings_per_year": 2,
        "resources": {
            "company": "Deux ingénieurs en apprentissage profond à temps plein, un serveur de calcul (8 GPU) "
            "installé dans l'unité et son logiciel d'annotation.",
            "lead": "Un cytologiste senior à 30 %, un ingénieur d'études, le scanner de lames de l'unité et "
            "40 m² de bureaux.",
            "co_owner": "Le temps des chercheurs de l'unité relevant de l'établissement.",
        },
        "contribution": {"company": "960000.00", "lead": "0", "co_owner": "0"},
        "payment_schedule": "Quatre versements annuels de 240 000 euros, le premier à la signature.",
        "background": {
            "company": "Les architectures de réseaux de neurones et le logiciel d'annotation d'Oncoroute, et ses "
            "modèles pré-entraînés sur des images non médicales.",
            "lead": "La collection de frottis médullaires numérisés de l'unité et ses référentiels de cytologie.",
            "co_owner": "Aucune.",
        },
        "ownership": "co_owned",
        "share": {"company": "50", "lead": "30", "co_owner": "10"},
        "exploitation_strategy": (
            "Les logiciels et les modèles entraînés sont déposés à l'Agence pour la protection des programmes au "
            "nom des copropriétaires ; Oncoroute les exploite sous licence exclusive dans son domaine, contre une "
            "redevance sur les ventes ; Inserm Transfert gère la copropriété pour les établissements."
        ),
        "exploitation_field": (
            "Logiciels d'aide au diagnostic cytologique des hémopathies myéloïdes sur frottis médullaires "
            "(dispositifs médicaux de diagnostic in vitro)."
        ),
        "licence_access": "option",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    },
    "hemavia-pdx-service": {
        "statement_of_work": (
            "Efficacy study of HMV-201 in eight AML PDX models of the platform (five NPM1-mutated, three "
            "KMT2A-rearranged) in NSG mice. Five arms of six mice per model: vehicle, HMV-201 at 25 and 50 mg/kg "
            "orally twice a day, azacitidine, and HMV-201 50 mg/kg with azacitidine, for 28 days. Human CD45+ "
            "blasts followed in blood every two weeks, bone-marrow MRD by flow cytometry at the end of treatment, "
            "and survival. Hemavia supplies HMV-201, formulated, with its certificate of analysis."
        ),
        "inventive_work_expected": "False",
        "deliverables": (
            "Interim report with the engraftment and blood data of the first four models (month 5); final study "
            "report with MRD and survival data and the raw data, in a format suitable for an IND package "
            "(month 10)."
        ),
        "acceptance_procedure": (
            "Hemavia checks each report against the study plan: every model and arm run, deviations explained, "
            "raw data complete."
        ),
        "acceptance_days": 20,
        "price": "312000.00",
        "pricing_basis": "full_cost_plus_margin",
        "payment_schedule": (
            "30 % on signature, 30 % on the interim report, the balance on acceptance of the final report."
        ),
        "effective_date": "@entered+75",
        "duration_months": 12,
    },
    "sanagen-cll-sequencing-advice": {
        "consultants": (
            "Dr Stéphane Giraud, haematologist, CHU de Tours\n"
            "Pr Marc Delmas, haematologist, CHU de Bordeaux\n"
            "Dr Anne-Laure Petitjean, haematologist, Hôpital Pitié-Salpêtrière (AP-HP)\n"
            "Dr Olivier Kerbrat, haematologist, CHU de Rennes"
        ),
        "hospital_clinician": "True",
        "subject": (
            "Treatment sequencing in chronic lymphocytic leukemia after covalent BTK inhibitors and "
            "venetoclax-based regimens: which patients relapse after each sequence, what French centres use in "
            "third line today, and where Sanagen's investigational compound SNG-412 could fit in its phase II and "
            "III plan (populations, comparators, endpoints)."
        ),
        "deliverable": (
            "A half-day advisory board (month 2), a written report of its recommendations (month 3), and a "
            "follow-up meeting on the phase II design (month 8)."
        ),
        "days": 8,
        "fee": "22000.00",
        "fee_payment": (
            "Half on signature, the balance on delivery of the written report; paid to FILO, which pays the "
            "experts under its own rules."
        ),
        "effective_date": "@entered+35",
        "duration_months": 9,
    },
    "hemavia-lsm7-option": {
        "subject_kind": "patents",
        "subject": (
            "EP 4 285 116 – LSM-7, a surface marker of leukemia stem cells, and its uses in diagnosis and therapy\n"
            "WO 2024/118452 – Antibody-drug conjugates binding LSM-7"
        ),
        "field_of_use": (
            "Antibody-drug conjugates targeting LSM-7 for the treatment of acute myeloid leukemia and "
            "myelodysplastic syndromes."
        ),
        "option_months": 12,
        "option_fee": "25000.00",
        "fee_creditable": "True",
        "key_terms": (
            "Exclusive worldwide licence in the field, sublicensable with 25 % of sublicence income to the "
            "institutions; upfront payment of 150,000 euros; milestones from 250,000 euros (first patient in "
            "phase I) to 2 million euros (first marketing authorisation); royalties of 4 % of net sales; "
            "diligence: an IND or CTA filed within 36 months; future patent costs borne by Hemavia."
        ),
        "effective_date": "@entered+25",
    },
    "hemavia-lsm7-licence": {
        "licensed_patents": (
            "EP 4 285 116 – LSM-7, a surface marker of leukemia stem cells, and its uses in diagnosis and therapy\n"
            "WO 2024/118452 – Antibody-drug conjugates binding LSM-7"
        ),
        "licensed_rights": "patents_know_how",
        "know_how": (
            "The anti-LSM-7 antibody clones 3F11 and 7B4 (hybridomas and sequences) and the unit's flow cytometry "
            "protocol detecting LSM-7 on leukemia stem cells, handed over within 60 days of signature."
        ),
        "field_of_use": (
            "Antibody-drug conjugates targeting LSM-7 for the treatment of acute myeloid leukemia and "
            "myelodysplastic syndromes."
        ),
        "territory": "worldwide",
        "exclusivity": "exclusive",
        "sublicensing": "True",
        "sublicence_share": "25",
        "upfront_payment": "150000.00",
        "milestones": (
            "First patient dosed in phase I: 250,000 euros\n"
            "First patient dosed in phase III: 750,000 euros\n"
            "First marketing authorisation in the EU or the US: 2,000,000 euros"
        ),
        "royalty_rate": "4.00",
        "minimum_annual_royalties": "50000.00",
        "diligence_plan": (
            "Development candidate selected within 18 months; IND or CTA filed within 36 months; first patient in "
            "phase I within 48 months; a yearly development report to Inserm Transfert."
        ),
        "patent_costs": "company_future",
        "effective_date": "@entered+90",
        "term_basis": "last_patent",
        "last_patent_expiry": "@entered+5840",
    },
    "oncoroute-aml-relapse-data": {
        "data_role": {"company": "controller", "lead": "controller", "co_owner": "none"},
        "scientific_purpose": (
            "Entraîner et valider un modèle d'intelligence artificielle prédisant la rechute des LAM dans les deux "
            "ans suivant une allogreffe de cellules souches hématopoïétiques, à partir des données cliniques, "
            "moléculaires et de maladie résiduelle disponibles avant la greffe."
        ),
        "protocol": "Protocole ONCO-RELAPSE-LAM, version 1.1, étude MR-004 inscrite au répertoire public des études.",
        "data_description": (
            "Extrait pseudonymisé de la cohorte OPALE-RWD : 2 300 adultes atteints de LAM, allogreffés en première "
            "ou deuxième rémission depuis 2015 ; 140 variables (diagnostic, cytogénétique et mutations ELN 2022, "
            "traitements, MRD avant greffe, conditionnement, donneur, GVH, rechute, survie) ; fichiers CSV "
            "chiffrés et dictionnaire des données."
        ),
        "legal_route": "mr004",
        "dpo_name": "Hervé Castaing, délégué à la protection des données de l'AP-HP",
        "host_name": "Nuage Santé SAS, hébergeur certifié HDS d'Oncoroute",
        "retention_years": 3,
        "transfer_outside_eu": "False",
        "access_fee": "18500.00",
        "fee_covers": (
            "Extraction, contrôle de qualité et pseudonymisation des données par l'équipe de la cohorte (20 jours "
            "d'ingénieur de données) et mise à disposition sécurisée."
        ),
        "effective_date": "@entered+75",
        "duration_months": 24,
    },
    "meddata-federated-rwd-consortium": {
        "programme": "bpifrance",
        "call": "i-Démo – Santé numérique, vague 2027",
        "acronym": "FEDERHEM",
        "coordinator": (
            "MedData Santé SA, coordinateur du projet auprès de Bpifrance ; responsable scientifique : "
            "Dr Romain Deschamps, directeur de la recherche de MedData Santé."
        ),
        "beneficiaries": (
            "CHU de Lille (France) : seconde base du démonstrateur (entrepôt de données de santé du CHU), lot 3 ; "
            "il adhère au présent accord par un formulaire d'adhésion."
        ),
        "budget": {"company": "1450000.00", "lead": "620000.00", "co_owner": "0"},
        "project_start": "@entered+180",
        "duration_months": 36,
        "background": {
            "company": "La plateforme d'analyses fédérées de MedData Santé et ses connecteurs au modèle de "
            "données OMOP.",
            "lead": "La base OPALE-RWD, son modèle de données et ses procédures de qualité, et le savoir-faire de "
            "l'équipe de la cohorte en épidémiologie des leucémies aiguës.",
            "co_owner": "Aucune.",
        },
        "results_ownership": "generator",
        "exploitation_access": "fair_and_reasonable",
        "access_request_months": 12,
        "publication_review_days": 30,
        "publication_deferral_days": 90,
        "general_assembly": (
            "Un représentant par membre ; se réunit une fois par an et décide à la majorité des deux tiers de "
            "l'entrée ou de la sortie d'un membre et des changements de budget."
        ),
        "steering_committee": (
            "Les responsables des quatre lots ; se réunit chaque mois par visioconférence et suit le calendrier "
            "et les livrables."
        ),
    },
    "hemavia-alfa-framework": {
        "scope": (
            "Clinical development of Hemavia's menin inhibitor HMV-201 in acute myeloid leukemia: methodological "
            "advice on trial design, patient selection (NPM1, KMT2A) and MRD endpoints; feasibility of trials in "
            "the ALFA network; translational studies on ALFA trial samples."
        ),
        "application_kinds": ["research_collaboration", "service", "consultancy", "material_transfer"],
        "effective_date": "@entered+75",
        "duration_months": 36,
        "joint_committee": (
            "Hemavia's Chief Medical Officer and Head of Translational Research, and for ALFA the chair of its "
            "scientific council and the head of its early-phase trials committee; meets twice a year and proposes "
            "each specific agreement."
        ),
        "annual_budget_ceiling": "250000.00",
        "confidentiality_years": 5,
        "ip_principle": "generator",
        "exploitation": (
            "Hemavia may negotiate a licence to ALFA's results in the field of menin inhibitors, on fair and "
            "reasonable terms; ALFA's trial data stay ALFA's and are used only under a specific agreement."
        ),
        "publication_review_days": 30,
        "publication_deferral_days": 60,
    },
}


class ContractReplay:
    """One demo contract, played one verb at a time on its enquiry, by the people its cast names."""

    VERBS = frozenset(
        {
            "request",
            "terms",
            "draft",
            "start_drafting",
            "internal_review",
            "return",
            "send",
            "changes",
            "agree",
            "open_signature",
            "approve",
            "sign",
        }
    )

    def __init__(self, label: str, *, company_user, company_signer, central, legal_by_entity, entities):
        self.label = label
        self.company_user, self.company_signer, self.central = company_user, company_signer, central
        self.legal_by_entity, self.entities = legal_by_entity, entities
        self.agreement: Agreement | None = None
        self.legal = central

    def play(self, enquiry, at: dt.datetime, verb: str, *args) -> None:
        if verb not in self.VERBS:
            raise ValueError(f"Unknown demo contract step {verb!r} for {self.label!r}.")
        if verb != "request" and self.agreement is None:
            raise ValueError(f"Demo contract {self.label!r} is played before it is requested.")
        getattr(self, f"_{verb}")(enquiry, at, *args)

    def _request(self, enquiry, at, entity_key, kind, language, who):
        entity = self.entities[entity_key]
        self.legal = (self.legal_by_entity.get(entity_key) or [self.central])[0]
        actor = {"company": self.company_user, "legal": self.legal, "central": self.central}[who]
        self.agreement = workflow.agreement_request(
            enquiry=enquiry, entity=entity, kind=kind, actor=actor, language=language, at=at
        )

    def _terms(self, enquiry, at):
        data = self._form_input(TERMS[self.label], timezone.localtime(at).date())
        self.agreement = services.agreement_save_terms(agreement=self.agreement, actor=self.legal, data=data, at=at)

    def _form_input(self, terms: dict[str, Any], entered: dt.date) -> dict[str, Any]:
        """The terms with "@entered[+days]" dates resolved (days after the terms are entered), and per-party terms
        given by role turned into the form's one field per party."""
        parties = list(self.agreement.parties.order_by("pk"))
        roles = {PartyRole.COMPANY: "company", PartyRole.LEAD_NEGOTIATOR: "lead", PartyRole.CO_OWNER: "co_owner"}
        data: dict[str, Any] = {}
        for key, value in terms.items():
            if isinstance(value, dict):
                for party in parties:
                    if roles[party.role] in value:
                        data[f"{key}_{party.pk}"] = value[roles[party.role]]
            elif isinstance(value, str) and value.startswith("@entered"):
                days = int(value.removeprefix("@entered") or 0)
                data[key] = (entered + dt.timedelta(days=days)).isoformat()
            else:
                data[key] = value
        return data

    def _draft(self, enquiry, at):
        version = drafts.draft_request(agreement=self.agreement, actor=self.legal)
        self._render(version, at)

    @staticmethod
    def _render(version: DraftVersion, at) -> None:
        """Render now (the demo's PDFs exist once it is loaded) and date the version when it was made."""
        drafts.draft_render(version.pk)
        DraftVersion.objects.filter(pk=version.pk).update(created_at=at, rendered_at=at)

    def _step(self, function, actor, at, **kwargs):
        self.agreement = function(agreement=self.agreement, actor=actor, at=at, **kwargs)

    def _start_drafting(self, enquiry, at):
        self._step(workflow.agreement_start_drafting, self.legal, at)

    def _internal_review(self, enquiry, at):
        self._step(workflow.agreement_submit_for_internal_review, self.legal, at)

    def _return(self, enquiry, at, comment):
        self._step(workflow.agreement_return_to_drafting, self.legal, at, comment=comment)

    def _send(self, enquiry, at):
        self._step(workflow.agreement_send_to_company, self.legal, at)

    def _changes(self, enquiry, at, comment):
        self._step(workflow.agreement_request_changes, self.company_user, at, comment=comment)

    def _agree(self, enquiry, at):
        self._step(workflow.agreement_agree, self.company_user, at)

    def _open_signature(self, enquiry, at):
        self._step(workflow.agreement_open_signature, self.legal, at)

    def _approve(self, enquiry, at, kind, decision, reference, note=""):
        approval = self.agreement.approvals.get(kind=kind)
        approvals.approval_record(
            approval=approval,
            actor=self.legal,
            decision=decision,
            decided_on=timezone.localtime(at).date() if decision in ("approved", "refused") else None,
            reference=reference,
            note=note,
        )
        Approval.objects.filter(pk=approval.pk).update(recorded_at=at)

    def _sign(self, enquiry, at, who):
        version = signatures.version_to_sign(self.agreement)
        for party in self._signing(who):
            signer = self._signer(party)
            signatures.agreement_sign(
                agreement=self.agreement,
                party=party,
                actor=signer,
                signer_name=signer.get_full_name(),
                signer_title=self._title(party),
                consent=True,
                ip_address=DEMO_IP,
                version=version,
                at=at,
            )
            self.agreement.refresh_from_db()
        final = self.agreement.versions.filter(is_final=True, status=DraftVersion.Status.RENDERING).first()
        if final is not None:
            self._render(final, at)

    def _signing(self, who: str):
        parties = self.agreement.parties.select_related("company", "body").filter(must_sign=True).order_by("pk")
        role = {"company": PartyRole.COMPANY, "lead": PartyRole.LEAD_NEGOTIATOR, "co_owners": PartyRole.CO_OWNER}[who]
        return [party for party in parties if party.role == role]

    def _signer(self, party):
        if party.role == PartyRole.COMPANY:
            return self.company_signer
        return party.body.legal_staff.order_by("pk").first()

    def _title(self, party) -> str:
        if party.role == PartyRole.COMPANY:
            member = getattr(self.company_signer, "company_membership", None)
            return (member.job_title if member else "") or "Chief Executive Officer"
        return f"Chargé(e) des contrats, {party.body.short_name}, par délégation de signature"
