#!/usr/bin/env python3
"""A seeded, reproducible synthetic corpus of scraped code-lookup pages (stdlib only).

The project's one corpus generator: ``benchmarks/run.py`` builds its corpora with it (text-only and
HTML-only ones for the per-format throughput, mixed ones for the end-to-end runs), and
``tests/dedup/make_synthetic_pairs.py`` renders its labelled near-duplicate pairs with
:func:`render_page`. (It replaced ``benchmarks/make_corpus.py``, which re-skinned the labelled test
pages: a benchmark on the very pages the cleaner is tuned on, with padding no site serves.)

Five invented sites, each with its own template, in the formats of the contract's landing zone:

- ``codelens``      HTML, semantic tags (header/nav/main/article/section/aside/footer, <details>
                    FAQ), schema.org JSON-LD (``MedicalCode``, ``BreadcrumbList``, ``FAQPage``).
- ``billingatlas``  HTML, div soup with generated CSS-in-JS class names, key/value rows in spans,
                    accordion FAQ, ``window.__INITIAL_STATE__`` blob.
- ``procedurenotes`` text dump with a blank line between lines and ``•`` bullets, numbered steps,
                    ``Key: value`` lines (the layout of seed 002, boilerplate of seed 001).
- ``codingcompass`` text dump without blank lines, ``-`` bullets, an intro sentence under each
                    heading, a promo block glued to the next heading now and then (seed 000).
- ``claimcoach``    text dump of a paywalled page: official + lay description, AMA copyright
                    lines, "Register to view content" blocks, a views-remaining counter (seed 003).

Both HTML sites serve 40-200 KB pages as real lookup sites do: many <meta>, a large inline
stylesheet, analytics and config scripts (the config mentions other codes), a nav of ~80 links,
cookie banner, breadcrumbs, related-codes sidebar, signup modal, a big footer, and a large JSON
state blob. Their pages can also be rendered as text dumps (``fmt="text"``).

Content is a function of (site, code): the same code on the same site always says the same
thing, as a real site does; pages about other codes share the template and differ in content
(section set, items, 3-8 items a list). The code picks a procedure family (by CPT range or HCPCS
letter) and neighbouring codes (21183/21184) share a family, so they read alike. The ``rng``
passed to :func:`render_page` only draws what changes between two fetches of one page: the
updated date, a view counter, the rotated promo, CSP nonces and tokens. ``variant`` adds
scraper/re-scrape noise on top (bit flags, combinable):

    1  NOISE_WHITESPACE  trailing spaces, indentation (text); indentation between tags (html)
    2  NOISE_MARKUP      bullet style -, •, * (text); attribute order, tracking params (html)
    4  NOISE_LINES       blank lines toggled (text); HTML comments, asset cache-busters (html)
    8  NOISE_EDIT        one content sentence lightly edited (never used by generate())

The corpus has ~5% exact duplicates (the same bytes in another file or JSONL line, maybe with
another URL query string or fetched_at) and ~15% near-duplicates (a re-fetch of an earlier page:
other volatile values plus noise bits 1, 2, 4; same code, same content otherwise).

Files, as the contract's landing zone has them: ``<site>/*.html`` and ``<site>/*.txt`` (about 1.5%
gzipped, ``.gz``), some with a ``.meta.json`` sidecar (url, fetched_at), and
``crawl/batch-NNNNN.jsonl`` scraper files of 200 records ``{"url", "fetched_at", "html" | "text"}``
(every 8th batch gzipped). ``--formats`` picks the file kinds: ``text`` alone gives text dumps of
all five sites, ``html`` alone HTML files of the two HTML sites. The manifest (every page, its
file or JSONL line, code, site and what it duplicates) is written beside the output directory,
``OUT.manifest.json``, not inside it, so the landing zone holds pages only. 10,000 pages (~380 MB)
take ~15 s on one core.

    python benchmarks/corpus.py --pages 10000 --out /tmp/c10k [--seed 0] [--formats html,text,jsonl]

API: ``generate(out_dir, n_pages, seed=0, formats=..., manifest=None, exact_share=0.05, near_share=0.15,
avoid_codes=()) -> dict``, ``read_manifest(path) -> dict``,
``render_page(code, site, rng, variant=0, fmt="html") -> str``, ``page_url(code, site)``,
``SITES``, ``random_code(rng, system)``, ``code_info(code)``.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import os
import random
import re
import sys
import time
import zlib
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

NOISE_WHITESPACE = 1
NOISE_MARKUP = 2
NOISE_LINES = 4
NOISE_EDIT = 8
NOISE_NAMES = {NOISE_WHITESPACE: "whitespace", NOISE_MARKUP: "markup", NOISE_LINES: "lines", NOISE_EDIT: "edit"}

EXACT_SHARE = 0.05
NEAR_SHARE = 0.15
JSONL_PER_FILE = 200
MIN_HTML_BYTES = 40 * 1024 + 512  # an HTML page's size target (model.html_kb) is clamped to this range
MAX_HTML_BYTES = 200 * 1024

# --------------------------------------------------------------------------------------------
# Code systems
# --------------------------------------------------------------------------------------------

SYSTEMS = ("CPT", "CPT-II", "CPT-III", "HCPCS")
_SYSTEM_ALIASES = {
    "cpt": "CPT", "cpt1": "CPT", "cpt-i": "CPT", "cpt i": "CPT", "category i": "CPT",
    "cpt2": "CPT-II", "cpt-ii": "CPT-II", "category ii": "CPT-II",
    "cpt3": "CPT-III", "cpt-iii": "CPT-III", "category iii": "CPT-III",
    "hcpcs": "HCPCS", "hcpcs2": "HCPCS", "hcpcs-ii": "HCPCS",
}

# (low, high, group, weight) over CPT Category I; weights favour the code ranges lookup sites cover.
CPT_GROUPS = [
    (10004, 19499, "integumentary", 6), (20100, 29999, "musculoskeletal", 12), (30000, 32999, "respiratory", 3),
    (33010, 37799, "cardiovascular", 6), (40490, 49999, "digestive", 8), (50010, 53899, "urinary", 3),
    (54000, 58999, "genital", 3), (60000, 60699, "endocrine", 1), (61000, 64999, "nervous", 5),
    (65091, 68899, "eye", 2), (69000, 69979, "ear", 1), (70010, 79999, "radiology", 9),
    (80047, 89398, "lab", 7), (90281, 99199, "medicine", 7), (99202, 99499, "em", 3),
]
_CPT_WEIGHTS = [g[3] for g in CPT_GROUPS]
HCPCS_RANGES = {"A": (21, 9999), "E": (100, 8002), "G": (8, 9999), "J": (120, 9999), "K": (1, 1037),
                "L": (112, 9900), "Q": (35, 9992)}
HCPCS_CATEGORY = {
    "A": "Medical and Surgical Supplies", "E": "Durable Medical Equipment",
    "G": "Procedures/Professional Services (Temporary)", "J": "Drugs Administered Other Than Oral Method",
    "K": "Temporary Codes for Durable Medical Equipment", "L": "Orthotic and Prosthetic Procedures",
    "Q": "Temporary Codes",
}
GROUP_CATEGORY = {
    "radiology": "Radiology Procedures", "lab": "Pathology and Laboratory Procedures",
    "medicine": "Medicine Services and Procedures", "em": "Evaluation and Management Services",
    "measure": "Performance Measurement (Category II)", "emerging": "Emerging Technology (Category III)",
}


def _norm_system(system: str) -> str:
    if system in SYSTEMS:
        return system
    try:
        return _SYSTEM_ALIASES[system.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown code system {system!r}; one of {SYSTEMS}") from None


def random_code(rng: random.Random, system: str = "CPT") -> str:
    """A plausible code of ``system``: CPT (Category I, 5 digits), CPT-II (4 digits + F),
    CPT-III (4 digits + T) or HCPCS (letter + 4 digits)."""
    s = _norm_system(system)
    if s == "CPT":
        lo, hi, _, _ = rng.choices(CPT_GROUPS, weights=_CPT_WEIGHTS)[0]
        return f"{rng.randint(lo, hi):05d}"
    if s == "CPT-II":
        return f"{rng.randint(1, 9007):04d}F"
    if s == "CPT-III":
        return f"{rng.randint(42, 950):04d}T"
    letter = rng.choice(sorted(HCPCS_RANGES))
    lo, hi = HCPCS_RANGES[letter]
    return f"{letter}{rng.randint(lo, hi):04d}"


def system_of(code: str) -> str:
    if code[0].isalpha():
        return "HCPCS"
    return {"F": "CPT-II", "T": "CPT-III"}.get(code[-1], "CPT")


def neighbour_code(code: str, delta: int = 1) -> str:
    """The code ``delta`` away in the same system (21183 -> 21184, 0263T -> 0264T, J1100 -> J1101)."""
    if code[0].isalpha():
        return f"{code[0]}{(int(code[1:]) + delta) % 10000:04d}"
    if code[-1] in "FT":
        return f"{(int(code[:4]) + delta) % 10000:04d}{code[-1]}"
    return f"{(int(code) + delta) % 100000:05d}"


# --------------------------------------------------------------------------------------------
# Procedure families: what a page about a code talks about
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    group: str
    kind: str  # surgery | imaging | lab | therapy | visit | measure | drug | dme | supply
    title: str
    lay: str
    region: str
    purpose: str
    cond: tuple[str, ...]
    symp: tuple[str, ...]
    steps: tuple[str, ...]
    tests: tuple[str, ...]
    risks: tuple[str, ...]
    alts: tuple[str, ...]
    spec: str
    anes: str
    setting: str
    cost: tuple[int, int]
    dur: tuple[int, int]
    tools: str
    benefits: tuple[str, ...] = ()


def _fam(group, kind, title, lay, region, purpose, cond, symp, steps, tests, risks, alts, spec, anes, setting,
         cost, dur, tools, benefits="") -> Family:
    def split(s: str) -> tuple[str, ...]:
        return tuple(x.strip() for x in s.split(";") if x.strip())
    return Family(group, kind, title, lay, region, purpose, split(cond), split(symp), split(steps), split(tests),
                  split(risks), split(alts), spec, anes, setting, cost, dur, tools, split(benefits))


FAMILIES = [
    # integumentary
    _fam("integumentary", "surgery", "Excision, benign lesion including margins, trunk, arms or legs",
         "removal of a benign skin lesion", "skin", "to remove a noncancerous growth and confirm the diagnosis",
         "Benign skin growths such as lipomas, cysts or moles; Lesions that are painful, irritated or bleeding; Lesions that change in size, color or shape; Growths that catch on clothing or jewelry",
         "A visible lump or growth on the skin; Tenderness when the lesion is rubbed; Bleeding or crusting of the lesion; Itching around the growth",
         "The lesion and a small margin of normal skin are outlined with a surgical marker; An elliptical incision is made around the lesion; The lesion is removed and sent to pathology for examination; Bleeding is controlled with electrocautery",
         "Dermatoscopic examination of the lesion; Shave or punch biopsy if the diagnosis is uncertain",
         "Wound separation; Recurrence of the lesion; Noticeable scarring",
         "Cryotherapy to freeze the lesion; Laser removal; Observation with periodic skin checks",
         "Dermatologist or plastic surgeon", "Local anesthesia", "a physician office or outpatient clinic",
         (200, 800), (15, 45), "Scalpel, electrocautery unit, sutures, specimen container",
         "Complete removal of the growth; Tissue diagnosis from pathology; Good cosmetic result in most cases"),
    _fam("integumentary", "surgery", "Debridement, subcutaneous tissue, first 20 sq cm or less",
         "removal of dead or infected tissue from a wound", "wound", "to clean a chronic wound and promote healing",
         "Diabetic foot ulcers; Pressure injuries; Infected surgical wounds; Venous leg ulcers; Traumatic wounds with devitalized tissue",
         "A wound that has not healed in four weeks; Foul-smelling drainage; Dark or yellow dead tissue in the wound bed; Increasing pain around the wound",
         "The wound is measured and photographed; Dead and infected tissue is removed with a curette or scalpel; The wound bed is irrigated with sterile saline; A moisture-retentive dressing is applied",
         "Wound culture to identify bacteria; Ankle-brachial index to check circulation; Blood glucose testing in patients with diabetes",
         "Bleeding from the wound bed; Pain during dressing changes; Delayed healing",
         "Enzymatic debridement ointments; Negative pressure wound therapy; Hyperbaric oxygen therapy",
         "Wound care specialist", "Topical or local anesthesia", "a wound care center or outpatient clinic",
         (150, 600), (15, 30), "Curette, scalpel, forceps, irrigation syringe",
         "Faster wound healing; Lower risk of spreading infection; Better response to dressings and skin substitutes"),
    _fam("integumentary", "surgery", "Biopsy, breast, with placement of localization device, percutaneous; first lesion, including ultrasound guidance",
         "breast biopsy with a needle under ultrasound guidance", "breast", "to obtain tissue from a suspicious breast finding for diagnosis",
         "Suspicious mass found on mammography; Abnormal ultrasound or MRI findings; Calcifications seen on screening images; A palpable breast lump",
         "A new lump in the breast or armpit; Nipple discharge or skin dimpling; Changes in breast size or shape",
         "The breast is positioned and the target is located with ultrasound; A small nick is made in the skin; A hollow core needle takes several tissue samples; A tiny marker clip is placed at the biopsy site",
         "Diagnostic mammogram; Breast ultrasound; Breast MRI in selected cases",
         "Bruising of the breast; Bleeding or hematoma; Infection at the needle site",
         "Surgical excisional biopsy; Short-interval follow-up imaging; Fine-needle aspiration",
         "Breast radiologist", "Local anesthesia", "a breast imaging center",
         (1000, 3500), (30, 60), "Core biopsy needle, ultrasound probe, marker clip",
         "Accurate diagnosis without surgery; Small incision with minimal scarring; Quick return to normal activities"),
    # musculoskeletal
    _fam("musculoskeletal", "surgery", "Injection of bone marrow aspirate",
         "injection of bone marrow aspirate", "bone", "to promote healing or regeneration of bone and tissue",
         "Osteonecrosis or avascular necrosis of the bone; Chronic non-union fractures; Bone regeneration during orthopedic surgery; Joint or cartilage injuries that heal poorly",
         "Persistent pain in the affected bone or joint; Swelling or inflammation around the injury site; Limited range of motion in the affected area; Signs of bone degeneration on imaging studies",
         "Bone marrow is aspirated from the iliac crest or another donor site; The aspirate is processed and concentrated; The prepared bone marrow is injected into the target area under imaging guidance",
         "X-rays to evaluate bone structure and integrity; MRI scans to assess soft tissue and bone marrow; CT scans for detailed imaging of complex fractures",
         "Pain at the aspiration site; Nerve or tissue damage near the injection site; Failure of the bone to heal",
         "Platelet-rich plasma (PRP) therapy for tissue healing; Bone grafting with donor bone; Bone stimulators",
         "Orthopedic surgeon", "Local anesthesia with sedation", "a hospital outpatient department or surgery center",
         (1500, 3000), (30, 60), "Aspiration needle, syringe, centrifuge, fluoroscopy unit",
         "Uses the patient's own cells; Minimally invasive compared with open grafting; Short recovery time"),
    _fam("musculoskeletal", "surgery", "Arthroplasty, knee, condyle and plateau; medial and lateral compartments with or without patella resurfacing",
         "total knee replacement", "knee", "to replace a damaged knee joint with an artificial implant",
         "Severe osteoarthritis of the knee; Rheumatoid arthritis with joint destruction; Post-traumatic arthritis after a fracture; Knee deformity such as bowing or knock-knees",
         "Knee pain that limits walking or climbing stairs; Stiffness and reduced range of motion; Swelling that does not improve with rest; Pain at night or at rest",
         "An incision is made over the front of the knee; Damaged cartilage and bone are removed from the femur and tibia; Metal and plastic components are fitted and cemented in place; The kneecap may be resurfaced; The joint is tested for stability and range of motion",
         "Standing X-rays of both knees; Blood tests and an electrocardiogram before surgery; MRI in selected cases",
         "Loosening or wear of the implant; Knee stiffness requiring manipulation; Infection around the implant",
         "Partial knee replacement; Hyaluronic acid or corticosteroid injections; Weight loss and physical therapy",
         "Orthopedic surgeon", "General or spinal anesthesia", "a hospital or ambulatory surgery center",
         (20000, 50000), (60, 120), "Cutting guides, bone saw, knee implant components, bone cement",
         "Lasting pain relief; Better mobility and walking distance; Correction of leg deformity"),
    _fam("musculoskeletal", "surgery", "Arthroscopy, knee, surgical; with meniscectomy (medial OR lateral, including any meniscal shaving)",
         "knee arthroscopy to trim a torn meniscus", "knee", "to remove the torn part of a meniscus through small incisions",
         "Meniscal tears that cause locking or catching; Knee pain that persists after physical therapy; Mechanical symptoms after a twisting injury; Degenerative meniscal tears with joint effusion",
         "Pain along the joint line; Knee locking or catching; Swelling after activity; A feeling that the knee gives way",
         "Two or three small portals are made around the knee; An arthroscope is inserted and the joint is inspected; The torn meniscus is trimmed with shavers and biters; The joint is flushed with saline",
         "MRI of the knee; Physical examination with McMurray test; Standing X-rays to check for arthritis",
         "Persistent knee swelling; Blood clot in the leg; Progression of arthritis",
         "Meniscus repair instead of removal; Physical therapy and activity modification; Knee bracing",
         "Orthopedic surgeon", "General or regional anesthesia", "an ambulatory surgery center",
         (3000, 7500), (30, 60), "Arthroscope, camera tower, motorized shaver, arthroscopic biters",
         "Relief of locking and catching; Small incisions; Same-day discharge"),
    _fam("musculoskeletal", "surgery", "Repair of ruptured musculotendinous cuff (eg, rotator cuff) open; chronic",
         "rotator cuff repair", "shoulder", "to reattach a torn rotator cuff tendon to the bone",
         "Full-thickness rotator cuff tears; Tears that cause weakness when lifting the arm; Persistent shoulder pain after 3-6 months of therapy; Acute tears after a fall",
         "Shoulder pain when lifting or reaching; Weakness when raising the arm; Pain that disturbs sleep; A crackling sensation when moving the shoulder",
         "An incision is made over the shoulder; The torn tendon edge is cleaned; Suture anchors are placed in the humerus; The tendon is pulled back to the bone and tied down",
         "MRI or ultrasound of the shoulder; Shoulder X-rays; Strength testing of the rotator cuff",
         "Re-tear of the tendon; Shoulder stiffness; Injury to the axillary nerve",
         "Physical therapy to strengthen surrounding muscles; Corticosteroid injections; Reverse shoulder replacement for massive tears",
         "Orthopedic surgeon", "General anesthesia with a nerve block", "a hospital or ambulatory surgery center",
         (8000, 15000), (90, 150), "Suture anchors, arthroscopic instruments, shoulder positioner",
         "Restored shoulder strength; Pain relief; Prevention of tear enlargement"),
    _fam("musculoskeletal", "surgery", "Open treatment of distal radial extra-articular fracture or epiphyseal separation, includes internal fixation",
         "surgical repair of a broken wrist with a plate and screws", "wrist", "to realign and stabilize a fracture of the radius",
         "Displaced fractures of the distal radius; Fractures that shift after casting; Fractures extending into the joint; Open fractures",
         "Severe wrist pain after a fall; Visible deformity of the wrist; Swelling and bruising; Numbness or tingling in the fingers",
         "An incision is made on the palm side of the wrist; The fracture fragments are realigned; A metal plate is fixed with screws to hold the bone; Fluoroscopy confirms the alignment",
         "Wrist X-rays in two views; CT scan for complex fractures; Neurovascular examination",
         "Hardware irritation; Tendon rupture; Stiffness of the wrist and fingers",
         "Closed reduction and casting; External fixation; Percutaneous pinning",
         "Hand surgeon or orthopedic surgeon", "General or regional anesthesia", "a hospital or surgery center",
         (7000, 12000), (60, 90), "Volar locking plate, screws, fluoroscopy unit, drill",
         "Stable bone alignment; Earlier wrist motion than casting; Better long-term function"),
    _fam("musculoskeletal", "surgery", "Percutaneous vertebroplasty (bone biopsy included when performed), 1 vertebral body, unilateral or bilateral injection, inclusive of all imaging guidance; lumbosacral",
         "injection of bone cement into the vertebral body", "spine", "to stabilize a vertebral compression fracture and relieve pain",
         "Vertebral compression fractures due to osteoporosis; Painful fractures from metastatic cancer affecting the spine; Pathological fractures in patients with bone lesions",
         "Severe back pain that worsens with movement; Loss of height or stooped posture; Neurological symptoms such as numbness or weakness in the legs",
         "The patient lies face down on the table; A needle is inserted into the vertebral body under fluoroscopic guidance; Bone cement is injected into the vertebra to stabilize it; The needle is removed and the site is bandaged",
         "X-rays to visualize fractures; MRI to assess the extent of spinal injury; CT scans for detailed imaging of the vertebrae",
         "Cement leakage outside the bone; New fractures in nearby vertebrae; Allergic reaction to the bone cement",
         "Bracing to support the spine; Kyphoplasty with a balloon; Pain management with medications",
         "Interventional radiologist or spine surgeon", "Local anesthesia with moderate sedation", "a hospital outpatient department",
         (5000, 15000), (45, 90), "Bone access needle, bone cement, fluoroscopy unit",
         "Rapid pain relief; Improved mobility; Prevention of further collapse of the vertebra"),
    # respiratory
    _fam("respiratory", "surgery", "Bronchoscopy, rigid or flexible, including fluoroscopic guidance, when performed; with bronchial alveolar lavage",
         "bronchoscopy with lavage", "airways", "to look inside the airways and collect samples from the lungs",
         "Persistent cough or coughing up blood; Abnormal chest X-ray or CT findings; Suspected lung infection in immunocompromised patients; Evaluation of interstitial lung disease",
         "Chronic cough; Coughing up blood; Shortness of breath; Recurrent pneumonia",
         "A flexible bronchoscope is passed through the mouth or nose into the airways; The airways are inspected on a video monitor; Sterile saline is instilled into a lung segment and suctioned back; Samples are sent for culture and cytology",
         "Chest CT scan; Pulmonary function tests; Blood clotting tests",
         "Low oxygen levels during the procedure; Collapsed lung (pneumothorax); Fever the evening after the procedure",
         "CT-guided needle biopsy; Sputum testing; Observation with repeat imaging",
         "Pulmonologist", "Moderate sedation with topical anesthesia", "an endoscopy suite or hospital",
         (2000, 5000), (30, 60), "Flexible bronchoscope, suction, specimen traps",
         "Direct view of the airways; Samples for accurate diagnosis; Avoids surgery in many patients"),
    _fam("respiratory", "surgery", "Nasal/sinus endoscopy, surgical, with maxillary antrostomy",
         "endoscopic sinus surgery", "sinuses", "to open blocked sinus drainage pathways",
         "Chronic sinusitis lasting more than 12 weeks; Recurrent acute sinus infections; Nasal polyps blocking drainage; Sinusitis that fails medical therapy",
         "Facial pain or pressure; Nasal congestion; Thick nasal discharge; Reduced sense of smell",
         "An endoscope is inserted through the nostril; The natural opening of the maxillary sinus is identified; The opening is enlarged with cutting instruments; Diseased tissue and polyps are removed",
         "CT scan of the sinuses; Nasal endoscopy in the office; Allergy testing",
         "Bleeding from the nose; Scar tissue in the nasal passages; Rarely, injury to the eye or skull base",
         "Saline irrigation and nasal steroid sprays; Balloon sinuplasty; Antibiotic courses",
         "Otolaryngologist (ENT surgeon)", "General anesthesia", "an ambulatory surgery center",
         (4000, 9000), (60, 120), "Rigid nasal endoscope, microdebrider, image guidance system",
         "Better sinus drainage; Fewer infections; Improved breathing through the nose"),
    # cardiovascular
    _fam("cardiovascular", "surgery", "Insertion of new or replacement of permanent pacemaker with transvenous electrode(s); atrial and ventricular",
         "pacemaker insertion", "chest", "to treat a slow or irregular heartbeat with an implanted device",
         "Symptomatic bradycardia; Complete heart block; Sick sinus syndrome; Pauses in the heart rhythm",
         "Fainting or near-fainting; Fatigue and exercise intolerance; Dizziness; Shortness of breath",
         "A small incision is made below the collarbone; Leads are threaded through a vein into the heart under X-ray guidance; The leads are tested and connected to the pulse generator; The generator is placed in a pocket under the skin",
         "Electrocardiogram (ECG); Holter or event monitor recording; Echocardiogram",
         "Lead dislodgement; Pocket hematoma; Collapsed lung",
         "Medication adjustment; Leadless pacemaker; Temporary pacing",
         "Cardiac electrophysiologist", "Local anesthesia with sedation", "a hospital cardiac catheterization laboratory",
         (15000, 35000), (60, 120), "Pulse generator, pacing leads, fluoroscopy unit, programmer",
         "Regular heart rhythm; Relief of fainting and fatigue; Long battery life"),
    _fam("cardiovascular", "surgery", "Endovenous ablation therapy of incompetent vein, extremity, inclusive of all imaging guidance and monitoring, percutaneous, radiofrequency; first vein treated",
         "radiofrequency vein ablation", "leg", "to close a leaking vein that causes varicose veins",
         "Symptomatic varicose veins; Venous reflux on ultrasound; Venous leg ulcers; Leg swelling from venous insufficiency",
         "Aching or heavy legs; Swelling of the ankles; Visible bulging veins; Skin discoloration near the ankle",
         "The vein is mapped with ultrasound; A catheter is inserted into the vein through a needle puncture; Numbing fluid is injected around the vein; Radiofrequency energy heats and seals the vein as the catheter is withdrawn",
         "Venous duplex ultrasound; Assessment of compression stocking trial",
         "Bruising along the treated vein; Skin burns; Deep vein thrombosis",
         "Compression stockings; Sclerotherapy; Surgical vein stripping",
         "Vascular surgeon", "Local tumescent anesthesia", "a vein clinic or outpatient center",
         (1500, 3500), (45, 60), "Radiofrequency catheter, generator, ultrasound machine",
         "Walk out the same day; Less pain than stripping; Improved leg symptoms"),
    # digestive
    _fam("digestive", "surgery", "Colonoscopy, flexible; with biopsy, single or multiple",
         "colonoscopy with biopsy", "colon", "to examine the large intestine and take tissue samples",
         "Colorectal cancer screening; Rectal bleeding or blood in the stool; Change in bowel habits; Abnormal CT findings in the colon",
         "Blood in the stool; Chronic diarrhea or constipation; Unexplained weight loss; Abdominal pain",
         "The patient lies on the left side; The colonoscope is advanced through the rectum to the cecum; The lining of the colon is examined as the scope is withdrawn; Biopsy forceps take samples of abnormal areas",
         "Fecal immunochemical test (FIT); Complete blood count; CT colonography",
         "Perforation of the colon; Bleeding after biopsy; Reaction to sedation",
         "Stool-based screening tests; CT colonography; Flexible sigmoidoscopy",
         "Gastroenterologist", "Moderate sedation or monitored anesthesia care", "an endoscopy center or hospital",
         (1500, 4000), (30, 60), "Colonoscope, biopsy forceps, insufflator, video processor",
         "Detects cancer early; Allows removal of polyps; Tissue diagnosis in one visit"),
    _fam("digestive", "surgery", "Laparoscopy, surgical; cholecystectomy",
         "laparoscopic gallbladder removal", "abdomen", "to remove the gallbladder through small incisions",
         "Symptomatic gallstones; Acute or chronic cholecystitis; Gallstone pancreatitis; Gallbladder polyps larger than 1 cm",
         "Pain in the upper right abdomen after meals; Nausea and vomiting; Fever with abdominal pain; Yellowing of the skin or eyes",
         "Four small incisions are made in the abdomen; The abdomen is inflated with carbon dioxide; The cystic duct and artery are clipped and divided; The gallbladder is removed through one of the incisions",
         "Abdominal ultrasound; Liver function tests; HIDA scan",
         "Bile duct injury; Bile leak; Retained stones in the bile duct",
         "Open cholecystectomy; Medications to dissolve stones; Observation for mild symptoms",
         "General surgeon", "General anesthesia", "a hospital or ambulatory surgery center",
         (10000, 20000), (60, 90), "Laparoscope, trocars, clip applier, electrocautery hook",
         "Less pain than open surgery; Small scars; Return home the same day or next day"),
    _fam("digestive", "surgery", "Repair, initial inguinal hernia, age 5 years or older; reducible",
         "inguinal hernia repair", "groin", "to push the bulging tissue back and reinforce the abdominal wall",
         "A reducible bulge in the groin; Hernias that cause pain or discomfort; Hernias that are getting larger; Prevention of incarceration",
         "A bulge in the groin that disappears when lying down; Aching or burning in the groin; Heaviness after standing; Discomfort when lifting",
         "An incision is made over the groin crease; The hernia sac is identified and reduced; A mesh is placed to reinforce the abdominal wall; The layers are closed with sutures",
         "Physical examination while standing and coughing; Ultrasound if the diagnosis is unclear",
         "Hernia recurrence; Chronic groin pain; Seroma formation",
         "Watchful waiting for small painless hernias; Laparoscopic repair; Hernia truss",
         "General surgeon", "General, spinal or local anesthesia", "an ambulatory surgery center",
         (4000, 11000), (45, 90), "Polypropylene mesh, sutures, retractors",
         "Relief of pain and bulging; Prevention of strangulation; Quick return to desk work"),
    _fam("digestive", "surgery", "Esophagogastroduodenoscopy, flexible, transoral; diagnostic, including collection of specimen(s) by brushing or washing, when performed",
         "upper endoscopy", "upper digestive tract", "to examine the esophagus, stomach and duodenum",
         "Persistent heartburn or reflux; Difficulty swallowing; Upper abdominal pain; Gastrointestinal bleeding",
         "Heartburn that does not respond to medication; Pain when swallowing; Vomiting blood; Black, tarry stools",
         "The throat is sprayed with a numbing medication; The endoscope is passed through the mouth into the esophagus; The stomach and duodenum are examined; Samples are collected by brushing or washing if needed",
         "Complete blood count; Helicobacter pylori testing; Barium swallow",
         "Sore throat; Bleeding; Perforation, which is rare",
         "Trial of acid-suppressing medication; Barium swallow study; Capsule endoscopy",
         "Gastroenterologist", "Moderate sedation", "an endoscopy center",
         (1200, 3000), (15, 30), "Gastroscope, bite block, brushes, suction",
         "Quick and accurate diagnosis; No incisions; Same-day results for visual findings"),
    # urinary / genital / endocrine
    _fam("urinary", "surgery", "Cystourethroscopy (separate procedure)",
         "cystoscopy", "bladder", "to look inside the bladder and urethra with a thin scope",
         "Blood in the urine; Recurrent urinary tract infections; Urinary incontinence or retention; Surveillance after bladder cancer treatment",
         "Visible blood in the urine; Frequent or urgent urination; Pain when urinating; Weak urine stream",
         "A lubricating numbing gel is placed in the urethra; The cystoscope is gently inserted into the bladder; The bladder is filled with sterile water; The lining of the bladder and urethra is examined",
         "Urinalysis and urine culture; Urine cytology; CT urogram",
         "Burning with urination for a day or two; Urinary tract infection; Blood in the urine",
         "CT urogram; Urine cytology alone; Ultrasound of the bladder",
         "Urologist", "Local anesthetic gel", "a urology office",
         (400, 1200), (10, 20), "Flexible cystoscope, irrigation fluid, video monitor",
         "Direct view of the bladder; Done in the office; Immediate results"),
    _fam("genital", "surgery", "Hysteroscopy, surgical; with sampling (biopsy) of endometrium and/or polypectomy, with or without D & C",
         "hysteroscopy with biopsy or polyp removal", "uterus", "to examine the inside of the uterus and remove polyps or take samples",
         "Abnormal uterine bleeding; Postmenopausal bleeding; Endometrial polyps seen on ultrasound; Infertility evaluation",
         "Heavy or irregular periods; Bleeding between periods; Bleeding after menopause; Pelvic cramping",
         "The cervix is gently dilated; A hysteroscope is inserted into the uterus; The uterine cavity is distended with fluid; Polyps are removed or tissue is sampled",
         "Transvaginal ultrasound; Saline infusion sonography; Pregnancy test",
         "Uterine perforation; Fluid overload; Infection",
         "Endometrial biopsy in the office; Hormonal therapy; Dilation and curettage alone",
         "Gynecologist", "General anesthesia or sedation", "an outpatient surgery center",
         (3000, 6000), (15, 45), "Hysteroscope, fluid management system, grasping forceps",
         "Direct treatment of polyps; Accurate diagnosis; Quick recovery"),
    _fam("endocrine", "surgery", "Thyroidectomy, total or complete",
         "total thyroidectomy", "neck", "to remove the entire thyroid gland",
         "Thyroid cancer; Large goiter causing compression; Graves disease not controlled by medication; Suspicious nodules on biopsy",
         "A lump in the neck; Difficulty swallowing or breathing; Hoarseness; Symptoms of an overactive thyroid",
         "An incision is made in a natural skin crease of the neck; The thyroid gland is separated from surrounding tissue; The recurrent laryngeal nerves and parathyroid glands are preserved; The incision is closed with absorbable sutures",
         "Thyroid ultrasound; Fine-needle aspiration biopsy; Thyroid function blood tests",
         "Injury to the recurrent laryngeal nerve with hoarseness; Low calcium from parathyroid injury; Neck hematoma",
         "Radioactive iodine therapy; Antithyroid medications; Partial thyroidectomy (lobectomy)",
         "Endocrine surgeon or otolaryngologist", "General anesthesia", "a hospital",
         (8000, 18000), (90, 180), "Nerve monitoring system, energy sealing device, retractors",
         "Cure of thyroid cancer in many cases; Relief of compression symptoms; Control of hyperthyroidism"),
    # nervous / eye / ear
    _fam("nervous", "surgery", "Injection(s), anesthetic agent(s) and/or steroid; transforaminal epidural, with imaging guidance (fluoroscopy or CT), lumbar or sacral, single level",
         "lumbar epidural steroid injection", "lower back", "to reduce nerve root inflammation and relieve leg pain",
         "Lumbar radiculopathy from a herniated disc; Spinal stenosis with leg pain; Sciatica that persists after 6 weeks; Foraminal narrowing on MRI",
         "Pain radiating from the lower back into the leg; Numbness or tingling in the leg; Weakness in the foot or leg; Pain that worsens with sitting",
         "The patient lies face down on the table; The skin is numbed with local anesthetic; A needle is guided to the nerve root opening under fluoroscopy; Contrast dye confirms the position and the steroid is injected",
         "MRI of the lumbar spine; Neurological examination; Electromyography (EMG) in selected cases",
         "Temporary increase in pain; Headache from a dural puncture; Elevated blood sugar after steroid",
         "Physical therapy; Oral anti-inflammatory medications; Spine surgery for persistent compression",
         "Pain management physician", "Local anesthesia", "a pain clinic or outpatient center",
         (600, 1800), (15, 30), "Spinal needle, contrast dye, fluoroscopy unit",
         "Relief of leg pain for weeks to months; Helps patients take part in therapy; Avoids surgery for some patients"),
    _fam("nervous", "surgery", "Neuroplasty and/or transposition; median nerve at carpal tunnel",
         "carpal tunnel release", "wrist", "to relieve pressure on the median nerve at the wrist",
         "Carpal tunnel syndrome confirmed by nerve studies; Symptoms that persist after splinting and injections; Muscle wasting at the base of the thumb; Constant numbness",
         "Numbness or tingling in the thumb, index and middle fingers; Hand weakness and dropping objects; Symptoms that wake you at night; Pain radiating up the forearm",
         "An incision is made in the palm; The transverse carpal ligament is divided; The median nerve is inspected and freed; The skin is closed with sutures",
         "Nerve conduction studies; Electromyography (EMG); Ultrasound of the wrist",
         "Tenderness of the scar; Pillar pain in the palm; Incomplete relief of symptoms",
         "Wrist splinting at night; Corticosteroid injection; Activity modification",
         "Hand surgeon", "Local anesthesia", "an ambulatory surgery center",
         (1500, 4000), (15, 30), "Scalpel, retractors, tourniquet",
         "Relief of numbness and tingling; Prevents permanent nerve damage; Quick outpatient procedure"),
    _fam("eye", "surgery", "Extracapsular cataract removal with insertion of intraocular lens prosthesis (1-stage procedure), manual or mechanical technique (eg, irrigation and aspiration or phacoemulsification)",
         "cataract surgery", "eye", "to remove a clouded lens and replace it with an artificial lens",
         "Cataract that interferes with daily activities; Blurred vision not corrected by glasses; Glare when driving at night; Cataract preventing examination of the retina",
         "Cloudy or blurry vision; Faded colors; Halos around lights; Frequent changes in eyeglass prescription",
         "The eye is numbed with drops; A tiny incision is made at the edge of the cornea; The clouded lens is broken up with ultrasound and suctioned out; A folded artificial lens is inserted into the lens capsule",
         "Comprehensive eye examination; Biometry to calculate lens power; Optical coherence tomography",
         "Clouding of the lens capsule later on; Retinal detachment; Increased eye pressure",
         "Updated glasses prescription; Brighter lighting and magnifiers; Delaying surgery until vision worsens",
         "Ophthalmologist", "Topical anesthesia with light sedation", "an ambulatory surgery center",
         (3000, 6000), (15, 30), "Phacoemulsification system, operating microscope, intraocular lens",
         "Clearer vision; Less dependence on glasses; Fast recovery"),
    _fam("ear", "surgery", "Tympanostomy (requiring insertion of ventilating tube), general anesthesia",
         "ear tube placement", "ear", "to drain fluid from the middle ear and prevent infections",
         "Recurrent ear infections; Fluid behind the eardrum for more than 3 months; Hearing loss from middle ear fluid; Speech delay related to hearing problems",
         "Repeated ear pain; Trouble hearing; Pulling at the ears in young children; Balance problems",
         "A tiny incision is made in the eardrum; Fluid is suctioned from the middle ear; A small ventilation tube is placed in the incision",
         "Hearing test (audiogram); Tympanometry; Otoscopic examination",
         "Ear drainage; Persistent hole in the eardrum; Early tube extrusion",
         "Watchful waiting; Antibiotics for each infection; Adenoidectomy",
         "Otolaryngologist (ENT surgeon)", "General anesthesia by mask", "an ambulatory surgery center",
         (1500, 3500), (10, 20), "Operating microscope, myringotomy knife, ventilation tubes",
         "Fewer ear infections; Better hearing; Improved sleep and behavior in children"),
    # radiology
    _fam("radiology", "imaging", "Magnetic resonance (eg, proton) imaging, spinal canal and contents, lumbar",
         "MRI of the lumbar spine", "lower back", "to create detailed images of the lumbar spine, discs and nerves",
         "Low back pain lasting more than 6 weeks; Sciatica or leg weakness; Suspected spinal infection or tumor; Planning for spine surgery",
         "Back pain that radiates into the leg; Numbness in the legs; Loss of bladder or bowel control; Back pain with fever",
         "The patient lies on the scanner table; A coil is placed around the lower back; The table slides into the magnet; Several sequences of images are acquired",
         "Plain X-rays of the lumbar spine; Kidney function test if contrast is planned",
         "Reaction to gadolinium contrast; Heating from metal implants",
         "CT scan of the lumbar spine; CT myelogram; X-rays",
         "Radiologist", "None (sedation for anxious patients)", "an imaging center or hospital radiology department",
         (500, 2500), (30, 45), "MRI scanner, spine coil, gadolinium contrast",
         "No ionizing radiation; Excellent view of discs and nerves; Guides treatment decisions"),
    _fam("radiology", "imaging", "Computed tomography, abdomen and pelvis",
         "CT scan of the abdomen and pelvis", "abdomen", "to create cross-sectional images of the abdominal and pelvic organs",
         "Unexplained abdominal pain; Suspected appendicitis or diverticulitis; Cancer staging; Kidney stones",
         "Severe abdominal pain; Fever with abdominal tenderness; Blood in the urine; Unexplained weight loss",
         "Oral contrast may be given to drink before the scan; An IV line is placed for contrast; The table moves through the scanner; Breath-holding instructions are given during imaging",
         "Kidney function blood test; Pregnancy test for women of childbearing age",
         "Allergic reaction to iodinated contrast; Contrast-induced kidney injury; Radiation exposure",
         "Abdominal ultrasound; MRI of the abdomen; Plain X-rays",
         "Radiologist", "None", "an imaging center or emergency department",
         (300, 3000), (10, 30), "CT scanner, power injector, iodinated contrast",
         "Fast results; Detailed images of many organs; Widely available"),
    _fam("radiology", "imaging", "Ultrasound, abdominal, real time with image documentation",
         "abdominal ultrasound", "abdomen", "to image the liver, gallbladder, kidneys and other abdominal organs with sound waves",
         "Right upper quadrant pain; Abnormal liver tests; Suspected gallstones; Evaluation of kidney size",
         "Pain in the upper abdomen; Bloating; Yellowing of the skin; Abnormal blood tests",
         "Warm gel is applied to the abdomen; A transducer is moved across the skin; Images are captured from several angles",
         "Liver function tests; Kidney function tests",
         "No known risks from diagnostic ultrasound",
         "CT scan; MRI; HIDA scan for gallbladder function",
         "Sonographer and radiologist", "None", "an imaging center or hospital",
         (200, 800), (20, 40), "Ultrasound machine, curved transducer, coupling gel",
         "No radiation; Painless; Real-time images"),
    _fam("radiology", "imaging", "Screening mammography, bilateral (2-view study of each breast), including computer-aided detection (CAD) when performed",
         "screening mammogram", "breast", "to detect breast cancer early in women without symptoms",
         "Routine screening for women aged 40 and older; Family history of breast cancer; Previous abnormal mammogram; Dense breast tissue follow-up",
         "No symptoms (screening exam)",
         "The breast is placed on a plate and gently compressed; Two X-ray images are taken of each breast; The technologist checks image quality; A radiologist reviews the images with computer-aided detection",
         "Clinical breast examination; Review of prior mammograms",
         "False-positive results leading to more tests; Discomfort from compression; Small radiation dose",
         "Breast MRI for high-risk women; Breast ultrasound; Digital breast tomosynthesis",
         "Breast radiologist", "None", "a breast imaging center",
         (100, 400), (15, 30), "Digital mammography unit, compression paddle",
         "Finds cancer before it can be felt; Quick and widely available; Covered as preventive care"),
    # lab
    _fam("lab", "lab", "Comprehensive metabolic panel",
         "comprehensive metabolic panel blood test", "blood", "to measure blood sugar, electrolytes, kidney and liver function",
         "Routine health check-ups; Monitoring of diabetes or kidney disease; Evaluation of medication side effects; Assessment of dehydration",
         "Fatigue; Swelling of the legs; Confusion; Nausea and vomiting",
         "A blood sample is drawn from a vein in the arm; The sample is spun in a centrifuge to separate serum; An automated analyzer measures 14 substances",
         "Basic metabolic panel; Liver function panel",
         "Bruising at the puncture site; Fainting during the blood draw",
         "Basic metabolic panel; Individual tests such as glucose or creatinine",
         "Medical laboratory scientist", "None", "a clinical laboratory",
         (10, 200), (5, 10), "Blood collection tubes, centrifuge, chemistry analyzer"),
    _fam("lab", "lab", "Hemoglobin; glycosylated (A1C)",
         "hemoglobin A1c test", "blood", "to measure average blood sugar over the past 2-3 months",
         "Screening for diabetes; Monitoring diabetes control every 3-6 months; Evaluation of prediabetes; Adjusting diabetes medication",
         "Increased thirst; Frequent urination; Blurred vision; Slow-healing sores",
         "A blood sample is drawn from a vein or by finger stick; The sample is analyzed by chromatography or immunoassay; The result is reported as a percentage",
         "Fasting plasma glucose; Oral glucose tolerance test",
         "Bruising at the puncture site; Minor bleeding",
         "Fasting glucose test; Continuous glucose monitoring; Fructosamine test",
         "Medical laboratory scientist", "None", "a clinical laboratory or physician office",
         (15, 100), (5, 10), "Blood collection tubes, HPLC analyzer"),
    _fam("lab", "lab", "Level IV - Surgical pathology, gross and microscopic examination",
         "surgical pathology examination of tissue", "tissue", "to examine removed tissue under the microscope and make a diagnosis",
         "Biopsies of suspected tumors; Tissue removed during surgery; Evaluation of margins after cancer surgery; Diagnosis of inflammatory conditions",
         "Lumps or masses; Abnormal imaging findings; Abnormal endoscopy findings",
         "The specimen is described and measured; Representative sections are processed into paraffin blocks; Thin slides are cut and stained; A pathologist examines the slides under the microscope",
         "Review of clinical history; Prior pathology reports",
         "Need for additional biopsy if the sample is insufficient",
         "Cytology; Frozen section during surgery; Molecular testing",
         "Pathologist", "None", "a hospital or reference pathology laboratory",
         (100, 500), (24, 72), "Tissue processor, microtome, microscope, stains"),
    # medicine
    _fam("medicine", "therapy", "Therapeutic procedure, 1 or more areas, each 15 minutes; therapeutic exercises to develop strength and endurance, range of motion and flexibility",
         "therapeutic exercise in physical therapy", "muscles and joints", "to improve strength, range of motion and flexibility",
         "Recovery after orthopedic surgery; Back or neck pain; Weakness after illness or injury; Joint stiffness from arthritis",
         "Weakness; Limited range of motion; Pain with movement; Difficulty with daily activities",
         "The therapist assesses strength and range of motion; Exercises are demonstrated and supervised; Resistance and repetitions are adjusted; A home exercise program is updated",
         "Functional assessment; Range of motion measurements",
         "Muscle soreness; Temporary increase in pain",
         "Home exercise program alone; Aquatic therapy; Manual therapy",
         "Physical therapist", "None", "a physical therapy clinic",
         (50, 150), (15, 15), "Resistance bands, free weights, exercise mat, treadmill",
         "Better strength and endurance; Improved mobility; Reduced risk of re-injury"),
    _fam("medicine", "therapy", "Echocardiography, transthoracic, real-time with image documentation (2D), includes M-mode recording, when performed, complete, with spectral Doppler echocardiography, and with color flow Doppler echocardiography",
         "transthoracic echocardiogram", "heart", "to evaluate the structure and function of the heart with ultrasound",
         "Heart murmur; Shortness of breath; Suspected heart failure; Evaluation of valve disease",
         "Shortness of breath; Chest pain; Swelling of the legs; Palpitations",
         "Electrodes are placed on the chest; Gel is applied and a transducer is moved over the chest; Images and Doppler measurements of the heart are recorded",
         "Electrocardiogram; Chest X-ray; BNP blood test",
         "No known risks",
         "Cardiac MRI; Transesophageal echocardiogram; Cardiac CT",
         "Cardiac sonographer and cardiologist", "None", "a cardiology office or hospital",
         (1000, 3000), (45, 60), "Ultrasound machine, cardiac transducer, ECG leads",
         "No radiation; Detailed view of valves and heart function; Quick results"),
    _fam("medicine", "therapy", "Polysomnography; age 6 years or older, sleep staging with 4 or more additional parameters of sleep, attended by a technologist",
         "overnight sleep study", "sleep", "to record brain waves, breathing and oxygen levels during sleep",
         "Suspected obstructive sleep apnea; Excessive daytime sleepiness; Unusual behaviors during sleep; Titration of CPAP therapy",
         "Loud snoring; Witnessed pauses in breathing; Morning headaches; Daytime fatigue",
         "Sensors are attached to the scalp, face, chest and legs; The patient sleeps in a private room; A technologist monitors the recording overnight",
         "Sleep questionnaire (Epworth scale); Home sleep apnea test",
         "Skin irritation from the sensors",
         "Home sleep apnea test; Trial of positional therapy",
         "Sleep technologist and sleep medicine physician", "None", "a sleep center",
         (1000, 3000), (360, 480), "Polysomnography system, EEG electrodes, pulse oximeter",
         "Accurate diagnosis of sleep disorders; Guides CPAP settings; Identifies other sleep problems"),
    _fam("medicine", "therapy", "Immunization administration (includes percutaneous, intradermal, subcutaneous, or intramuscular injections); 1 vaccine (single or combination vaccine/toxoid)",
         "vaccine administration", "arm", "to give a vaccine by injection",
         "Routine childhood and adult immunizations; Travel vaccines; Vaccines for high-risk patients; Catch-up vaccination",
         "None (preventive service)",
         "Vaccine history is reviewed; The injection site is cleaned; The vaccine is injected into the muscle or under the skin; The patient is observed for 15 minutes",
         "Review of immunization records; Screening for contraindications",
         "Soreness at the injection site; Mild fever; Rarely, an allergic reaction",
         "Delaying vaccination; Alternative vaccine schedules",
         "Nurse or medical assistant", "None", "a physician office, pharmacy or clinic",
         (25, 60), (5, 15), "Syringes, needles, vaccine vials, alcohol swabs",
         "Protection against disease; Quick visit; Covered as preventive care"),
    # evaluation and management
    _fam("em", "visit", "Office or other outpatient visit for the evaluation and management of an established patient, which requires a medically appropriate history and/or examination",
         "established patient office visit", "", "to evaluate and manage an existing patient's health problems",
         "Follow-up of chronic conditions; New symptoms in an existing patient; Medication management; Review of test results",
         "Any new or ongoing health concern",
         "The provider reviews the history and current medications; A medically appropriate examination is performed; Test results are reviewed; A treatment plan is discussed and documented",
         "Review of prior records; Laboratory and imaging results",
         "", "Telehealth visit; Nurse visit; Online portal message",
         "Physician or advanced practice provider", "None", "a physician office or outpatient clinic",
         (75, 250), (10, 40), "Examination room, electronic health record"),
    _fam("em", "visit", "Initial hospital inpatient or observation care, per day, for the evaluation and management of a patient, which requires a medically appropriate history and/or examination",
         "initial hospital care visit", "", "to evaluate a patient on the first day of a hospital or observation stay",
         "Admission to the hospital; Placement in observation status; Transfer from another facility",
         "Acute illness requiring hospital care",
         "The admitting provider takes a detailed history; A comprehensive examination is performed; Orders for tests and treatment are written; The care plan is documented",
         "Emergency department records; Admission laboratory tests",
         "", "Outpatient management; Observation without admission",
         "Hospitalist", "None", "a hospital",
         (150, 400), (40, 75), "Electronic health record"),
    # category III
    _fam("emerging", "surgery", "Intramuscular autologous bone marrow cell therapy, with preparation of harvested cells, multiple injections, one leg, including ultrasound guidance, if performed; complete procedure including unilateral or bilateral bone marrow harvest",
         "bone marrow cell therapy for critical limb ischemia", "leg", "to improve blood flow in a leg with severe arterial disease",
         "Critical limb ischemia not suitable for bypass; Peripheral artery disease with rest pain; Non-healing ischemic ulcers; Patients facing amputation",
         "Pain in the foot at rest; Ulcers on the toes or foot that do not heal; Cold, pale skin of the leg; Pain when walking short distances",
         "Bone marrow is harvested from the iliac crest; The marrow is concentrated in a centrifuge; The cells are injected into the calf and thigh muscles at multiple sites; Ultrasound guidance may be used",
         "Ankle-brachial index; Doppler segmental pressures; Angiography of the leg",
         "Pain at the harvest site; Bleeding; Lack of improvement",
         "Surgical bypass; Endovascular angioplasty; Amputation",
         "Vascular surgeon", "General or regional anesthesia", "a hospital",
         (10000, 25000), (90, 150), "Bone marrow needle, centrifuge, ultrasound machine",
         "Possible limb salvage; Uses the patient's own cells; Avoids major surgery"),
    _fam("emerging", "imaging", "Quantification and characterization of coronary atherosclerotic plaque to assess severity of coronary disease, using data from coronary computed tomographic angiography",
         "AI-based coronary plaque analysis", "heart", "to measure the amount and type of plaque in the coronary arteries",
         "Stable chest pain; Intermediate risk of coronary disease; Evaluation after an abnormal stress test",
         "Chest pain with exertion; Shortness of breath",
         "CT angiography data are uploaded to the analysis software; Plaque is segmented and quantified; A report of plaque volume and stenosis is produced",
         "Coronary CT angiography; Lipid panel",
         "Over-treatment based on borderline findings",
         "Standard CT angiography read; Stress testing; Invasive angiography",
         "Cardiologist or radiologist", "None", "an imaging center",
         (500, 1500), (20, 40), "Analysis software, CT angiography data set",
         "Detailed risk assessment; No additional scan needed; Guides preventive treatment"),
    _fam("emerging", "surgery", "Transcatheter tricuspid valve repair, percutaneous approach; initial prosthesis",
         "transcatheter tricuspid valve repair", "heart", "to reduce leakage of the tricuspid valve without open-heart surgery",
         "Severe tricuspid regurgitation; High surgical risk; Right heart failure symptoms despite medication",
         "Swelling of the legs and abdomen; Fatigue; Shortness of breath",
         "A catheter is introduced through the femoral vein; The device is steered to the tricuspid valve under echo guidance; Clips are placed to bring the valve leaflets together",
         "Transesophageal echocardiogram; Right heart catheterization; Cardiac CT",
         "Device detachment; Bleeding at the access site; Heart rhythm problems",
         "Medical therapy with diuretics; Open surgical valve repair",
         "Interventional cardiologist", "General anesthesia", "a hospital cardiac catheterization laboratory",
         (30000, 60000), (120, 240), "Delivery catheter, repair clip, echocardiography",
         "Less leakage; Fewer hospital admissions; No open-heart surgery"),
    # category II
    _fam("measure", "measure", "Most recent hemoglobin A1c (HbA1c) level less than 7.0%",
         "reporting a controlled HbA1c result", "", "to document a quality measure for diabetes control",
         "Patients aged 18-75 with diabetes; The most recent HbA1c result in the measurement period; Quality programs such as MIPS",
         "", "Document the date and value of the most recent HbA1c; Report the code on the claim for the encounter; Use the matching performance modifier when an exclusion applies",
         "", "", "", "Primary care physician", "", "", (0, 0), (0, 0), ""),
    _fam("measure", "measure", "Tobacco use assessed, patient identified as tobacco user, received tobacco cessation intervention",
         "reporting tobacco screening and cessation counseling", "", "to document tobacco screening and counseling for a quality measure",
         "Patients aged 12 and older seen during the measurement period; Screening at least once every 24 months; Patients identified as tobacco users",
         "", "Record the screening result; Document counseling or pharmacotherapy; Report the code with the visit",
         "", "", "", "Primary care physician", "", "", (0, 0), (0, 0), ""),
    _fam("measure", "measure", "Most recent systolic blood pressure less than 130 mm Hg",
         "reporting a controlled systolic blood pressure", "", "to document blood pressure control for a quality measure",
         "Patients with hypertension; Patients with diabetes or chronic kidney disease; The last reading of the measurement period",
         "", "Record the blood pressure reading in the chart; Use the most recent reading on the date of service; Report the code with the matching diastolic code",
         "", "", "", "Primary care physician", "", "", (0, 0), (0, 0), ""),
    # HCPCS
    _fam("hcpcs_A", "supply", "Alginate or other fiber gelling dressing, wound cover, sterile",
         "alginate wound dressing", "wound", "to absorb drainage and keep a wound moist",
         "Moderately to heavily draining wounds; Pressure ulcers; Venous leg ulcers; Surgical wounds healing by secondary intention",
         "", "The wound is cleansed; The dressing is cut to fit the wound bed; A secondary dressing is applied over it; The dressing is changed up to once a day",
         "", "Drying of the wound bed if drainage is low; Skin maceration", "Foam dressings; Hydrocolloid dressings; Negative pressure wound therapy",
         "Wound care nurse", "", "home or a wound clinic", (5, 25), (0, 0), "Alginate pads, gauze, tape"),
    _fam("hcpcs_E", "dme", "Oxygen concentrator, single delivery port, capable of delivering 85 percent or greater oxygen concentration at the prescribed flow rate",
         "home oxygen concentrator", "lungs", "to supply concentrated oxygen at home",
         "Resting oxygen saturation of 88% or less; COPD with low oxygen levels; Pulmonary fibrosis; Oxygen need during sleep or exercise",
         "Shortness of breath; Bluish lips or fingertips; Fatigue", "The supplier delivers and sets up the concentrator; The patient is taught to adjust the flow rate; Tubing and cannula are replaced regularly",
         "Arterial blood gas or pulse oximetry; Six-minute walk test", "Fire risk near open flames; Nasal dryness", "Portable oxygen cylinders; Liquid oxygen systems",
         "Respiratory therapist", "", "the patient's home", (150, 300), (0, 0), "Concentrator, nasal cannula, tubing"),
    _fam("hcpcs_E", "dme", "Hospital bed, semi-electric (head and foot adjustment), with any type side rails, with mattress",
         "semi-electric hospital bed", "body", "to allow safe positioning at home",
         "Conditions requiring positioning not possible in an ordinary bed; Elevation of the head more than 30 degrees; Heart failure or COPD; Need for special attachments such as traction",
         "", "The bed is delivered and assembled in the home; Caregivers are shown how to use the controls and rails; The supplier services the bed as needed",
         "", "Entrapment in side rails; Falls when rails are lowered", "Standard bed with wedges; Adjustable home bed",
         "DME supplier", "", "the patient's home", (100, 250), (0, 0), "Bed frame, side rails, mattress, hand control"),
    _fam("hcpcs_G", "visit", "Annual wellness visit; includes a personalized prevention plan of service (PPPS), subsequent visit",
         "Medicare annual wellness visit", "", "to update a personalized prevention plan",
         "Medicare beneficiaries more than 12 months after the initial wellness visit; Review of health risk assessment; Update of screening schedule",
         "", "A health risk assessment is completed; Medical and family history is updated; Cognitive function is assessed; A written screening schedule is provided",
         "", "", "", "Primary care physician", "None", "a physician office", (120, 180), (30, 60), "Health risk assessment form"),
    _fam("hcpcs_J", "drug", "Injection, dexamethasone sodium phosphate",
         "dexamethasone injection", "body", "to reduce inflammation and allergic reactions",
         "Severe allergic reactions; Asthma or COPD exacerbations; Cerebral edema; Nausea prevention with chemotherapy",
         "Swelling; Shortness of breath; Severe itching or rash", "The dose is prepared from the vial; The injection is given into a muscle or vein; The patient is monitored for reactions",
         "", "High blood sugar; Mood changes; Injection site pain", "Oral corticosteroids; Other anti-inflammatory medications",
         "Nurse", "", "a physician office or infusion center", (5, 40), (5, 15), "Syringe, needle, medication vial"),
    _fam("hcpcs_J", "drug", "Injection, ceftriaxone sodium",
         "ceftriaxone injection", "body", "to treat serious bacterial infections",
         "Pneumonia; Gonorrhea; Meningitis; Complicated urinary tract infections",
         "Fever; Chills; Signs of infection", "The powder is reconstituted with sterile diluent; The injection is given into a large muscle or by IV infusion; The patient is observed for allergic reactions",
         "", "Diarrhea; Allergic reaction; Pain at the injection site", "Oral antibiotics; Other IV antibiotics",
         "Nurse", "", "a clinic, emergency department or infusion center", (10, 60), (5, 30), "Syringe, diluent, vial"),
    _fam("hcpcs_K", "dme", "Supply allowance for therapeutic continuous glucose monitor (CGM), includes all supplies and accessories, 1 month supply",
         "continuous glucose monitor supplies", "skin", "to measure glucose continuously through a sensor under the skin",
         "Insulin-treated diabetes; Frequent hypoglycemia; Need for frequent insulin dose adjustment",
         "", "A new sensor is inserted under the skin every 10-14 days; The transmitter sends readings to a receiver or phone; Alerts warn of high or low glucose",
         "", "Skin irritation under the sensor; Sensor errors", "Finger-stick glucose meter",
         "Endocrinologist", "", "home", (200, 400), (0, 0), "Sensors, transmitter, receiver"),
    _fam("hcpcs_L", "dme", "Knee orthosis, elastic with joints, prefabricated item that has been trimmed, bent, molded, assembled, or otherwise customized to fit a specific patient by an individual with expertise",
         "hinged knee brace", "knee", "to support and stabilize the knee",
         "Ligament injuries of the knee; Knee instability; Post-operative protection; Osteoarthritis with instability",
         "", "The brace is fitted and adjusted by an orthotist; The patient is taught to put it on and take it off; Fit is checked at follow-up",
         "", "Skin irritation; Swelling below the brace", "Elastic sleeve; Custom-fabricated brace; Physical therapy",
         "Orthotist", "", "an orthotics clinic", (100, 600), (0, 0), "Hinged knee brace, straps"),
    _fam("hcpcs_Q", "supply", "Skin substitute, per square centimeter",
         "skin substitute graft", "wound", "to cover a chronic wound and support healing",
         "Diabetic foot ulcers not healing after 4 weeks; Venous leg ulcers; Burns",
         "", "The wound is debrided; The skin substitute is cut to size and applied; A protective dressing is placed over the graft",
         "", "Infection; Graft failure", "Standard wound care; Split-thickness skin graft",
         "Wound care specialist", "", "a wound care center", (50, 2000), (0, 0), "Skin substitute sheet, dressings"),
]

FAMILIES_BY_GROUP: dict[str, list[Family]] = {}
for _f in FAMILIES:
    FAMILIES_BY_GROUP.setdefault(_f.group, []).append(_f)

QUALIFIERS = {
    "surgery": ["", "; initial", "; each additional (List separately in addition to code for primary procedure)", "; complex",
                "; simple", "; revision", "; unilateral", "; bilateral", "; limited", "; extensive"],
    "imaging": ["", "; without contrast material", "; with contrast material(s)",
                "; without contrast material, followed by contrast material(s) and further sequences", "; limited",
                "; complete", "; follow-up study", "; with 3D rendering", "; bilateral", "; unilateral"],
    "lab": ["", "; quantitative", "; qualitative", "; automated", "; manual",
            "; each additional specimen (List separately in addition to code for primary procedure)",
            "; with interpretation and report", "; screen", "; confirmation", "; panel"],
    "therapy": ["", "; each additional 15 minutes (List separately in addition to code for primary procedure)", "; initial",
                "; limited", "; complete", "; follow-up", "; with interpretation and report", "; with physician supervision",
                "; group", "; home"],
    "visit": ["; straightforward medical decision making", "; low level of medical decision making",
              "; moderate level of medical decision making", "; high level of medical decision making", "; 10-19 minutes",
              "; 20-29 minutes", "; 30-39 minutes", "; 40-54 minutes",
              "; each additional 15 minutes (List separately in addition to code for primary procedure)", ""],
    "measure": ["", " (DM)", " (HTN)", " (CKD)", " (PV)", " (CAD)", " (COPD)", " (GER)", " (ASC)", " (IBD)"],
    "drug": [", 1 mg", ", per 10 mg", ", per 50 mg", ", per 100 mg", ", per 250 mg", ", per 500 mg", ", 1 ml",
             ", per 5 units", ", per 0.1 mg", ", up to 40 mg"],
    "dme": ["", ", rental", ", purchase", ", replacement", ", each", ", adult size", ", pediatric size", ", heavy duty",
            ", with accessories", ", lightweight"],
    "supply": ["", ", each", ", per square centimeter", ", pad size 16 sq in or less",
               ", pad size more than 16 sq in but less than or equal to 48 sq in", ", sterile", ", non-sterile", ", per 10",
               ", per box", ", each dressing"],
}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    system: str  # CPT | CPT-II | CPT-III | HCPCS
    label: str  # CPT | HCPCS (what pages call it)
    group: str
    family: Family
    title: str
    category: str
    is_add_on: bool


def _family_key(code: str) -> str:
    """The code without the last digit of its number: neighbours share it (2118, 026T, J110)."""
    if code[-1] in "FT":
        return code[:3] + code[-1]
    return code[:-1]


# Well-known codes keep the family they really describe (and the seed pages' codes theirs), title without qualifier.
PINNED = {
    "27447": "Arthroplasty, knee", "29881": "Arthroscopy, knee", "66984": "Extracapsular cataract", "45380": "Colonoscopy",
    "47562": "Laparoscopy, surgical; cholecystectomy", "49505": "Repair, initial inguinal", "64721": "Neuroplasty",
    "64483": "Injection(s), anesthetic", "22514": "Percutaneous vertebroplasty", "21249": "Percutaneous vertebroplasty",
    "21183": "Injection of bone marrow aspirate", "0263T": "Intramuscular autologous", "72148": "Magnetic resonance",
    "74177": "Computed tomography, abdomen", "77067": "Screening mammography", "76700": "Ultrasound, abdominal",
    "80053": "Comprehensive metabolic", "83036": "Hemoglobin; glycosylated", "88305": "Level IV", "97110": "Therapeutic procedure",
    "93306": "Echocardiography", "95810": "Polysomnography", "90471": "Immunization administration",
    "99213": "Office or other outpatient", "99214": "Office or other outpatient", "99222": "Initial hospital",
    "3044F": "Most recent hemoglobin", "4004F": "Tobacco use", "3074F": "Most recent systolic", "J1100": "Injection, dexamethasone",
    "J0696": "Injection, ceftriaxone", "E1390": "Oxygen concentrator", "E0260": "Hospital bed", "G0439": "Annual wellness",
    "L1832": "Knee orthosis", "A6196": "Alginate", "Q4101": "Skin substitute", "K0553": "Supply allowance",
}


@lru_cache(maxsize=65536)
def code_info(code: str) -> CodeInfo:
    """What the corpus says about a code (deterministic): system, family, title, category, add-on."""
    system = system_of(code)
    if system == "CPT-II":
        group = "measure"
    elif system == "CPT-III":
        group = "emerging"
    elif system == "HCPCS":
        group = f"hcpcs_{code[0]}" if f"hcpcs_{code[0]}" in FAMILIES_BY_GROUP else "hcpcs_A"
    else:
        n = int(code)
        group = next((g for lo, hi, g, _ in CPT_GROUPS if lo <= n <= hi), "musculoskeletal" if n < 70000 else "medicine")
    fams = FAMILIES_BY_GROUP[group]
    fam = fams[zlib.crc32(_family_key(code).encode()) % len(fams)]
    digit = int(re.sub(r"\D", "", code)[-1])
    qualifier = QUALIFIERS[fam.kind][digit]
    if code in PINNED:
        fam = next(f for f in FAMILIES if f.title.startswith(PINNED[code]))
        group, qualifier = fam.group if fam.group in FAMILIES_BY_GROUP else group, ""
    title = fam.title + qualifier
    if group.startswith("hcpcs_"):
        category = HCPCS_CATEGORY[code[0]] if code[0] in HCPCS_CATEGORY else "HCPCS Level II"
    else:
        category = GROUP_CATEGORY.get(group, "Surgical Procedures")
    return CodeInfo(code, system, "HCPCS" if system == "HCPCS" else "CPT", group, fam, title, category,
                    "List separately in addition" in qualifier)


# --------------------------------------------------------------------------------------------
# Generic wording pools. "a | b" are paraphrases: each site consistently uses one of them, so two
# sites word the same fact differently. {region}, {spec}, {lay} are filled from the family.
# --------------------------------------------------------------------------------------------

POOLS: dict[str, dict[str, list[str]]] = {
    "indications": {
        "default": [
            "Failure of conservative treatment such as rest, medication or physical therapy. | Symptoms that persist despite conservative care.",
            "Findings on imaging that confirm the diagnosis. | Imaging results that support the need for the procedure.",
            "Symptoms that interfere with work, sleep or daily activities. | Symptoms that limit daily life.",
            "Recommendation by a specialist after a full evaluation.",
        ],
        "measure": [
            "Encounters with an eligible CPT or HCPCS visit code. | Eligible office visits during the reporting year.",
            "Submission through claims, registry or electronic health record reporting.",
            "Patients not excluded for hospice or palliative care.",
        ],
        "dme": [
            "A face-to-face examination within six months before the order. | A documented in-person visit before the order.",
            "A written order signed by the treating practitioner. | A valid prescription from the treating physician.",
            "Documentation that the item is medically necessary.",
        ],
        "supply": ["A written order signed by the treating practitioner.", "Documentation of wound size and drainage at least monthly."],
        "drug": ["Use consistent with FDA-approved labeling or accepted compendia.", "Documentation of the dose and route in the medical record."],
    },
    "symptoms": {
        "default": [
            "Pain that worsens with activity. | Pain that gets worse with movement.",
            "Swelling or tenderness of the {region}.",
            "Reduced ability to perform daily activities.",
            "Symptoms that have lasted several weeks or longer.",
        ],
    },
    "causes_risk_factors": {
        "default": [
            "Advancing age. | Older age.",
            "Previous injury or surgery involving the {region}.",
            "Obesity and a sedentary lifestyle. | Excess body weight and low physical activity.",
            "Smoking, which slows healing. | Tobacco use.",
            "Family history of similar conditions.",
            "Chronic conditions such as diabetes. | Diabetes and other chronic illnesses.",
            "Repetitive strain from work or sports.",
        ],
    },
    "diagnostic_tests": {
        "default": [
            "Physical examination of the {region}. | A focused physical exam.",
            "Blood tests to rule out infection or other underlying conditions.",
            "Review of prior imaging and medical records.",
        ],
    },
    "procedure_pre": {
        "surgery": [
            "The patient is positioned comfortably on the procedure table. | Patient is positioned comfortably and the site is identified.",
            "The {region} is cleaned with an antiseptic solution and draped in a sterile fashion.",
            "Anesthesia is administered to keep the patient comfortable. | Local anesthesia is administered to minimize discomfort.",
        ],
        "imaging": ["The patient changes into a gown and removes metal objects.", "The technologist explains the exam and positions the patient."],
        "lab": ["The patient's identity is confirmed and the tubes are labeled."],
        "therapy": ["The provider reviews the patient's history and goals."],
        "drug": ["The order, dose and patient allergies are verified."],
        "default": [],
    },
    "procedure_post": {
        "surgery": [
            "The incision is closed with sutures or adhesive strips. | The incision site is closed with sutures or medical glue.",
            "A sterile dressing is applied to the site. | The site is bandaged.",
            "The patient is moved to the recovery area for monitoring.",
        ],
        "imaging": ["A radiologist reviews the images and sends a report to the ordering physician."],
        "lab": ["Results are reported to the ordering provider, usually within 1-3 days."],
        "therapy": ["Findings are documented and shared with the referring provider."],
        "default": [],
    },
    "preparation": {
        "surgery": [
            "Discuss all current medications with your healthcare provider, including supplements. | Discuss any medications with your healthcare provider.",
            "Stop blood thinners such as warfarin or clopidogrel only as instructed by your doctor. | Avoid blood thinners or anti-inflammatory medications as advised.",
            "Do not eat or drink anything after midnight the night before the procedure. | Follow any fasting instructions provided by your healthcare team.",
            "Arrange for a responsible adult to drive you home afterwards. | Arrive at the facility with a responsible adult for post-procedure transport.",
            "Wear loose, comfortable clothing on the day of the procedure.",
            "Shower the night before and avoid applying lotions to the {region}.",
            "Complete any pre-operative blood work and imaging ordered by your surgeon.",
            "Tell your care team about any allergies, especially to latex, iodine or anesthesia.",
            "Bring your insurance card, photo ID and a list of medications.",
            "Stop smoking at least two weeks beforehand to improve healing.",
        ],
        "imaging": [
            "Remove jewelry, hearing aids and other metal objects before the scan.",
            "Tell the technologist if you are pregnant or might be pregnant.",
            "Inform staff about kidney problems if contrast material will be used.",
            "Fasting for 4-6 hours may be required for studies with contrast.",
            "Let the team know about implanted devices such as pacemakers or cochlear implants.",
            "Arrive 15-30 minutes early to complete screening forms.",
        ],
        "lab": [
            "Fasting for 8-12 hours may be required; water is usually allowed.",
            "Continue taking regular medications unless told otherwise.",
            "Drink water beforehand to make the blood draw easier.",
            "Wear a short-sleeved shirt or one with loose sleeves.",
        ],
        "default": [
            "Bring a list of current medications and recent test results.",
            "Write down questions or symptoms you want to discuss.",
            "Wear comfortable clothing.",
            "Check with your insurance about coverage and prior authorization.",
        ],
    },
    "recovery": {
        "surgery": [
            "Rest for the first 24-48 hours and avoid strenuous activity. | Rest the affected area and avoid strenuous activities for a few days.",
            "Keep the incision clean and dry until your follow-up visit.",
            "Apply ice packs for 15-20 minutes at a time to reduce swelling. | Apply ice to reduce swelling and discomfort.",
            "Take prescribed pain medication as directed. | Follow prescribed pain management protocols.",
            "Gradually return to normal activities as tolerated.",
            "Watch for fever, increasing redness or drainage at the site.",
            "Attend physical therapy sessions if recommended.",
            "Avoid lifting objects heavier than 10 pounds for two weeks.",
        ],
        "imaging": [
            "Most patients return to normal activities immediately.",
            "Drink plenty of fluids to help flush contrast material from the body.",
            "Resume your usual diet and medications unless told otherwise.",
        ],
        "default": ["Keep the bandage on for a few hours.", "Mild bruising at the site is common and resolves in a few days.", "Resume normal activities the same day."],
    },
    "complications": {
        "surgery": [
            "Infection at the surgical site. | Infection at the injection or incision site.",
            "Bleeding or hematoma formation.",
            "Adverse reaction to anesthesia. | Allergic reactions to anesthesia or other materials used.",
            "Blood clots in the legs (deep vein thrombosis).",
            "Damage to nearby nerves, vessels or tissue.",
            "Persistent pain or stiffness.",
        ],
        "imaging": ["Anxiety or claustrophobia during the scan.", "Allergic reaction to contrast material."],
        "drug": ["Allergic reactions ranging from rash to anaphylaxis.", "Nausea or headache.", "Injection site redness."],
        "default": ["Bruising at the puncture site.", "Lightheadedness or fainting."],
    },
    "follow_up": {
        "default": [
            "Initial follow-up within 7-14 days to check for complications. | Schedule a follow-up appointment within 1-2 weeks.",
            "Subsequent visits at 4-6 weeks to evaluate healing.",
            "Imaging may be repeated to assess the result.",
            "Long-term follow-up as needed based on recovery progress.",
            "Report new or worsening symptoms to your provider promptly.",
        ],
    },
    "alternatives": {
        "default": [
            "Physical therapy to strengthen surrounding muscles.",
            "Medications for pain management and inflammation. | Pain management with medications.",
            "Watchful waiting with regular monitoring.",
            "Lifestyle changes such as weight loss and activity modification.",
        ],
    },
    "home_care": {
        "default": [
            "Keep the site clean and dry. | Keep the injection site clean and dry.",
            "Monitor for signs of infection such as increased redness or swelling.",
            "Stay hydrated and maintain a balanced diet to support healing.",
            "Use pillows to elevate the {region} when resting.",
            "Avoid soaking in baths, hot tubs or pools until cleared by your doctor.",
            "Engage in gentle movements as advised by your healthcare provider.",
        ],
        "dme": [
            "Clean the equipment as described in the supplier's instructions.",
            "Keep the supplier's phone number handy for repairs.",
            "Check the equipment daily for wear or damage.",
        ],
    },
    "patient_education": {
        "default": [
            "Maintain a healthy weight to reduce stress on the {region}. | Maintain a healthy lifestyle with regular exercise.",
            "Do not smoke; smoking slows healing.",
            "Keep chronic conditions such as diabetes and high blood pressure under control.",
            "Know the warning signs that need urgent care.",
            "Schedule regular check-ups with your {spec_lower}.",
        ],
    },
    "benefits": {
        "default": ["Relief of symptoms and improved quality of life.", "Same-day discharge in most cases.", "Information that guides further treatment."],
    },
    "personnel": {
        "surgery": ["Anesthesiologist or nurse anesthetist", "Registered nurses", "Surgical technologist"],
        "imaging": ["Radiologic technologist", "Radiologist", "Nurse for contrast administration"],
        "lab": ["Phlebotomist", "Medical laboratory scientist", "Pathologist"],
        "default": ["Registered nurse", "Medical assistant"],
    },
    "cost_coverage": {
        "default": [
            "Medicare and most commercial plans cover the procedure when medically necessary. | Insurance may cover the procedure if deemed medically necessary.",
            "Prior authorization may be required by some insurers.",
            "Costs vary by facility type, region and physician fees.",
            "Ambulatory surgery centers are often less expensive than hospital outpatient departments.",
            "Check with your insurance provider for specific coverage details.",
            "Deductibles, copays and coinsurance affect the final amount you pay.",
        ],
    },
    "references": {
        "default": [
            "American Medical Association. CPT Professional Edition 2026.",
            "Centers for Medicare & Medicaid Services. Physician Fee Schedule Look-Up Tool.",
            "National Library of Medicine. MedlinePlus Medical Encyclopedia.",
            "CMS Medicare Claims Processing Manual, Chapter 12.",
            "National Correct Coding Initiative (NCCI) Policy Manual.",
        ],
    },
}

INTROS = {
    "indications": ["This procedure is indicated in various clinical scenarios.", "This procedure is indicated in specific clinical scenarios.",
                    "Your doctor may recommend it in the following situations.", "Common reasons for this service include:"],
    "symptoms": ["Patients may report several symptoms that lead to the consideration of this procedure.",
                 "Patients may report various symptoms that lead to this procedure.", "The following symptoms often prompt further evaluation."],
    "causes_risk_factors": ["Understanding the underlying causes and risk factors is crucial for identifying candidates for this procedure.",
                            "Understanding the causes and risk factors is crucial for prevention.",
                            "Several factors increase the likelihood of needing this procedure."],
    "diagnostic_tests": ["Several diagnostic tests may be performed to assess the need for this procedure.",
                         "Several diagnostic tests help determine the need for this procedure."],
    "procedure": ["The procedure involves several key steps to ensure safety and effectiveness.", "The procedure involves several key steps.",
                  "Here is what typically happens during the procedure."],
    "preparation": ["Proper preparation is essential for a successful procedure.", "A few steps before the appointment help things go smoothly.",
                    "Your care team will give you specific instructions; common ones include:"],
    "recovery": ["Post-procedure care is important for optimal recovery.", "Post-procedure care is vital for recovery.",
                 "Most patients recover well by following these steps."],
    "complications": ["While generally safe, there are potential risks associated with the procedure.", "While generally safe, there are potential risks.",
                      "As with any medical procedure, complications can occur."],
    "follow_up": ["Monitoring after the procedure is crucial for assessing recovery.", "Follow-up is important to monitor recovery."],
    "alternatives": ["There are several non-surgical options available for managing similar conditions.", "There are non-surgical options available.",
                     "Depending on your condition, other options may be considered."],
    "home_care": ["Patients can take several steps at home to aid recovery.", "Simple tips can aid in recovery at home."],
    "patient_education": ["Educating patients on prevention can help avoid recurrence.", "Education is key to preventing future issues."],
    "cost_coverage": ["Costs can vary based on location and insurance coverage.", "Costs can vary based on several factors.",
                      "Prices depend on the facility, region and your insurance plan."],
    "benefits": ["The procedure offers several advantages.", "Patients can expect the following benefits."],
    "personnel": ["The care team usually includes:"],
}

MODIFIERS = {
    "surgery": ["50 - Bilateral procedure", "LT - Left side", "RT - Right side", "51 - Multiple procedures",
                "59 - Distinct procedural service", "76 - Repeat procedure by same physician",
                "78 - Unplanned return to the operating room", "79 - Unrelated procedure during the postoperative period",
                "XS - Separate structure", "22 - Increased procedural services"],
    "imaging": ["26 - Professional component", "TC - Technical component", "LT - Left side", "RT - Right side",
                "59 - Distinct procedural service", "76 - Repeat procedure by same physician"],
    "lab": ["90 - Reference (outside) laboratory", "91 - Repeat clinical diagnostic laboratory test", "QW - CLIA-waived test",
            "59 - Distinct procedural service"],
    "therapy": ["GP - Services delivered under an outpatient physical therapy plan of care", "59 - Distinct procedural service",
                "KX - Requirements specified in the medical policy have been met", "26 - Professional component", "TC - Technical component"],
    "visit": ["25 - Significant, separately identifiable E/M service", "95 - Synchronous telemedicine service",
              "57 - Decision for surgery", "24 - Unrelated E/M service during a postoperative period", "GT - Via interactive audio and video"],
    "measure": ["1P - Performance measure exclusion due to medical reasons", "2P - Performance measure exclusion due to patient reasons",
                "3P - Performance measure exclusion due to system reasons", "8P - Performance measure not performed, reason not otherwise specified"],
    "drug": ["JW - Drug amount discarded/not administered", "JZ - Zero drug amount discarded", "JG - Drug acquired with 340B discount",
             "KX - Requirements specified in the medical policy have been met"],
    "dme": ["NU - New equipment", "RR - Rental", "UE - Used durable medical equipment", "KX - Requirements specified in the medical policy have been met",
            "GA - Waiver of liability statement issued", "LT - Left side", "RT - Right side"],
    "supply": ["A1 - Dressing for one wound", "A2 - Dressing for two wounds", "JC - Skin substitute used as a graft",
               "KX - Requirements specified in the medical policy have been met", "JW - Drug amount discarded/not administered"],
}

KIND_NOUN = {"surgery": "procedure", "imaging": "imaging study", "lab": "laboratory test", "therapy": "service",
             "visit": "visit", "measure": "quality measure", "drug": "drug", "dme": "item", "supply": "supply"}

# Sections a kind of code can have (beyond the ones every page can have).
_NOT_FOR_KIND = {
    "surgery": set(),
    "imaging": {"anesthesia", "causes_risk_factors", "home_care", "follow_up"},
    "lab": {"anesthesia", "tools_equipment", "causes_risk_factors", "home_care", "follow_up", "alternatives", "benefits",
            "symptoms", "patient_experience", "recovery"},
    "therapy": {"anesthesia", "causes_risk_factors", "home_care", "complications"},
    "visit": {"anesthesia", "tools_equipment", "complications", "recovery", "home_care", "alternatives", "symptoms",
              "causes_risk_factors", "diagnostic_tests", "personnel", "benefits", "patient_experience", "follow_up", "setting"},
    "measure": {"anesthesia", "tools_equipment", "complications", "recovery", "home_care", "alternatives", "symptoms",
                "causes_risk_factors", "diagnostic_tests", "personnel", "benefits", "patient_experience", "follow_up",
                "duration", "setting", "cost_coverage", "preparation", "patient_education"},
    "drug": {"anesthesia", "tools_equipment", "causes_risk_factors", "diagnostic_tests", "personnel", "home_care",
             "follow_up", "recovery", "patient_experience"},
    "dme": {"anesthesia", "tools_equipment", "duration", "personnel", "symptoms", "causes_risk_factors", "diagnostic_tests",
            "recovery", "follow_up", "complications", "preparation", "patient_experience"},
    "supply": {"anesthesia", "tools_equipment", "duration", "personnel", "symptoms", "causes_risk_factors", "diagnostic_tests",
               "recovery", "follow_up", "preparation", "patient_experience"},
}


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    name: str
    host: str
    brand: str
    layout: str  # html_semantic | html_divsoup | text_blank | text_dash | text_paywall
    formats: tuple[str, ...]
    headings: dict[str, str]
    order: list[str]
    core: set[str]
    optional: dict[str, float]
    intro_p: float
    item_style: str  # sentence | fragment
    wording: int  # which paraphrase this site uses
    text_bullet: str  # bullet of its text dumps
    text_blank_lines: bool
    ordered_steps: bool
    promos: list[list[str]]
    nav: list[str] = field(default_factory=list)
    footer: list[list[str]] = field(default_factory=list)
    copyright: str = ""
    url_pattern: str = ""
    weight: float = 1.0


def _nav_codelens() -> list[str]:
    cpt = ["Anesthesia (00100-01999)", "Integumentary System (10004-19499)", "Musculoskeletal System (20100-29999)",
           "Respiratory System (30000-32999)", "Cardiovascular System (33010-37799)", "Hemic and Lymphatic (38100-38999)",
           "Digestive System (40490-49999)", "Urinary System (50010-53899)", "Male Genital System (54000-55899)",
           "Female Genital System (56405-58999)", "Endocrine System (60000-60699)", "Nervous System (61000-64999)",
           "Eye and Ocular Adnexa (65091-68899)", "Auditory System (69000-69979)", "Radiology (70010-79999)",
           "Pathology and Laboratory (80047-89398)", "Medicine (90281-99199)", "Evaluation and Management (99202-99499)",
           "Category II Codes (0001F-9007F)", "Category III Codes (0042T-0900T)", "PLA Codes (0001U-0450U)"]
    hcpcs = ["A Codes - Transportation and Supplies", "B Codes - Enteral and Parenteral Therapy", "C Codes - Outpatient PPS",
             "E Codes - Durable Medical Equipment", "G Codes - Procedures and Professional Services", "H Codes - Behavioral Health",
             "J Codes - Drugs Administered Other Than Oral", "K Codes - Temporary DME", "L Codes - Orthotics and Prosthetics",
             "M Codes - Medical Services", "P Codes - Pathology", "Q Codes - Temporary Codes", "R Codes - Diagnostic Radiology",
             "S Codes - Private Payer Codes", "T Codes - State Medicaid Agencies", "V Codes - Vision and Hearing"]
    icd = [f"ICD-10-CM Chapter {i}" for i in range(1, 23)]
    tools = ["Modifier Lookup", "NCCI Edit Checker", "RVU Calculator", "Fee Schedule Search", "ICD-10 to CPT Crosswalk",
             "Global Period Lookup", "MUE Table", "Place of Service Codes", "Prior Authorization Lists"]
    resources = ["Coding Blog", "Webinars", "CEU Courses", "Coding Guidelines", "Newsletter", "Glossary", "Help Center", "API for Developers"]
    return ["CPT Codes"] + cpt + ["HCPCS Level II"] + hcpcs + ["ICD-10"] + icd + ["Tools"] + tools + ["Resources"] + resources + ["Pricing", "Log in", "Start free trial"]


def _nav_billingatlas() -> list[str]:
    return (["Code Lookup", "CPT® Search", "HCPCS Search", "ICD-10-CM Search", "Modifiers", "Fee Schedules", "Payer Policies",
             "Denial Codes (CARC/RARC)", "Place of Service", "Revenue Codes", "DRG Lookup", "APC Lookup"]
            + [f"Specialty: {s}" for s in ["Cardiology", "Dermatology", "Emergency Medicine", "Gastroenterology", "General Surgery",
                                          "Neurology", "Obstetrics & Gynecology", "Ophthalmology", "Orthopedics", "Otolaryngology",
                                          "Pain Management", "Pathology", "Physical Therapy", "Podiatry", "Primary Care",
                                          "Pulmonology", "Radiology", "Urology", "Vascular Surgery", "Wound Care"]]
            + ["Billing Guides", "Claim Scrubber", "Eligibility Checker", "Revenue Cycle Academy", "Coding Audits", "Case Studies",
               "Webinars", "Podcast", "Blog", "Product Updates", "About Us", "Careers", "Contact Sales", "Sign In", "Get a Demo"]
            + [f"Popular: {c}" for c in ["99213", "99214", "G2211", "97110", "36415", "93000", "80053", "J3490", "20610", "11721"]])


SITES: list[Site] = [
    Site(
        name="codelens", host="www.codelens.health", brand="CodeLens", layout="html_semantic", formats=("html", "text"),
        headings={
            "overview": "What Is {label} Code {code}?", "official_description": "Official Descriptor",
            "lay_description": "In Plain English", "indications": "When Is It Used?", "symptoms": "Symptoms That Lead to This {noun_title}",
            "procedure": "How the {noun_title} Is Performed", "tools_equipment": "Equipment", "anesthesia": "Anesthesia",
            "duration": "How Long It Takes", "setting": "Where It Is Done", "preparation": "How to Prepare",
            "recovery": "Recovery Timeline", "complications": "Risks", "benefits": "Benefits",
            "alternatives": "Other Treatment Options", "follow_up": "Follow-Up Care", "cost_coverage": "Cost & Insurance Coverage",
            "billing": "Billing Guidelines for {code}", "faq": "Frequently Asked Questions", "related_codes": "Related {label} Codes",
            "references": "Sources",
        },
        order=["overview", "official_description", "lay_description", "indications", "symptoms", "procedure", "tools_equipment",
               "anesthesia", "duration", "setting", "preparation", "recovery", "complications", "benefits", "alternatives",
               "follow_up", "cost_coverage", "billing", "faq", "references"],
        core={"overview", "official_description", "indications", "procedure", "billing", "faq"},
        optional={"lay_description": 0.5, "symptoms": 0.5, "tools_equipment": 0.5, "anesthesia": 0.5, "duration": 0.8,
                  "setting": 0.5, "preparation": 0.7, "recovery": 0.7, "complications": 0.8, "benefits": 0.4,
                  "alternatives": 0.6, "follow_up": 0.4, "cost_coverage": 0.8, "references": 0.5},
        intro_p=0.6, item_style="sentence", wording=1, text_bullet="• ", text_blank_lines=False, ordered_steps=True,
        promos=[["CodeLens Pro: unlimited lookups, NCCI edits and fee schedules.", "Start your 14-day free trial"],
                ["New: payer policy comparison for 400+ health plans.", "See what's new"],
                ["Webinar: 2026 E/M documentation changes explained.", "Save your seat"],
                ["Get the CodeLens browser extension for instant code lookups.", "Install free"]],
        nav=_nav_codelens(),
        footer=[["Company", "About CodeLens", "Careers", "Press", "Partners", "Contact us"],
                ["Code Sets", "CPT® Codes", "HCPCS Codes", "ICD-10-CM", "ICD-10-PCS", "Modifiers", "POS Codes"],
                ["Tools", "Claim Scrubber", "Fee Schedule", "RVU Calculator", "NCCI Edits", "API"],
                ["Legal", "Privacy Policy", "Terms of Use", "Cookie Settings", "Accessibility", "Do Not Sell My Info"]],
        copyright="© 2026 CodeLens Health Data, Inc. All rights reserved. CPT® is a registered trademark of the American Medical Association.",
        url_pattern="https://www.codelens.health/{system_slug}/{code_lower}", weight=0.22,
    ),
    Site(
        name="billingatlas", host="billingatlas.com", brand="BillingAtlas", layout="html_divsoup", formats=("html", "text"),
        headings={
            "overview": "About {label} {code}", "lay_description": "Plain-Language Summary", "indications": "Reasons for the {noun_title}",
            "symptoms": "Signs and Symptoms", "diagnostic_tests": "Tests Before the {noun_title}", "procedure": "Step-by-Step",
            "duration": "Typical Duration", "personnel": "Who Performs It", "preparation": "Getting Ready", "recovery": "Aftercare",
            "complications": "Potential Complications", "alternatives": "Treatment Alternatives", "home_care": "Caring for Yourself at Home",
            "patient_education": "Prevention Tips", "cost_coverage": "Pricing and Coverage", "billing": "Coding Notes",
            "faq": "Common Questions", "related_codes": "Similar Codes",
        },
        order=["overview", "lay_description", "indications", "symptoms", "diagnostic_tests", "procedure", "duration", "personnel",
               "preparation", "recovery", "complications", "alternatives", "home_care", "patient_education", "cost_coverage",
               "billing", "faq"],
        core={"overview", "indications", "procedure", "cost_coverage", "billing"},
        optional={"lay_description": 0.7, "symptoms": 0.5, "diagnostic_tests": 0.5, "duration": 0.6, "personnel": 0.4,
                  "preparation": 0.6, "recovery": 0.6, "complications": 0.7, "alternatives": 0.6, "home_care": 0.4,
                  "patient_education": 0.3, "faq": 0.7},
        intro_p=0.4, item_style="sentence", wording=0, text_bullet="- ", text_blank_lines=True, ordered_steps=True,
        promos=[["Stop denials before they happen.", "BillingAtlas Claim Scrubber checks every claim against 2M+ payer edits.", "Book a demo"],
                ["Free eBook: The 2026 Modifier Cheat Sheet", "Download now"],
                ["Join 40,000 billers who read Atlas Weekly.", "Subscribe"],
                ["Coding audit season is here.", "Let our certified coders review 50 charts for free.", "Request audit"]],
        nav=_nav_billingatlas(),
        footer=[["Product", "Code Lookup", "Claim Scrubber", "Eligibility", "Integrations", "Pricing"],
                ["Learn", "Billing Guides", "Academy", "Blog", "Podcast", "Glossary"],
                ["Company", "About", "Careers", "Security", "Status", "Contact"],
                ["Legal", "Terms", "Privacy", "BAA", "Cookie Preferences"]],
        copyright="Copyright © 2026 BillingAtlas LLC. CPT copyright 2025 American Medical Association. All rights reserved.",
        url_pattern="https://billingatlas.com/codes/{system_slug}/{code}-{slug}", weight=0.22,
    ),
    Site(
        name="procedurenotes", host="procedurenotes.org", brand="ProcedureNotes", layout="text_blank", formats=("text",),
        headings={
            "overview": "Summary", "purpose": "Purpose", "indications": "Indications", "preparation": "Preparation",
            "procedure": "Procedure Description", "tools_equipment": "Tools and Equipment", "anesthesia": "Anesthesia",
            "duration": "Duration", "setting": "Setting", "personnel": "Personnel", "complications": "Risks and Complications",
            "benefits": "Benefits", "recovery": "Recovery", "alternatives": "Alternatives", "patient_experience": "Patient Experience",
            "cost_coverage": "Cost", "policies": "Medical Policies and Guidelines for {title}", "related_codes": "Similar Codes",
        },
        order=["overview", "purpose", "indications", "preparation", "procedure", "tools_equipment", "anesthesia", "duration",
               "setting", "personnel", "complications", "benefits", "recovery", "alternatives", "patient_experience",
               "cost_coverage", "policies", "related_codes"],
        core={"overview", "purpose", "indications", "procedure", "policies", "related_codes"},
        optional={"preparation": 0.8, "tools_equipment": 0.7, "anesthesia": 0.7, "duration": 0.8, "setting": 0.7,
                  "personnel": 0.6, "complications": 0.9, "benefits": 0.6, "recovery": 0.8, "alternatives": 0.7,
                  "patient_experience": 0.6, "cost_coverage": 0.3},
        intro_p=0.0, item_style="fragment", wording=2, text_bullet="  • ", text_blank_lines=True, ordered_steps=True,
        promos=[["card-topcard-bottom", "Secure, compliant, and built for trust",
                 "HIPAA-compliant and designed with privacy in mind, your patient’s data is protected. Focus on care while we safeguard your information.",
                 "Learn more", "hipaa-icon"],
                ["card-topcard-bottom", "Write notes in half the time",
                 "Our AI scribe drafts procedure notes from your dictation, ready for review in seconds.", "Try it free", "scribe-icon"],
                ["card-topcard-bottom", "Trusted by 12,000 clinicians",
                 "Clinics use ProcedureNotes to document, code and bill faster.", "Read their stories", "quote-icon"],
                ["card-topcard-bottom", "Coding made simple",
                 "Search every CPT and HCPCS code with plain-language explanations.", "Start searching", "search-icon"]],
        copyright="© 2026 ProcedureNotes. All rights reserved.",
        footer=[["Privacy Policy", "Terms of Service", "Contact", "Sitemap"]],
        url_pattern="https://procedurenotes.org/{system_slug}/{code}", weight=0.2,
    ),
    Site(
        name="codingcompass", host="www.codingcompass.io", brand="CodingCompass", layout="text_dash", formats=("text",),
        headings={
            "overview": "Overview of {label} Code {code}: {title_short}", "indications": "When {label} Code {code} is Used?",
            "symptoms": "Symptoms Indicating This Procedure", "causes_risk_factors": "Causes and Risk Factors",
            "diagnostic_tests": "Diagnostic Tests Before Procedure", "procedure": "Procedure Description",
            "preparation": "Preparation for the Procedure", "recovery": "Recovery and Aftercare", "complications": "Possible Complications",
            "follow_up": "Post-Procedure Follow-Up", "alternatives": "Alternative Treatments", "home_care": "Home Care Tips",
            "patient_education": "Patient Education & Prevention", "billing": "Billing and Coding Information",
            "cost_coverage": "Average Cost and Insurance Coverage", "related_codes": "Related {label} Codes",
            "references": "References and Sources", "faq": "Frequently Asked Questions (FAQs)",
        },
        order=["overview", "indications", "symptoms", "causes_risk_factors", "diagnostic_tests", "procedure", "preparation",
               "recovery", "complications", "follow_up", "alternatives", "home_care", "patient_education", "billing",
               "cost_coverage", "related_codes", "references", "faq"],
        core={"overview", "indications", "procedure", "billing"},
        optional={"symptoms": 0.8, "causes_risk_factors": 0.7, "diagnostic_tests": 0.7, "preparation": 0.8, "recovery": 0.8,
                  "complications": 0.9, "follow_up": 0.6, "alternatives": 0.7, "home_care": 0.6, "patient_education": 0.6,
                  "cost_coverage": 0.8, "related_codes": 0.7, "references": 0.7, "faq": 0.6},
        intro_p=1.0, item_style="sentence", wording=0, text_bullet="- ", text_blank_lines=False, ordered_steps=False,
        promos=[["Secure, compliant, and built for trust",
                 "HIPAA-compliant and designed with privacy in mind, your patient’s data is protected. Focus on care while we safeguard your information.",
                 "Learn more"],
                ["Document faster with templates",
                 "Pick a procedure, fill in the blanks and export a note that is ready for billing.", "Learn more"],
                ["Never miss a modifier",
                 "CodingCompass flags missing modifiers before claims go out the door.", "Learn more"],
                ["Your notes, everywhere",
                 "Sync procedure notes across desktop and mobile with end-to-end encryption.", "Learn more"]],
        nav=["compass-logo", "Home", "CPT Lookup", "HCPCS Lookup", "Modifiers", "Templates", "Pricing", "Blog", "Sign in"],
        footer=[["About", "Privacy Policy", "Terms of Service", "HIPAA Notice", "Contact"]],
        copyright="© 2026 CodingCompass Inc. All rights reserved.",
        url_pattern="https://www.codingcompass.io/{system_slug}-code-{code}", weight=0.2,
    ),
    Site(
        name="claimcoach", host="claimcoach.com", brand="ClaimCoach", layout="text_paywall", formats=("text",),
        headings={"official_description": "Official Description", "lay_description": "Common Language Description",
                  "indications": "Clinical Indications", "related_codes": "Similar Codes"},
        order=["official_description", "lay_description", "indications", "related_codes"],
        core={"official_description", "lay_description"},
        optional={"indications": 0.4, "related_codes": 0.5},
        intro_p=0.0, item_style="fragment", wording=1, text_bullet="", text_blank_lines=True, ordered_steps=False,
        promos=[["CodePilot", "Have a question about {label}® Code {code}?", "Get instant expert-level answers from CodePilot, our coding assistant."],
                ["CodePilot", "Not sure how to bill {label}® Code {code}?", "Ask CodePilot and get an answer with sources in seconds."],
                ["CodePilot", "Need modifier guidance for {label}® Code {code}?", "CodePilot checks NCCI edits and payer rules for you."]],
        nav=["ClaimCoach", "CodePilot", "Medical Coding Assistant", "CoachConsult", "Instant Email Coding Consultant",
             "Note2Claim", "Search and Code Lookup Tool", "JobBoard", "Medical Coding Job Board", "Log in Register free account"],
        footer=[["About", "Pricing", "Privacy", "Terms", "Contact"]],
        copyright="© Copyright 2026 ClaimCoach. All rights reserved.",
        url_pattern="https://claimcoach.com/{system_slug}/{code}/", weight=0.16,
    ),
]
SITE_BY_NAME = {s.name: s for s in SITES}
HTML_SITES = [s.name for s in SITES if "html" in s.formats]
TEXT_SITES = [s.name for s in SITES if "html" not in s.formats]


def _site(site: str | Site) -> Site:
    if isinstance(site, Site):
        return site
    try:
        return SITE_BY_NAME[site]
    except KeyError:
        raise ValueError(f"unknown site {site!r}; one of {sorted(SITE_BY_NAME)}") from None


def _slug(text: str, words: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


def page_url(code: str, site: str | Site) -> str:
    """The canonical URL of the page about ``code`` on ``site``."""
    s = _site(site)
    info = code_info(code)
    system_slug = {"CPT": "cpt", "CPT-II": "cpt", "CPT-III": "cpt", "HCPCS": "hcpcs"}[info.system]
    return s.url_pattern.format(system_slug=system_slug, code=code, code_lower=code.lower(), slug=_slug(info.family.lay))


# --------------------------------------------------------------------------------------------
# Page content model: a function of (site, code)
# --------------------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    heading: str
    paras: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    after: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    label: str | None = None
    faq: list[tuple[str, str]] = field(default_factory=list)
    inline: str | None = None  # rendered as one "Heading: value" line


@dataclass
class Model:
    code: str
    site: Site
    info: CodeInfo
    url: str
    sections: list[Section]
    related: list[tuple[str, str]]
    cost: tuple[int, int] | None
    duration: str | None
    html_kb: float
    glue_promo: bool
    promo_after: int
    locked: int
    technical_terms: str
    keywords: str


_VERB = {"surgery": "performed", "imaging": "performed", "lab": "performed", "therapy": "provided", "visit": "provided",
         "measure": "reported", "drug": "administered", "dme": "supplied", "supply": "supplied"}
_PROC_HEADING = {"measure": "Reporting Requirements", "drug": "Administration", "dme": "How It Is Used", "supply": "How It Is Applied"}


def _lc(s: str) -> str:
    """Lower-case the first letter unless it starts an acronym (MRI, CT)."""
    if len(s) > 1 and s[1].isupper():
        return s
    return s[:1].lower() + s[1:]


def _uc(s: str) -> str:
    return s[:1].upper() + s[1:]


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _money(x: float) -> int:
    step = 5 if x < 100 else 50 if x < 1000 else 100 if x < 10000 else 500
    return max(step, int(round(x / step)) * step)


def _usd(x: int) -> str:
    return f"${x:,}"


def _duration_text(fam: Family) -> str | None:
    a, b = fam.dur
    if not b:
        return None
    if fam.kind == "lab" and b > 20:
        return f"{a}-{b} hours"
    if a == b:
        return f"{a} minutes"
    if a >= 60 and a % 60 == 0 and b % 60 == 0:
        return f"{a // 60}-{b // 60} hours"
    return f"{a}-{b} minutes"


class _Ctx:
    """Per (site, code) wording helpers."""

    def __init__(self, site: Site, info: CodeInfo, cr: random.Random):
        self.site, self.info, self.fam, self.cr = site, info, info.family, cr
        self.kind = info.family.kind
        self.vars = {"region": info.family.region or "treated area", "spec_lower": _lc(info.family.spec) if info.family.spec else "doctor",
                     "lay": info.family.lay}

    def pick(self, text: str) -> str:
        alts = [a.strip() for a in text.split(" | ")]
        out = alts[self.site.wording % len(alts)]
        return out.format_map(self.vars) if "{" in out else out

    def style(self, item: str) -> str:
        item = item.strip()
        if self.site.item_style == "fragment":
            return item[:-1] if item.endswith(".") and not item.endswith("etc.") else item
        return item if item[-1:] in ".?!:" else item + "."

    def pool(self, key: str) -> list[str]:
        table = POOLS.get(key, {})
        raw = table.get(self.kind, table.get("default", []))
        return [self.pick(x) for x in raw]

    def items(self, key: str, own: tuple[str, ...], lo: int = 3, hi: int = 8) -> list[str]:
        cr = self.cr
        own = [x for x in own if x]
        generic = [g for g in self.pool(key) if g.rstrip(".") not in {o.rstrip(".") for o in own}]
        n = min(cr.randint(lo, hi), len(own) + len(generic))
        k_own = min(len(own), max(n - len(generic), cr.randint(min(2, len(own)), len(own))), n)
        chosen = cr.sample(own, k_own) + cr.sample(generic, max(0, n - k_own))
        cr.shuffle(chosen)
        return [self.style(x) for x in chosen]

    def intro(self, key: str) -> list[str]:
        if key in INTROS and self.cr.random() < self.site.intro_p:
            return [self.cr.choice(INTROS[key])]
        return []


def _title_short(title: str) -> str:
    return title.split(";")[0].split(" (")[0]


def _heading(site: Site, key: str, info: CodeInfo) -> str:
    if key == "procedure" and info.family.kind in _PROC_HEADING and site.layout.startswith("html"):
        return _PROC_HEADING[info.family.kind]
    noun = KIND_NOUN[info.family.kind]
    return site.headings[key].format(label=info.label, code=info.code, title=info.title, title_short=_title_short(info.title),
                                     noun_title=noun.title(), noun=noun)


def _faq(ctx: _Ctx, model_cost, duration) -> list[tuple[str, str]]:
    info, fam, kind, cr = ctx.info, ctx.fam, ctx.kind, ctx.cr
    noun, verb = KIND_NOUN[kind], _VERB[kind]
    mods = MODIFIERS[kind]
    cands = [(f"What is {info.label} code {info.code} used for?", f"It is used to report {fam.lay}, {verb} {fam.purpose}.")]
    if duration:
        cands.append((f"How long does the {noun} take?", f"The {noun} typically takes about {duration}."))
    if kind == "surgery" and fam.anes:
        cands.append(("Will I need anesthesia?", f"Yes, {_lc(fam.anes)} is used to minimize discomfort."))
    if model_cost:
        cands.append((f"How much does {_a(noun)} {noun} like this cost?" if kind in ("surgery", "imaging", "lab", "therapy", "visit")
                      else f"How much does {fam.lay} cost?",
                      f"Without insurance, the cost usually ranges from {_usd(model_cost[0])} to {_usd(model_cost[1])}."))
    cands.append((f"Is {fam.lay} covered by insurance?",
                  "Most plans cover it when it is medically necessary; prior authorization may be required."))
    if kind in ("surgery", "imaging", "therapy", "lab"):
        cands.append((f"Can {info.code} be billed with an E/M visit on the same day?",
                      "Only when a significant, separately identifiable E/M service is documented, using modifier 25."))
    cands.append((f"Is {info.code} an add-on code?",
                  "Yes. It is reported in addition to the code for the primary procedure." if info.is_add_on
                  else f"No. {info.code} is reported on its own and is not an add-on code."))
    if kind == "surgery":
        cands.append(("What can I expect during recovery?", "You may experience some soreness but should gradually improve over the following days."))
    if fam.spec and kind in ("surgery", "imaging", "lab", "therapy"):
        cands.append((f"Who performs this {noun}?", f"It is usually {verb} by {_a(fam.spec)} {_lc(fam.spec)}."))
    cands.append((f"Which modifiers are common with {info.code}?", f"Common modifiers include {mods[0].split(' - ')[0]} and {mods[1].split(' - ')[0]}."))
    n = min(len(cands), cr.randint(3, 6))
    idx = sorted(cr.sample(range(len(cands)), n))
    return [cands[i] for i in idx]


def _section(ctx: _Ctx, key: str, m: dict) -> list[Section]:
    site, info, fam, kind, cr = ctx.site, ctx.info, ctx.fam, ctx.kind, ctx.cr
    h = _heading(site, key, info) if key in site.headings else key
    noun, verb = KIND_NOUN[kind], _VERB[kind]
    conds = [c.rstrip(".") for c in fam.cond]
    if key == "overview":
        s1 = cr.choice([
            f"{info.label} Code {info.code} refers to {fam.lay}, {_a(noun)} {noun} {verb} {fam.purpose}.",
            f"{info.label} code {info.code} describes {fam.lay}. It is {verb} {fam.purpose}.",
            f"{info.code} is the {info.label} code for {fam.lay}, {verb} {fam.purpose}.",
        ])
        paras = [s1]
        extra = []
        if fam.spec and fam.setting:
            extra.append(f"It is most often {verb} by {_a(fam.spec)} {_lc(fam.spec)} in {fam.setting}.")
        extra.append(f"The code belongs to the {info.category} section of the code set.")
        if conds:
            extra.append(f"Common reasons include {_lc(conds[0])} and {_lc(conds[-1])}.")
        if site.layout == "text_blank":
            paras = [" ".join([s1] + cr.sample(extra, min(2, len(extra))))]
        elif cr.random() < 0.7:
            paras.append(" ".join(cr.sample(extra, min(len(extra), cr.randint(1, 2)))))
        return [Section(key, h, paras=paras)]
    if key == "official_description":
        return [Section(key, h, paras=[info.title])]
    if key == "lay_description":
        steps = [s.rstrip(".") for s in fam.steps]
        sents = [f"{_uc(fam.lay)} is {_a(noun)} {noun} {verb} {fam.purpose}."]
        if len(conds) >= 2:
            sents.append(f"It is commonly used for patients with {_lc(conds[0])} or {_lc(conds[1])}.")
        if steps:
            sents.append(f"During the {noun}, {_lc(steps[0])}.")
            long = site.layout == "text_paywall"
            for s in steps[1: None if long else 3]:
                sents.append(cr.choice(["Next, ", "Then ", "", "After that, "]) + (_lc(s) if sents[-1] else s) + ".")
        if fam.tests and site.layout == "text_paywall":
            sents.append(f"Before the {noun}, {_lc(fam.tests[0].rstrip('.'))} may be performed to plan treatment.")
        if fam.setting:
            sents.append(f"The {noun} is usually done in {fam.setting}.")
        sents = [_uc(s) for s in sents]
        return [Section(key, h, paras=[" ".join(sents)])]
    if key == "purpose":
        p = f"This {noun} is used {fam.purpose}."
        if len(conds) >= 3:
            p += f" It is considered for conditions such as {_lc(conds[0])}, {_lc(conds[1])} or {_lc(conds[2])}."
        if fam.benefits:
            p += f" The goal is {_lc(fam.benefits[0].rstrip('.'))} and a safe return to daily activities."
        return [Section(key, h, paras=[p])]
    if key in ("indications", "symptoms", "diagnostic_tests", "preparation", "recovery", "complications", "follow_up",
               "alternatives", "home_care", "patient_education", "benefits", "causes_risk_factors"):
        own = {"indications": fam.cond, "symptoms": fam.symp, "diagnostic_tests": fam.tests, "complications": fam.risks,
               "alternatives": fam.alts, "benefits": fam.benefits}.get(key, ())
        items = ctx.items(key, own)
        if len(items) < 2:
            return []
        after = []
        if site.layout == "text_blank" and cr.random() < 0.5:
            after = [{
                "complications": "Management of these risks involves antibiotics, pain management, and close monitoring during the recovery period.",
                "benefits": f"Patients may begin to see benefits within a few weeks, although complete recovery can take {cr.choice(['2-3', '3-6', '6-12'])} months.",
                "alternatives": f"Each alternative has its own advantages and risks; discuss them with your {ctx.vars['spec_lower']}.",
            }.get(key, "")]
            after = [a for a in after if a]
        return [Section(key, h, paras=ctx.intro(key), items=items, after=after)]
    if key == "procedure":
        pre, post = ctx.pool("procedure_pre"), ctx.pool("procedure_post")
        core = list(fam.steps)
        n = cr.randint(max(3, len(core)), 8)
        extra = max(0, n - len(core))
        k_pre = min(len(pre), cr.randint(0, extra))
        k_post = min(len(post), extra - k_pre)
        steps = ([pre[i] for i in sorted(cr.sample(range(len(pre)), k_pre))] + core
                 + [post[i] for i in sorted(cr.sample(range(len(post)), k_post))])
        return [Section(key, h, paras=ctx.intro(key), items=[ctx.style(s) for s in steps], ordered=site.ordered_steps)]
    if key == "tools_equipment":
        return [Section(key, h, inline=fam.tools)] if fam.tools else []
    if key == "anesthesia":
        return [Section(key, h, inline=fam.anes)] if fam.anes and fam.anes != "None" else []
    if key == "duration":
        d = m["duration"]
        if not d:
            return []
        p = cr.choice([f"The {noun} typically takes around {d}, depending on the complexity and patient's condition.",
                       f"Plan for about {d}; check-in and recovery add extra time.",
                       f"Most patients spend {d} in the {noun} room."])
        return [Section(key, h, paras=[p])]
    if key == "setting":
        if not fam.setting:
            return []
        return [Section(key, h, paras=[f"The {noun} is performed in {fam.setting}" + cr.choice([" under sterile conditions.", ".", ", usually on an outpatient basis."])])]
    if key == "personnel":
        items = [fam.spec] + cr.sample(ctx.pool("personnel"), cr.randint(2, len(ctx.pool("personnel"))))
        return [Section(key, h, paras=ctx.intro(key), items=[ctx.style(x) if site.item_style == "sentence" else x for x in items])]
    if key == "patient_experience":
        anes = fam.anes if fam.anes and fam.anes != "None" else ""
        p1 = (f"During the {noun}, {_lc(anes)} keeps you comfortable." if anes else f"The {noun} is usually painless.")
        p1 += " Afterwards, there may be some discomfort at the site, managed with over-the-counter or prescribed pain medication."
        paras = [p1]
        if cr.random() < 0.6:
            paras.append("Pain management and comfort measures will include prescribed pain medications, ice packs to reduce swelling, "
                         "and specific instructions for mobility and physical activity limits.")
        return [Section(key, h, paras=paras)]
    if key == "cost_coverage":
        lo, hi = m["cost"]
        first = {
            "codelens": f"The national average price is between {_usd(lo)} and {_usd(hi)} without insurance.",
            "billingatlas": f"Typical self-pay cost: {_usd(lo)} to {_usd(hi)}.",
            "procedurenotes": f"Typical cost without insurance: {_usd(lo)} to {_usd(hi)}",
        }.get(site.name, f"Average cost ranges from {_usd(lo)} to {_usd(hi)}.")
        pool = ctx.pool("cost_coverage")
        rest = [ctx.style(x) for x in cr.sample(pool, cr.randint(2, min(5, len(pool))))]
        return [Section(key, h, paras=ctx.intro(key), items=[first] + rest)]
    if key == "billing":
        facts = [(f"{info.label} Code", info.code), ("Category", info.category)]
        if cr.random() < 0.5:
            facts.append(("Add-on Code", "Yes" if info.is_add_on else "No"))
        if kind == "surgery" and cr.random() < 0.5:
            facts.append(("Global Period", cr.choice(["000 days", "010 days", "090 days"])))
        mods = MODIFIERS[kind]
        k = min(len(mods), cr.randint(3, 5))
        picked = [mods[i] for i in sorted(cr.sample(range(len(mods)), k))]
        return [Section(key, h, facts=facts, label="Common Modifiers:", items=picked)]
    if key == "faq":
        return [Section(key, h, faq=_faq(ctx, m["cost"], m["duration"]))]
    if key == "related_codes":
        if site.name == "codingcompass" and cr.random() < 0.5:
            return [Section(key, h)]  # an empty heading, as on the seed page
        return [Section(key, h, items=[f"{c} - {t}" if site.layout != "text_blank" else f"{c}: {_title_short(t)}" for c, t in m["related"]])]
    if key == "references":
        if cr.random() < 0.4:
            return [Section(key, h)]
        pool = ctx.pool("references")
        return [Section(key, h, items=cr.sample(pool, cr.randint(2, 4)))]
    if key == "policies":
        return [Section(key, h), Section(key, "Related policies from health plans")]
    raise KeyError(key)


@lru_cache(maxsize=512)
def _model(code: str, site_name: str) -> Model:
    site = SITE_BY_NAME[site_name]
    info = code_info(code)
    fam = info.family
    cr = random.Random(f"{site_name}|{code}|content")
    ctx = _Ctx(site, info, cr)
    excluded = _NOT_FOR_KIND[fam.kind]
    if not fam.cost[1]:
        excluded = excluded | {"cost_coverage"}
    keys = [k for k in site.order if k not in excluded and (k in site.core or cr.random() < site.optional.get(k, 0.5))]
    cost = None
    if fam.cost[1]:
        f = cr.uniform(0.85, 1.15)
        lo, hi = _money(fam.cost[0] * f), _money(fam.cost[1] * cr.uniform(0.9, 1.2))
        cost = (lo, max(hi, lo * 2))
    related_codes = sorted({neighbour_code(code, d) for d in cr.sample([-3, -2, -1, 1, 2, 3, 4], cr.randint(3, 6))})
    m = {"cost": cost, "duration": _duration_text(fam),
         "related": [(c, code_info(c).title) for c in related_codes]}
    sections: list[Section] = []
    for k in keys:
        sections.extend(_section(ctx, k, m))
    terms = ", ".join(cr.sample([_title_short(info.title).split(",")[0], fam.lay, fam.region or info.category, fam.spec or "coding"],
                                3))
    return Model(code=code, site=site, info=info, url=page_url(code, site), sections=sections, related=m["related"],
                 cost=cost, duration=m["duration"], html_kb=40.0 * 5.0 ** cr.random(), glue_promo=cr.random() < 0.3,
                 promo_after=cr.randint(4, 8), locked=cr.randint(3, 6), technical_terms=terms,
                 keywords=", ".join([info.code, f"{info.label} {info.code}", _title_short(info.title).lower(), fam.lay]))


_SYNONYMS = [("typically", "usually"), ("usually", "generally"), ("may", "might"), ("several", "a few"), ("often", "frequently"),
             ("important", "essential"), ("small", "tiny"), ("gently", "carefully"), ("performed", "done"), ("helps", "can help")]


def _edit_model(model: Model, rng: random.Random) -> Model:
    """A copy of the model with one content sentence lightly edited (a word swapped, dropped or added)."""
    model = copy.copy(model)
    model.sections = [copy.copy(s) for s in model.sections]
    slots = [(i, "paras", j) for i, s in enumerate(model.sections) if s.key != "official_description"
             for j, p in enumerate(s.paras) if len(p.split()) >= 6]
    slots += [(i, "items", j) for i, s in enumerate(model.sections) if s.key not in ("billing", "related_codes")
              for j, p in enumerate(s.items) if len(p.split()) >= 6]
    if not slots:
        return model
    i, attr, j = rng.choice(slots)
    sec = model.sections[i]
    values = list(getattr(sec, attr))
    words = values[j].split(" ")
    for a, b in rng.sample(_SYNONYMS, len(_SYNONYMS)):
        if a in words:
            words[words.index(a)] = b
            break
    else:
        if "the" in words[1:]:
            words.pop(words.index("the", 1))
        else:
            words.insert(min(2, len(words) - 1), rng.choice(["usually", "often", "generally"]))
    values[j] = " ".join(words)
    setattr(sec, attr, values)
    return model


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: str) -> str:
    return _esc(s).replace('"', "&quot;")


def _volatile(rng: random.Random) -> dict:
    """What differs between two fetches of one page. Drawn in a fixed order."""
    return {
        "date": date(2025, 7, 1) + timedelta(days=rng.randrange(270)),
        "views": rng.randint(150, 250000),
        "promo": rng.randrange(1 << 30),
        "nonce": f"{rng.getrandbits(64):016x}",
        "csrf": f"{rng.getrandbits(128):032x}",
        "req": f"{rng.getrandbits(32):08x}",
        "remaining": rng.randint(0, 5),
        "ms": rng.randint(20, 400),
        "ab": rng.choice(["control", "variant_a", "variant_b"]),
        "server": rng.randint(1, 24),
    }


def _long_date(d: date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def _class_name(r: random.Random, prefix: str = "css") -> str:
    return f"{prefix}-{r.getrandbits(30):x}"[:12]


_CSS_PROPS = ["margin:0 auto", "padding:{a}px {b}px", "color:#{hex}", "background:#{hex}", "font-size:{n}px", "line-height:1.{d}",
              "display:flex", "display:grid", "gap:{a}px", "border-radius:{a}px", "border:1px solid #{hex}",
              "box-shadow:0 {a}px {b}px rgba(0,0,0,.{d})", "font-weight:{w}", "text-decoration:none", "position:relative",
              "z-index:{n}", "max-width:{m}px", "transition:all .{d}s ease", "align-items:center", "justify-content:space-between",
              "overflow:hidden", "white-space:nowrap", "letter-spacing:.0{d}em", "opacity:.{d}", "cursor:pointer"]


def _css(r: random.Random, classes: list[str], kb: int) -> str:
    def prop() -> str:
        return r.choice(_CSS_PROPS).format(a=r.randint(0, 32), b=r.randint(0, 48), hex=f"{r.randrange(1 << 24):06x}",
                                           n=r.randint(10, 40), d=r.randint(1, 9), w=r.choice([400, 500, 600, 700]),
                                           m=r.choice([320, 640, 960, 1200, 1440]))
    rules = [":root{--brand:#%06x;--ink:#1d2433;--muted:#5b6475;--radius:8px}" % r.randrange(1 << 24),
             "*,*::before,*::after{box-sizing:border-box}", "body{margin:0;font-family:Inter,system-ui,-apple-system,Segoe UI,Roboto,sans-serif}"]
    size = sum(len(x) for x in rules)
    pseudo = ["", ":hover", ":focus-visible", " > a", " li", "::before", " h2", " p", ".is-active", " .icon"]
    while size < kb * 1024:
        if r.random() < 0.04:
            bp = r.choice([480, 640, 768, 1024, 1280])
            inner = "".join(f".{r.choice(classes)}{{{prop()}}}" for _ in range(r.randint(3, 8)))
            rule = f"@media (max-width:{bp}px){{{inner}}}"
        else:
            sel = ",".join(f".{r.choice(classes)}{r.choice(pseudo)}" for _ in range(r.randint(1, 3)))
            rule = sel + "{" + ";".join(prop() for _ in range(r.randint(2, 6))) + "}"
        rules.append(rule)
        size += len(rule) + 1
    return "\n".join(rules)


_JS_LOADER = ("(function(w,d){var q=w.__q=w.__q||[];function l(s,c){var e=d.createElement('script');e.async=1;e.src=s;"
              "e.onload=c;d.head.appendChild(e)}w.addEventListener('load',function(){setTimeout(function(){l('/static/js/"
              "widgets.{build}.js',function(){q.forEach(function(f){try{f()}catch(x){}})})},{delay})});d.querySelectorAll("
              "'[data-track]').forEach(function(a){a.addEventListener('click',function(){w.dataLayer&&w.dataLayer.push({event:"
              "'click',label:a.getAttribute('data-track')})})});var m=d.getElementById('signup-modal');if(m&&!/logged_in=1/.test("
              "d.cookie)){setTimeout(function(){m.removeAttribute('hidden')},{modal})}})(window,document);")


@lru_cache(maxsize=None)
def _chrome(site_name: str) -> dict:
    """Per-site HTML chrome, built once: stylesheet, nav, footer, modal, search-index pool for the state blob."""
    site = SITE_BY_NAME[site_name]
    r = random.Random(f"chrome|{site_name}")
    ch: dict = {"build": f"{r.getrandbits(40):010x}", "ga": f"G-{r.getrandbits(40):X}"[:12]}
    semantic = site.layout == "html_semantic"
    if semantic:
        cls = {k: k for k in ["site-header", "logo", "search-form", "main-nav", "nav-group", "nav-link", "breadcrumbs", "promo-bar",
                              "layout", "code-article", "article-meta", "quick-facts", "code-section", "bullets", "steps", "note",
                              "fact", "faq-list", "faq-item", "faq-answer", "sidebar", "related-codes", "sidebar-ad", "newsletter",
                              "modal", "site-footer", "footer-col", "legal", "cookie-banner", "btn", "btn-primary", "views"]}
    else:
        keys = ["hdr", "logo", "search", "nav", "navgrp", "navlink", "crumbs", "promo", "layout", "article", "meta", "h1", "sec",
                "sechead", "h2", "secbody", "p", "ul", "ol", "li", "kv", "k", "v", "label", "acc", "accq", "acca", "sidebar",
                "related", "ad", "newsletter", "modal", "footer", "fcol", "legal", "cookie", "btn", "btn2", "views", "dot", "wrap"]
        cls = {k: _class_name(r) for k in keys}
    ch["cls"] = cls
    extra = [_class_name(r, r.choice(["u", "sc", "jsx", "tw"])) for _ in range(120)]
    ch["css"] = _css(r, list(cls.values()) + extra, kb=r.randint(16, 20))
    c = cls
    # navigation
    nav_html, nav_text = [], []
    if semantic:
        nav_html.append(f'<nav class="{c["main-nav"]}" aria-label="Main"><ul class="nav-root">')
        group = None
        for label in site.nav:
            if label in ("CPT Codes", "HCPCS Level II", "ICD-10", "Tools", "Resources"):
                if group:
                    nav_html.append("</ul></li>")
                group = label
                nav_html.append(f'<li class="{c["nav-group"]}"><button aria-expanded="false">{_esc(label)}</button><ul class="submenu">')
            else:
                href = "/" + _slug(label, 4)
                nav_html.append(f'<li><a href="{href}" class="{c["nav-link"]}" data-track="nav-{_slug(label, 2)}">{_esc(label)}</a></li>')
            nav_text.append(label)
        nav_html.append("</ul></li></ul></nav>")
    else:
        nav_html.append(f'<div class="{c["nav"]}" role="navigation"><div class="{c["wrap"]}">')
        for i, label in enumerate(site.nav):
            if i % 12 == 0:
                nav_html.append(("</div>" if i else "") + f'<div class="{c["navgrp"]}">')
            href = "/" + _slug(label.split(": ")[-1], 4)
            nav_html.append(f'<a href="{href}" class="{c["navlink"]}" data-track="nav">{_esc(label)}</a>')
            nav_text.append(label)
        nav_html.append("</div></div></div>")
    ch["nav_html"], ch["nav_text"] = "\n".join(nav_html), nav_text
    # footer
    foot_html, foot_text = [], []
    if semantic:
        foot_html.append(f'<footer class="{c["site-footer"]}"><div class="footer-grid">')
        for col in site.footer:
            foot_html.append(f'<div class="{c["footer-col"]}"><h4>{_esc(col[0])}</h4><ul>'
                             + "".join(f'<li><a href="/{_slug(x, 3)}" class="footer-link">{_esc(x)}</a></li>' for x in col[1:]) + "</ul></div>")
        foot_html.append(f'</div><div class="{c["legal"]}"><p>{_esc(site.copyright)}</p>'
                         "<p>Fee data and descriptors are provided for reference only and do not guarantee payment. Always verify codes "
                         "against the official code books and payer policies.</p><p>CodeLens Health Data, Inc. · 500 Market Street, Suite 1200 · "
                         "San Francisco, CA 94105</p></div></footer>")
    else:
        foot_html.append(f'<div class="{c["footer"]}"><div class="{c["wrap"]}">')
        for col in site.footer:
            foot_html.append(f'<div class="{c["fcol"]}"><div class="{c["label"]}">{_esc(col[0])}</div>'
                             + "".join(f'<a href="/{_slug(x, 3)}" class="{c["navlink"]}">{_esc(x)}</a>' for x in col[1:]) + "</div>")
        foot_html.append(f'</div><div class="{c["legal"]}">{_esc(site.copyright)}</div><div class="{c["legal"]}">BillingAtlas is not '
                         "affiliated with CMS or the AMA. Information is for educational purposes and is not coding advice.</div></div>")
    for col in site.footer:
        foot_text.extend(col)
    ch["footer_html"], ch["footer_text"] = "\n".join(foot_html), foot_text
    # search index pool for the state blob
    entries = []
    for _ in range(2600):
        code = random_code(r, r.choices(SYSTEMS, weights=[80, 4, 6, 10])[0])
        info = code_info(code)
        entries.append(json.dumps({"c": code, "t": info.title[:90], "u": page_url(code, site).split(site.host, 1)[-1],
                                   "s": info.label.lower(), "w": r.randint(1, 99999)}, separators=(",", ":")) + ",\n")
    ch["pool"] = "".join(entries)
    ch["pool_off"] = [0] + list(accumulate(len(e) for e in entries))
    ch["popular"] = ["99213", "99214", "G2211", "97110", "36415", "93000", "80053", "J3490", "20610", "11721", "99203", "90471"]
    return ch


def _blob_slice(ch: dict, frac: float, need: int) -> str:
    off = ch["pool_off"]
    total = off[-1]
    need = max(800, min(need, total - 10))
    start_i = bisect_left(off, int(frac * (total - need)))
    end_i = max(start_i + 1, min(len(off) - 1, bisect_right(off, off[start_i] + need) - 1))  # at most ``need`` chars
    return ch["pool"][off[start_i]: off[end_i]].rstrip(",\n")


# ---- text dumps ------------------------------------------------------------------------------
# tokens: (kind, text, tight) with kind in line | bullet | num | glue | blank


def _content_tokens(model: Model, numbered_bullets: bool = True) -> list[tuple]:
    toks: list[tuple] = []
    for s in model.sections:
        if s.inline is not None:
            toks.append(("line", f"{s.heading}: {s.inline}", False))
            continue
        toks.append(("line", s.heading, False))
        for p in s.paras:
            toks.append(("line", p, False))
        for k, v in s.facts:
            toks.append(("line", f"{k}: {v}", False))
        if s.label:
            toks.append(("line", s.label, False))
        for i, it in enumerate(s.items, 1):
            toks.append(("num", f"{i}. {it}", False) if s.ordered and numbered_bullets else ("bullet", it, False))
        for p in s.after:
            toks.append(("line", p, False))
        for q, a in s.faq:
            toks.append(("line", q, False))
            toks.append(("line", a, False))
    return toks


def _finish_text(toks: list[tuple], site: Site, variant: int, rng: random.Random, blank: bool, bullet: str) -> str:
    if variant & NOISE_MARKUP:
        options = [b for b in ("- ", "  • ", "• ", "* ") if b.strip() != bullet.strip()]
        bullet = rng.choice(options)
    if variant & NOISE_LINES:
        blank = not blank
    out: list[str] = []
    glue = ""
    for kind, text, tight in toks:
        if kind == "glue":
            glue += text
            continue
        if kind == "blank":
            out.append("")
            continue
        if kind == "bullet":
            text = bullet + text
        elif kind == "num":
            text = ("  " if bullet.startswith(" ") else "") + text
        if variant & NOISE_WHITESPACE:
            x = rng.random()
            if x < 0.12:
                text += " "
            elif x < 0.16:
                text += "  "
            elif x < 0.2 and kind in ("bullet", "num"):
                text = " " + text
            elif x < 0.22:
                text = text.replace(". ", ".  ", 1)
        text = glue + text
        glue = ""
        if blank and out and not tight and out[-1] != "":
            out.append("")
        out.append(text)
    if glue:
        out.append(glue)
    s = "\n".join(out)
    if variant & NOISE_WHITESPACE and rng.random() < 0.5:
        s += "\n"
    return s


def _text_dash(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    site = model.site
    toks: list[tuple] = [("line", x, True) for x in site.nav]
    toks.append(("line", f"Updated: {vol['date'].isoformat()}", True))
    toks.append(("line", f"{vol['views']:,} views", True))
    body = _content_tokens(model, numbered_bullets=False)
    promo = site.promos[vol["promo"] % len(site.promos)]
    # the promo block lands after the n-th heading; its "Learn more" is glued to the next heading on some pages
    heads = [i for i, t in enumerate(body) if t[0] == "line" and any(t[1] == s.heading for s in model.sections)]
    at = heads[min(model.promo_after, len(heads) - 1)] if heads else len(body)
    block: list[tuple] = [("blank", "", True), ("blank", "", True)] + [("line", x, True) for x in promo[:-1]]
    block.append(("glue", promo[-1], True) if model.glue_promo else ("line", promo[-1], True))
    body[at:at] = block
    toks += body
    toks += [("line", "Get started with your 20 free notes", False), ("line", "Sign up", True),
             ("line", site.copyright, False)] + [("line", x, True) for col in site.footer for x in col]
    return _finish_text(toks, site, variant, rng, blank=False, bullet="- ")


def _text_blank(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    site, info = model.site, model.info
    toks: list[tuple] = [("line", "main-logo", False), ("line", "Search all medical codes", False),
                         ("line", f"Updated {_long_date(vol['date'])}", False), ("line", info.title, False),
                         ("line", "CPT4 code" if info.label == "CPT" else "HCPCS Level II code", False),
                         ("line", "Name of the Procedure:", False), ("line", info.title, False),
                         ("line", f"Technical Terms: {model.technical_terms}", True)]
    body = _content_tokens(model)
    promo = site.promos[vol["promo"] % len(site.promos)]
    heads = [i for i, t in enumerate(body) if t[0] == "line" and any(t[1] == s.heading for s in model.sections)]
    at = heads[min(model.promo_after, len(heads) - 1)] if heads else len(body)
    body[at:at] = [("line", promo[0], True)] + [("line", x, False) for x in promo[1:]]
    toks += body
    toks += [("line", "diamond-bg", False), ("line", "diamond-bg", True), ("line", "Get started with your 20 free notes", False),
             ("line", "Sign up", False), ("line", site.copyright, False)] + [("line", x, True) for col in site.footer for x in col]
    return _finish_text(toks, site, variant, rng, blank=True, bullet="  • ")


def _text_paywall(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    site, info = model.site, model.info
    toks: list[tuple] = [("line", x, True) for x in site.nav]
    left = vol["remaining"]
    toks.append(("line", f"{left} code page view{'s' if left != 1 else ''} remaining. Guest accounts are limited to 1 page view. "
                         "Register free account to get 5 more views.", True))
    toks.append(("line", "Log in Register free account", True))
    for s in model.sections:
        toks.append(("line", s.heading, False))
        toks += [("line", p, False) for p in s.paras]
        toks += [("line", it, False) for it in s.items]
        if s.key == "official_description":
            toks.append(("line", "© Copyright 2026 American Medical Association. All rights reserved.", False))
        if s.key == "lay_description":
            toks.append(("line", site.copyright, False))
    promo = site.promos[vol["promo"] % len(site.promos)]
    toks.append(("line", promo[0], False))
    toks += [("line", x.format(label=info.label, code=info.code), i == 0) for i, x in enumerate(promo[1:])]
    for _ in range(model.locked):
        toks += [("line", "Register to view content", False), ("line", "Create a free account to unlock this content", False)]
    toks += [("line", "CodePilot", False), ("line", "Get instant expert-level medical coding assistance.", False),
             ("line", "Ask about:", False), ("line", "CPT Codes Guidelines Modifiers Crosswalks NCCI Edits Compliance Medicare Coverage", True),
             ("line", 'Example: "What is CPT code 99213?" or "Guidelines for E/M services"', True)]
    toks += [("line", x, i > 0) for i, x in enumerate(x for col in site.footer for x in col)]
    return _finish_text(toks, site, variant, rng, blank=True, bullet="")


def _text_of_html_site(model: Model, vol: dict, variant: int, rng: random.Random) -> str:
    """A crawler's text dump of an HTML site's page: every visible line, chrome included."""
    site, info = model.site, model.info
    ch = _chrome(site.name)
    promo = site.promos[vol["promo"] % len(site.promos)]
    semantic = site.layout == "html_semantic"
    toks: list[tuple] = [("line", f"{site.brand} logo" if semantic else "logo-dark", True), ("line", "Log in", True),
                         ("line", "Start free trial" if semantic else "Get a Demo", True)]
    toks += [("line", x, True) for x in ch["nav_text"]]
    toks += [("line", "We use cookies to personalise content and analyse our traffic. By clicking “Accept all”, you consent to our use of cookies.", False),
             ("line", "Accept all", True), ("line", "Manage preferences", True)]
    toks.append(("line", " › ".join(["Home", f"{info.label} Codes", info.category, info.code]), False))
    toks += [("line", x, True) for x in promo]
    toks.append(("line", f"{info.label}® Code {info.code} - {_title_short(info.title)}" if semantic
                 else f"{info.label} {info.code}: {_title_short(info.title)}", False))
    toks.append(("line", f"Updated {_long_date(vol['date'])} · {vol['views']:,} views" if semantic
                 else f"Last reviewed: {vol['date'].strftime('%m/%d/%Y')} • {vol['views']:,} views", True))
    toks += _content_tokens(model)
    if model.related:
        toks.append(("line", f"Related {info.label} Codes" if semantic else "Similar Codes", False))
        toks += [("bullet", f"{c} {t}", True) for c, t in model.related]
    toks += [("line", "Get coding updates in your inbox", False), ("line", "Weekly tips, payer changes and new codes. No spam.", True),
             ("line", "Subscribe", True), ("line", "Create your free account", False),
             ("line", "Unlock unlimited code lookups, modifiers and fee schedules.", True), ("line", "Continue with Google", True),
             ("line", "Already have an account? Log in", True)]
    toks += [("line", x, True) for x in ch["footer_text"]]
    toks.append(("line", site.copyright, True))
    return _finish_text(toks, site, variant, rng, blank=site.text_blank_lines, bullet=site.text_bullet)


# ---- HTML -------------------------------------------------------------------------------------


def _html_content_semantic(model: Model, vol: dict, c: dict) -> list[str]:
    info = model.info
    out = [f'<article class="{c["code-article"]}" data-code="{info.code}">',
           f'<h1>{info.label}® Code {info.code} – {_esc(_title_short(info.title))}</h1>',
           f'<p class="{c["article-meta"]}">Updated <time datetime="{vol["date"].isoformat()}">{_long_date(vol["date"])}</time> · '
           f'<span class="{c["views"]}">{vol["views"]:,} views</span></p>']
    facts = [("Code", info.code), ("Category", info.category)] + ([("Duration", model.duration)] if model.duration else [])
    out.append(f'<div class="{c["quick-facts"]}"><ul>' + "".join(f"<li><strong>{k}:</strong> {_esc(v)}</li>" for k, v in facts) + "</ul></div>")
    for s in model.sections:
        if s.inline is not None:
            out.append(f'<p class="{c["fact"]}"><strong>{_esc(s.heading)}:</strong> {_esc(s.inline)}</p>')
            continue
        out.append(f'<section id="{s.key.replace("_", "-")}" class="{c["code-section"]}">')
        out.append(f"<h2>{_esc(s.heading)}</h2>")
        out += [f"<p>{_esc(p)}</p>" for p in s.paras]
        out += [f"<p><strong>{_esc(k)}:</strong> {_esc(v)}</p>" for k, v in s.facts]
        if s.label:
            out.append(f"<h3>{_esc(s.label.rstrip(':'))}</h3>")
        if s.items:
            tag = "ol" if s.ordered else "ul"
            out.append(f'<{tag} class="{c["steps"] if s.ordered else c["bullets"]}">')
            out += [f"<li>{_esc(it)}</li>" for it in s.items]
            out.append(f"</{tag}>")
        out += [f'<p class="{c["note"]}">{_esc(p)}</p>' for p in s.after]
        if s.faq:
            out.append(f'<div class="{c["faq-list"]}">')
            for q, a in s.faq:
                out.append(f'<details class="{c["faq-item"]}"><summary>{_esc(q)}</summary><div class="{c["faq-answer"]}"><p>{_esc(a)}</p></div></details>')
            out.append("</div>")
        out.append("</section>")
    out.append("</article>")
    out.append("</main>")
    out.append(f'<aside class="{c["sidebar"]}">')
    if model.related:
        out.append(f'<section class="{c["related-codes"]}"><h3>Related {info.label} Codes</h3><ul>')
        out += [f'<li><a href="{page_url(code, model.site).split(model.site.host, 1)[-1]}" class="code-link">{code}</a> '
                f"<span>{_esc(t)}</span></li>" for code, t in model.related]
        out.append("</ul></section>")
    out.append(f'<div class="{c["sidebar-ad"]}" data-ad-slot="sidebar-1"><a href="/pro?src=sidebar" class="ad-link">Go Pro: export codes to your EHR</a></div>')
    out.append("</aside>")
    return out


def _html_content_divsoup(model: Model, vol: dict, c: dict) -> list[str]:
    info = model.info
    out = [f'<div class="{c["article"]}" id="code-page">', f'<div class="{c["wrap"]}">',
           f'<h1 class="{c["h1"]}">{info.label} {info.code}: {_esc(_title_short(info.title))}</h1>',
           f'<div class="{c["meta"]}">Last reviewed: {vol["date"].strftime("%m/%d/%Y")} <span class="{c["dot"]}">•</span> '
           f'<span class="{c["views"]}">{vol["views"]:,} views</span></div></div>']
    for s in model.sections:
        if s.inline is not None:
            out.append(f'<div class="{c["kv"]}"><span class="{c["k"]}">{_esc(s.heading)}:</span> <span class="{c["v"]}">{_esc(s.inline)}</span></div>')
            continue
        out.append(f'<div class="{c["sec"]}" data-section="{s.key}"><div class="{c["sechead"]}"><h2 class="{c["h2"]}">{_esc(s.heading)}</h2></div>'
                   f'<div class="{c["secbody"]}">')
        out += [f'<div class="{c["p"]}">{_esc(p)}</div>' for p in s.paras]
        out += [f'<div class="{c["kv"]}"><span class="{c["k"]}">{_esc(k)}:</span> <span class="{c["v"]}">{_esc(v)}</span></div>' for k, v in s.facts]
        if s.label:
            out.append(f'<div class="{c["label"]}"><b>{_esc(s.label)}</b></div>')
        if s.items:
            tag = "ol" if s.ordered else "ul"
            out.append(f'<{tag} class="{c[tag]}">' + "".join(f'<li class="{c["li"]}"><span>{_esc(it)}</span></li>' for it in s.items) + f"</{tag}>")
        out += [f'<div class="{c["p"]}"><i>{_esc(p)}</i></div>' for p in s.after]
        for q, a in s.faq:
            out.append(f'<div class="{c["acc"]}"><h3 class="{c["accq"]}" role="button" aria-expanded="false">{_esc(q)}</h3>'
                       f'<div class="{c["acca"]}">{_esc(a)}</div></div>')
        out.append("</div></div>")
    out.append("</div>")
    out.append(f'<div class="{c["sidebar"]}">')
    if model.related:
        out.append(f'<div class="{c["related"]}"><h3 class="{c["h2"]}">Similar Codes</h3>')
        out += [f'<div class="{c["li"]}"><a href="{page_url(code, model.site).split(model.site.host, 1)[-1]}" class="{c["navlink"]}">{code}</a>'
                f' <span>{_esc(t)}</span></div>' for code, t in model.related]
        out.append("</div>")
    out.append(f'<div class="{c["ad"]}" data-slot="rail-300x600"><div class="{c["label"]}">Advertisement</div></div>')
    out.append("</div>")
    return out


def _render_html(model: Model, vol: dict, variant: int, rng: random.Random, html_kb: float | None) -> str:
    site, info = model.site, model.info
    ch = _chrome(site.name)
    c = ch["cls"]
    semantic = site.layout == "html_semantic"
    path = model.url.split(site.host, 1)[-1]
    short = _title_short(info.title)
    desc = (model.sections[0].paras[0] if model.sections and model.sections[0].paras else info.title)[:155]
    promo = site.promos[vol["promo"] % len(site.promos)]
    n = vol["nonce"]
    head = ["<!DOCTYPE html>", '<html lang="en-US">', "<head>", '<meta charset="utf-8">',
            f"<title>{info.label}® Code {info.code} - {_esc(short)} | {site.brand}</title>",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="description" content="{_attr(desc)}">',
            f'<meta name="keywords" content="{_attr(model.keywords)}">',
            '<meta name="robots" content="index, follow, max-image-preview:large">',
            f'<meta property="og:title" content="{info.label} {info.code}: {_attr(short)}">',
            f'<meta property="og:description" content="{_attr(desc)}">', f'<meta property="og:url" content="{model.url}">',
            '<meta property="og:type" content="article">', f'<meta property="og:site_name" content="{site.brand}">',
            f'<meta property="og:image" content="https://{site.host}/static/og/{info.code.lower()}.png">',
            '<meta name="twitter:card" content="summary_large_image">', f'<meta name="twitter:site" content="@{site.name}">',
            f'<meta name="theme-color" content="#{zlib.crc32(site.name.encode()) & 0xFFFFFF:06x}">',
            f'<meta name="google-site-verification" content="{ch["build"]}-verify">',
            f'<meta property="article:modified_time" content="{vol["date"].isoformat()}T00:00:00Z">',
            f'<link rel="canonical" href="{model.url}">',
            '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
            '<link rel="preconnect" href="https://www.googletagmanager.com">',
            '<link rel="icon" href="/favicon.ico" sizes="any"><link rel="apple-touch-icon" href="/apple-touch-icon.png">',
            f'<link rel="stylesheet" href="/static/css/app.css?v={ch["build"]}">',
            "<style>", ch["css"], "</style>",
            f'<script async src="https://www.googletagmanager.com/gtag/js?id={ch["ga"]}" nonce="{n}"></script>',
            f"<script nonce=\"{n}\">window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());"
            f"gtag('config','{ch['ga']}',{{page_type:'code',code_system:'{info.label}',ab:'{vol['ab']}'}});</script>"]
    config = {"env": "production", "release": f"2026.{ch['build'][:4]}", "csrfToken": vol["csrf"], "requestId": vol["req"],
              "experiments": {"paywall_v2": vol["ab"], "related_rail": "on"}, "popularCodes": ch["popular"],
              "recentlyUpdated": [neighbour_code(info.code, d) for d in (7, 11, 19)],
              "paywall": {"freeViews": 3, "cookie": "_pv"}, "ads": {"slots": ["top-728x90", "rail-300x600"], "lazy": True}}
    var = "__CL_CONFIG__" if semantic else "__ATLAS_CFG__"
    head.append(f'<script nonce="{n}">window.{var}={json.dumps(config, separators=(",", ":"))};</script>')
    if semantic:
        ld = {"@context": "https://schema.org", "@type": "MedicalCode", "codeValue": info.code,
              "codingSystem": "HCPCS" if info.label == "HCPCS" else "CPT", "name": info.title, "url": model.url,
              "description": desc}
        crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i + 1, "name": nm, "item": f"https://{site.host}{u}"}
            for i, (nm, u) in enumerate([("Home", "/"), (f"{info.label} Codes", f"/{info.label.lower()}"), (info.code, path)])]}
        head.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
        head.append(f'<script type="application/ld+json">{json.dumps(crumbs, ensure_ascii=False)}</script>')
        faq = next((s.faq for s in model.sections if s.faq), None)
        if faq:
            fq = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
                {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in faq]}
            head.append(f'<script type="application/ld+json">{json.dumps(fq, ensure_ascii=False)}</script>')
    head.append("</head>")
    body_top = []
    if semantic:
        body_top.append(f'<body class="page page-code system-{info.label.lower()}">')
        body_top.append(f'<div id="cookie-consent" class="{c["cookie-banner"]}" role="dialog" aria-live="polite"><p>We use cookies to personalise '
                        "content and analyse our traffic. By clicking “Accept all”, you consent to our use of cookies.</p>"
                        f'<button class="{c["btn"]} {c["btn-primary"]}" data-consent="all">Accept all</button>'
                        f'<button class="{c["btn"]}" data-consent="manage">Manage preferences</button></div>')
        body_top.append(f'<header class="{c["site-header"]}"><a href="/" class="{c["logo"]}"><img src="/static/img/logo.svg" alt="{site.brand} logo" '
                        f'width="148" height="32"></a><form class="{c["search-form"]}" role="search" action="/search"><input type="search" name="q" '
                        f'placeholder="Search 10,000+ CPT, HCPCS and ICD-10 codes" aria-label="Search codes"><input type="hidden" name="csrf" '
                        f'value="{vol["csrf"]}"></form><a href="/login" class="{c["btn"]}">Log in</a> <a href="/signup" class="{c["btn"]} '
                        f'{c["btn-primary"]}">Start free trial</a></header>')
        body_top.append(ch["nav_html"])
        body_top.append(f'<nav class="{c["breadcrumbs"]}" aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/{info.label.lower()}">'
                        f'{info.label} Codes</a></li><li><a href="/{info.label.lower()}/{_slug(info.category, 3)}">{_esc(info.category)}</a></li>'
                        f'<li aria-current="page">{info.code}</li></ol></nav>')
        body_top.append(f'<div class="{c["promo-bar"]}" role="region" aria-label="Promotion"><p>{_esc(promo[0])}</p>'
                        f'<a href="/pro?src=promobar" class="{c["btn"]}">{_esc(promo[1])}</a></div>')
        body_top.append(f'<div class="{c["layout"]}"><main id="main-content">')
        content = _html_content_semantic(model, vol, c)
        content.append("</div>")
        tail = [f'<section class="{c["newsletter"]}"><h2>Get coding updates in your inbox</h2><p>Weekly tips, payer changes and new codes. No spam.</p>'
                f'<form action="/newsletter" method="post"><input type="email" name="email" placeholder="you@practice.com"><input type="hidden" '
                f'name="csrf" value="{vol["csrf"]}"><button class="{c["btn"]}">Subscribe</button></form></section>',
                f'<div class="{c["modal"]}" id="signup-modal" role="dialog" aria-modal="true" hidden><div class="modal-card"><button class="modal-close" '
                'aria-label="Close">×</button><h2>Create your free account</h2><p>Unlock unlimited code lookups, modifiers and fee schedules.</p>'
                '<form action="/signup" method="post"><input type="email" name="email" placeholder="Work email"><button>Continue</button></form>'
                '<button class="google-btn">Continue with Google</button><p>Already have an account? <a href="/login">Log in</a></p></div></div>',
                ch["footer_html"]]
    else:
        body_top.append(f'<body><div id="__atlas" class="{c["wrap"]}">')
        body_top.append(f'<div class="{c["cookie"]}"><div class="{c["p"]}">We use cookies to personalise content and analyse our traffic. '
                        "By clicking “Accept all”, you consent to our use of cookies.</div>"
                        f'<div class="{c["btn"]}" role="button" tabindex="0">Accept all</div><div class="{c["btn2"]}" role="button" tabindex="0">Manage preferences</div></div>')
        body_top.append(f'<div class="{c["hdr"]}"><div class="{c["logo"]}"><a href="/" class="{c["navlink"]}"><img src="/img/atlas-logo-dark.svg" alt="logo-dark"></a></div>'
                        f'<div class="{c["search"]}"><input type="text" placeholder="Search by code or keyword" data-csrf="{vol["csrf"]}"></div>'
                        f'<div class="{c["btn2"]}"><a href="/signin" class="{c["navlink"]}">Log in</a></div>'
                        f'<div class="{c["btn"]}"><a href="/demo" class="{c["navlink"]}">Get a Demo</a></div></div>')
        body_top.append(ch["nav_html"])
        body_top.append(f'<div class="{c["crumbs"]}"><a href="/" class="{c["navlink"]}">Home</a> <span>›</span> <a href="/codes/{info.label.lower()}" '
                        f'class="{c["navlink"]}">{info.label} Codes</a> <span>›</span> <span>{_esc(info.category)}</span> <span>›</span> <span>{info.code}</span></div>')
        body_top.append(f'<div class="{c["promo"]}">' + "".join(f'<div class="{c["p"]}">{_esc(x)}</div>' for x in promo) + "</div>")
        body_top.append(f'<div class="{c["layout"]}">')
        content = _html_content_divsoup(model, vol, c)
        content.append("</div>")
        tail = [f'<div class="{c["newsletter"]}"><div class="{c["h2"]}">Join 40,000 billers who read Atlas Weekly</div>'
                f'<div class="{c["p"]}">Weekly tips, payer changes and new codes. No spam.</div><input type="email" placeholder="Email">'
                f'<div class="{c["btn"]}">Subscribe</div></div>',
                f'<div class="{c["modal"]}" data-modal="signup" style="display:none"><div class="{c["h2"]}">Create your free account</div>'
                f'<div class="{c["p"]}">Unlock unlimited code lookups, modifiers and fee schedules.</div><div class="{c["btn"]}">Continue with Google</div>'
                f'<div class="{c["p"]}">Already have an account? <a href="/signin" class="{c["navlink"]}">Log in</a></div></div>',
                ch["footer_html"]]
    end = [f'<script nonce="{n}">' + _JS_LOADER.replace("{build}", ch["build"]).replace("{delay}", str(vol["ms"] * 10))
           .replace("{modal}", "15000") + "</script>", "</body>", "</html>"]
    if not semantic:
        end.insert(0, "</div>")

    # noise
    if variant & NOISE_WHITESPACE:
        content = [("  " * rng.randint(1, 3) + x if rng.random() < 0.4 else x) + (" " if rng.random() < 0.1 else "") for x in content]
    if variant & NOISE_MARKUP:
        src = rng.choice(["newsletter", "google", "bing", "sitemap", "related"])
        swap = re.compile(r'<a href="([^"]*)" class="([^"]*)"')
        track = re.compile(r'href="(/[^"?#]*)"')
        content = [track.sub(lambda m: f'href="{m.group(1)}?utm_source={src}&amp;utm_medium=referral"', swap.sub(r'<a class="\2" href="\1"', x))
                   for x in content]
        body_top = [swap.sub(r'<a class="\2" href="\1"', x) for x in body_top]
    if variant & NOISE_LINES:
        head.insert(1, f"<!-- served by web-{vol['server']:02d} in {vol['ms']}ms, cache {rng.choice(['HIT', 'MISS', 'STALE'])} -->")
        head = [x.replace(f"app.css?v={ch['build']}", f"app.css?v={ch['build']}&amp;t={vol['req']}") for x in head]
        content = [x + "<!-- /section -->" if x.startswith("</section>") or x.endswith("</div></div>") else x for x in content]
        tail.insert(0, f"<!-- ad refresh {vol['req']} -->")

    parts = head + body_top + content + tail
    props = {"code": info.code, "system": info.label, "title": info.title, "sections": [s.key for s in model.sections],
             "views": vol["views"], "updated": vol["date"].isoformat()}
    if semantic:
        blob_open = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":' + json.dumps(props, separators=(",", ":"))
                     + '},"page":"/' + info.label.lower() + '/[code]","query":{"code":"' + info.code + '"},"buildId":"' + ch["build"]
                     + '","searchIndex":[\n')
        blob_close = "\n]}</script>"
    else:
        blob_open = f'<script nonce="{n}">window.__INITIAL_STATE__={{"page":' + json.dumps(props, separators=(",", ":")) + ',"lookup":{"recent":[\n'
        blob_close = "\n]}};</script>"
    # The state blob fills the page up to its size target (UTF-8 bytes, 40-200 KB): the page never exceeds it and
    # falls short by at most one search-index entry (the target's floor keeps even that above 40 KB).
    target = min(max(int((html_kb or model.html_kb) * 1024), MIN_HTML_BYTES), MAX_HTML_BYTES)
    base = sum(len(x.encode("utf-8")) + 1 for x in parts + end) + len((blob_open + blob_close).encode("utf-8")) + 1
    blob_frac = random.Random(f"{site.name}|{info.code}|blob").random()
    index = _blob_slice(ch, blob_frac, target - base)
    return "\n".join(parts + [blob_open + index + blob_close] + end)


def render_page(code: str, site: str | Site, rng: random.Random, variant: int = 0, fmt: str = "html",
                html_kb: float | None = None) -> str:
    """One page about ``code`` on ``site`` as served (``fmt="html"``) or as a crawler's text dump (``"text"``).

    Content depends only on (site, code). ``rng`` draws the per-fetch values (date, view counter, promo,
    nonces); ``variant`` adds noise bits (NOISE_WHITESPACE | NOISE_MARKUP | NOISE_LINES | NOISE_EDIT).
    ``html_kb`` overrides the page's size target (40-200 KB by default) for HTML.
    """
    s = _site(site)
    if fmt not in s.formats:
        raise ValueError(f"site {s.name!r} serves {s.formats}, not {fmt!r}")
    model = _model(code, s.name)
    vol = _volatile(rng)
    if variant & NOISE_EDIT:
        model = _edit_model(model, rng)
    if fmt == "html":
        return _render_html(model, vol, variant, rng, html_kb)
    return {"text_dash": _text_dash, "text_blank": _text_blank, "text_paywall": _text_paywall}.get(
        s.layout, _text_of_html_site)(model, vol, variant, rng)


# --------------------------------------------------------------------------------------------
# Corpus writer
# --------------------------------------------------------------------------------------------

_EPOCH = datetime(2025, 9, 1, tzinfo=timezone.utc)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Recipe:
    pid: str
    code: str
    site: str
    fmt: str
    seed: int
    variant: int
    url: str
    fetched: datetime


class _Writer:
    """Writes page files, sidecars and JSONL batches as pages come; counts files and bytes."""

    def __init__(self, out: Path):
        self.out = out
        self.files = self.sidecars = self.bytes = 0
        self.batch_no = 0
        self.batch: gzip.GzipFile | None = None
        self.batch_fh = None
        self.batch_rel = ""
        self.batch_lines = 0

    def _write(self, rel: str, data: bytes) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        self.bytes += len(data)

    def page_file(self, rel: str, content: str, gz: bool, meta: dict | None) -> str:
        data = content.encode("utf-8")
        if gz:
            rel += ".gz"
            data = gzip.compress(data, compresslevel=6, mtime=0)
        self._write(rel, data)
        self.files += 1
        if meta is not None:
            self._write(rel + ".meta.json", json.dumps(meta).encode())
            self.sidecars += 1
        return rel

    def jsonl_line(self, record: dict) -> tuple[str, int]:
        if self.batch_fh is None:
            gz = self.batch_no % 8 == 5
            self.batch_rel = f"crawl/batch-{self.batch_no:05d}.jsonl" + (".gz" if gz else "")
            path = self.out / self.batch_rel
            path.parent.mkdir(parents=True, exist_ok=True)
            self.batch_fh = open(path, "wb")
            self.batch = gzip.GzipFile(filename="", mode="wb", fileobj=self.batch_fh, compresslevel=6, mtime=0) if gz else None
            self.batch_lines = 0
            self.files += 1
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        (self.batch or self.batch_fh).write(line)
        self.batch_lines += 1
        at = (self.batch_rel, self.batch_lines)
        if self.batch_lines >= JSONL_PER_FILE:
            self.close_batch()
        return at

    def close_batch(self) -> None:
        if self.batch_fh is None:
            return
        if self.batch is not None:
            self.batch.close()
        self.bytes += self.batch_fh.tell()
        self.batch_fh.close()
        self.batch_fh = self.batch = None
        self.batch_no += 1


def _choose_site(rng: random.Random, formats: tuple[str, ...]) -> tuple[str, str]:
    """(site, content format) for a new page, respecting which containers are allowed."""
    html_ok = "html" in formats or "jsonl" in formats
    text_ok = "text" in formats or "jsonl" in formats
    sites = [s for s in SITES if (html_ok and "html" in s.formats) or (text_ok and "text" in s.formats)]
    site = rng.choices(sites, weights=[s.weight for s in sites])[0]
    if "html" in site.formats and html_ok and (not text_ok or rng.random() < 0.8):
        return site.name, "html"
    return site.name, "text"


def _choose_container(rng: random.Random, fmt: str, formats: tuple[str, ...]) -> str:
    own = "html" if fmt == "html" else "text"
    if own in formats and "jsonl" in formats:
        return own if rng.random() < (0.6 if fmt == "html" else 0.55) else "jsonl"
    return own if own in formats else "jsonl"


def manifest_path(out_dir: Path | str) -> Path:
    """Where :func:`generate` writes the manifest by default: beside the landing zone, never in it
    (a file in the landing zone would be read as a page)."""
    out = Path(out_dir)
    return out.parent / f"{out.name}.manifest.json"


def read_manifest(path: Path | str) -> dict:
    """A manifest written by :func:`generate`: ``{"generator", "seed", "formats", "pages": [...], "summary", "notes"}``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass
class Page:
    """One page of a corpus as :func:`iter_pages` makes it, and where :func:`generate` puts it."""

    pid: str
    code: str
    site: str
    fmt: str  # the content: html or text
    container: str  # the file kind: html, text or jsonl
    url: str
    fetched_at: str
    variant: int
    duplicate_of: str | None
    duplicate_kind: str | None  # exact | near | None
    content: str
    path: str | None  # relative file path (before any .gz) of an html/text page; None for a JSONL record
    gz: bool
    sidecar: dict | None  # the .meta.json sidecar of an html/text page, if it has one


def _formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = tuple(f.strip() for f in formats.split(",") if f.strip())
    formats = tuple(formats)
    bad = set(formats) - {"html", "text", "jsonl"}
    if bad or not formats:
        raise ValueError(f"formats must be a subset of html,text,jsonl; got {formats}")
    return formats


def iter_pages(n_pages: int, seed: int = 0, formats=("html", "text", "jsonl"), exact_share: float = EXACT_SHARE,
               near_share: float = NEAR_SHARE, avoid_codes=()) -> Iterator[Page]:
    """The pages of a corpus, in order, in memory: what :func:`generate` writes (same arguments, same pages).
    A page is made when it is asked for; only small recipes of recent originals are kept."""
    return _iter_pages(n_pages, seed, _formats(formats), exact_share, near_share, set(avoid_codes))


def _iter_pages(n_pages: int, seed: int, formats: tuple[str, ...], exact_share: float, near_share: float,
                avoid: set[str]) -> Iterator[Page]:
    rng = random.Random(seed)
    recent: deque[_Recipe] = deque(maxlen=5000)
    recent_codes: deque[str] = deque(maxlen=2000)
    used: set[tuple[str, str]] = set()
    seen: set[bytes] = set()

    def digest(s: str) -> bytes:
        return hashlib.blake2b(s.encode("utf-8"), digest_size=12).digest()

    def new_code(site: str) -> str:
        for _ in range(100):
            r = rng.random()
            if r < 0.25 and recent_codes:
                code = rng.choice(recent_codes)  # a code another site also covers
            elif r < 0.35 and recent_codes:
                code = neighbour_code(rng.choice(recent_codes), rng.choice([-2, -1, 1, 2]))  # sites publish neighbours
            else:
                code = random_code(rng, rng.choices(SYSTEMS, weights=[72, 5, 9, 14])[0])
            if (site, code) not in used and code not in avoid:
                return code
        raise RuntimeError("could not find an unused code")

    for i in range(n_pages):
        pid = f"p{i:06d}"
        roll = rng.random()
        dup_kind = None
        src: _Recipe | None = None
        if recent and roll < exact_share:
            dup_kind, src = "exact", rng.choice(recent)
        elif recent and roll < exact_share + near_share:
            dup_kind, src = "near", rng.choice(recent)
        if src is None:
            site, fmt = _choose_site(rng, formats)
            code = new_code(site)
            used.add((site, code))
            recent_codes.append(code)
            page_seed, variant = rng.getrandbits(64), 0
            content = render_page(code, site, random.Random(page_seed), 0, fmt)
            url = page_url(code, site)
            fetched = _EPOCH + timedelta(seconds=rng.randrange(150 * 86400))
            seen.add(digest(content))  # unique (site, code): never the same bytes as an earlier original
            recent.append(_Recipe(pid, code, site, fmt, page_seed, 0, url, fetched))
        elif dup_kind == "exact":
            code, site, fmt, variant = src.code, src.site, src.fmt, src.variant
            content = render_page(code, site, random.Random(src.seed), variant, fmt)
            url = src.url + rng.choice(["", "", "?ref=sitemap", "?page=1", "?utm_source=google&utm_medium=organic"])
            fetched = src.fetched + timedelta(seconds=rng.choice([0, rng.randrange(1, 30 * 86400)]))
        else:
            code, site, fmt = src.code, src.site, src.fmt
            for _ in range(10):
                variant = rng.randint(0, 7)  # 0 = only the per-fetch values differ
                content = render_page(code, site, random.Random(rng.getrandbits(64)), variant, fmt)
                h = digest(content)
                if h not in seen:
                    break
            seen.add(h)
            url = src.url + rng.choice(["", "", "?utm_source=newsletter&utm_medium=email", f"?v={rng.randint(1, 99)}", "?ref=related"])
            fetched = src.fetched + timedelta(seconds=rng.randrange(3600, 60 * 86400))
        container = _choose_container(rng, fmt, formats)
        ts = _iso(fetched)
        path, gz, sidecar = None, False, None
        if container != "jsonl":
            ext = "html" if fmt == "html" else "txt"
            name = f"{rng.getrandbits(64):016x}"
            path = f"{site}/{name}.{ext}" if fmt == "html" else f"{site}/{i:06d}_{name}.{ext}"
            gz = rng.random() < 0.015
            sidecar = {"url": url, "fetched_at": ts} if rng.random() < (0.6 if fmt == "html" else 0.25) else None
        yield Page(pid, code, site, fmt, container, url, ts, variant, src.pid if src else None, dup_kind, content, path, gz, sidecar)


def generate(out_dir: Path | str, n_pages: int, seed: int = 0, formats=("html", "text", "jsonl"),
             manifest: Path | str | None = None, exact_share: float = EXACT_SHARE, near_share: float = NEAR_SHARE,
             avoid_codes=()) -> dict:
    """Write ``n_pages`` pages into ``out_dir`` and the manifest; return the summary.

    ``formats`` is the file kinds to write, a subset of html, text, jsonl: ``("text",)`` gives a corpus of
    text dumps only (all five sites), ``("html",)`` one of HTML files only (the two HTML sites). The
    manifest goes to ``manifest`` (default :func:`manifest_path`, beside ``out_dir``). ``avoid_codes``:
    codes no new page may be about (to add pages about new codes to an existing corpus, write them into
    a subdirectory of it with another seed and ``avoid_codes`` = the codes of its manifest).

    Pages stream to disk as they are made (memory stays flat: only small recipes of recent
    originals are kept, to draw duplicates from). Reproducible: same arguments, same bytes.
    """
    formats = _formats(formats)
    pages = iter_pages(n_pages, seed, formats, exact_share, near_share, avoid_codes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = Path(manifest) if manifest is not None else manifest_path(out)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    counts = {"exact": 0, "near": 0}
    by_format = {"html": 0, "text": 0, "jsonl": 0}
    by_site = {s.name: 0 for s in SITES}
    by_system = {s: 0 for s in SYSTEMS}
    html_bytes: list[int] = []
    tmp = manifest.with_name(manifest.name + ".part")
    mf = open(tmp, "w", encoding="utf-8")
    mf.write('{"generator": "benchmarks/corpus.py", "seed": %d, "formats": %s, "pages": [\n' % (seed, json.dumps(list(formats))))
    for i, page in enumerate(pages):
        if page.fmt == "html":
            html_bytes.append(len(page.content.encode("utf-8")))
        line = None
        if page.container == "jsonl":
            rel, line = writer.jsonl_line({"url": page.url, "fetched_at": page.fetched_at, page.fmt: page.content})
            in_input = True
        else:
            rel = writer.page_file(page.path, page.content, page.gz, page.sidecar)
            in_input = page.sidecar is not None
        if page.duplicate_kind:
            counts[page.duplicate_kind] += 1
        by_format[page.container] += 1
        by_site[page.site] += 1
        by_system[system_of(page.code)] += 1
        entry = {"id": page.pid, "file": rel, "line": line, "code": page.code, "site": page.site, "format": page.fmt,
                 "container": page.container, "url": page.url, "fetched_at": page.fetched_at, "url_in_input": in_input,
                 "variant": page.variant, "duplicate_of": page.duplicate_of, "duplicate_kind": page.duplicate_kind}
        mf.write(("" if i == 0 else ",\n") + json.dumps(entry))
    writer.close_batch()
    summary = {"pages": n_pages, "files": writer.files, "sidecars": writer.sidecars, "bytes": writer.bytes,
               "exact_duplicates": counts["exact"], "near_duplicates": counts["near"],
               "originals": n_pages - counts["exact"] - counts["near"],
               "by_format": by_format, "by_site": by_site, "by_system": by_system,
               "html_kb": [round(min(html_bytes) / 1024, 1), round(max(html_bytes) / 1024, 1)] if html_bytes else None,
               "seed": seed}
    mf.write("\n],\n" + '"summary": ' + json.dumps(summary) + ",\n")
    mf.write('"notes": "format = the page content (html or text dump); container = the file kind (html, text, jsonl). line is '
             '1-based within a JSONL file. duplicate_of points to an original page id; duplicate_kind exact = same bytes, '
             'near = a re-fetch of that page (same code and content; per-fetch values and noise bits in variant differ). '
             'url and fetched_at are what the page was fetched as; url_in_input tells whether the input carries them (JSONL record or '
             'sidecar) or not (a bare .html/.txt file, whose HTML may still hold a canonical link)."}\n')
    mf.close()
    os.replace(tmp, manifest)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default="html,text,jsonl", help="comma-separated subset of html,text,jsonl")
    parser.add_argument("--manifest", type=Path, default=None, help="manifest path (default: OUT.manifest.json beside --out)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    summary = generate(args.out, args.pages, args.seed, tuple(args.formats.split(",")), args.manifest)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
