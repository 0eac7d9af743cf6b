#!/usr/bin/env python3
"""Writes the heldout5 labels (`<page>.labels.json`) from the annotations below.

Same method as tests/heldout4/make_labels.py. The annotations are the labelling decisions,
made by hand while writing and reading each page: the page's code, its headings and their
canonical sections, the boilerplate strings (per site and per page), the strings glued to a
neighbour, the FAQ pairs and the notes. Every other visible line or block of the page is
content; item counts and `empty` flags are derived the way tests/check_labels.py derives
them. Run it after editing a page, then run the checker. Standard library only.

    python3 tests/heldout5/make_labels.py [--show]     # --show prints every line with its label
    python3 tests/check_labels.py --root tests/heldout5
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import check_labels as ck  # noqa: E402  (tests/check_labels.py: same decoding, block splitting and bullet rule)

RE = 're:'   # prefix for a regular-expression boilerplate pattern


# --------------------------------------------------------------------------- sites
SITE = {
    'ridgelinespine': dict(
        boilerplate=[
            # cookie banner, announcement bar, header (convention 38: practice-blog chrome)
            'This website uses cookies to improve your experience and to analyze traffic.', 'Accept', 'Decline',
            'Now offering same-week visits in Boise and Meridian.', 'Ridgeline Spine & Orthopedics',
            'Conditions Treatments Our Physicians Blog Patient Forms', 'Request an appointment',
            # byline, YouTube caption blocks, share bar, physician bio card
            RE + r'^Posted by .+ · [A-Z][a-z]+ \d{1,2}, \d{4}$', RE + r'^(Watch|Video): ',
            'Share: Facebook Twitter Email', 'Meet the author', 'Nadia Okafor, MD', 'Erik Halversen, DO',
            'Meera Prakash, MD',
            'Fellowship-trained spine surgeon. Dr. Okafor has performed more than 1,800 cervical and lumbar procedures.',
            'Board-certified in physical medicine and rehabilitation, with a focus on image-guided spine injections.',
            'Shoulder and elbow surgeon. Dr. Prakash trained at the University of Utah and joined Ridgeline in 2019.',
            'View full bio',
            # related posts (name other codes), hidden newsletter popup, footer
            'Related Posts', 'Cervical disc replacement (22856) vs. fusion: which is better?',
            'What is a 63030 microdiscectomy?', 'SI joint fusion (27279): is it right for you?',
            'Get spine health tips in your inbox', 'One short e-mail a month from our physicians. No spam, ever.',
            'Subscribe', 'No thanks', '1450 W Bannock St, Suite 200, Boise, ID 83702',
            'Phone (208) 555-0186 · Fax (208) 555-0187', 'frontdesk@ridgelinespine.com',
            '© 2026 Ridgeline Spine & Orthopedics, PLLC. All rights reserved.',
            'Privacy Policy · Notice of Nondiscrimination · Price Transparency',
        ],
        glue=['Request an appointment'],
    ),
    'surgiwiki': dict(
        boilerplate=[
            # skip link, side menu, search, personal tools, site notice, page tabs, tagline, hidden short description
            'Jump to content', 'Main page', 'Contents', 'Random article', 'Help', 'Search', 'Create account Log in',
            'SurgiWiki is written by volunteers. If SurgiWiki is useful to you, please give today.',
            'Article', 'Talk', 'Read', 'Edit', 'View history', 'From SurgiWiki, the free surgical encyclopedia',
            'Surgical procedure',
            # table of contents entries ('1 Indications', '2.1 Off-pump surgery'; the title 'Contents' is above)
            RE + r'^\d(\.\d)? [A-Z][A-Za-z -]+$',
            # navboxes (convention 39: they list other codes and are chrome), categories, footer
            RE + r'^v · t · e ', 'Bypass', 'Valves', 'Other', 'Bariatric', 'Revision', 'Related', 'Cerebrovascular',
            'Extremity', 'Delivery', 'Code sets', 'Payment', 'Common codes',
            'Vein grafts (33510–33516) · Single arterial graft · Multiple arterial grafts (33534–33536) · Combined grafts (33517–33523)',
            'Aortic valve replacement (33405) · Mitral valve repair (33426) · TAVR (33361)',
            'Pacemaker insertion (33208) · Left atrial appendage closure (33340) · Heart transplant (33945)',
            'Sleeve gastrectomy (43775) · Gastric band (43770) · Duodenal switch (43845)',
            'Band removal (43772) · Conversion to bypass (43645)', 'Upper endoscopy (43235) · Cholecystectomy (47562)',
            'Carotid duplex, bilateral · Carotid duplex, unilateral (93882) · Transcranial Doppler (93886)',
            'Arterial duplex (93925) · Venous duplex (93970) · Ankle-brachial index (93922)',
            'Vaginal delivery (59400) · Caesarean section · VBAC (59610) · Repeat caesarean after attempted VBAC (59618)',
            'Cerclage (59320) · External cephalic version (59412) · Amniocentesis (59000)',
            'CPT · HCPCS Level II · ICD-10-CM · ICD-10-PCS · NDC',
            'Relative value unit · Conversion factor · Geographic practice cost index · Medicare Physician Fee Schedule',
            'Office visit (99213) · Venipuncture (36415) · Chest X-ray (71046)',
            'Categories:', 'Cardiac surgery', 'Vascular procedures', 'Articles with short description', 'Bariatric surgery',
            'Digestive system surgery', 'Medical ultrasonography', 'Vascular diagnostics', 'Obstetric surgery',
            'Childbirth', 'Health economics', 'Medicare and Medicaid (United States)',
            RE + r'^Retrieved from "https://en\.surgiwiki\.org/', RE + r'^This page was last edited on ',
            'Text is available under the Creative Commons Attribution-ShareAlike License 4.0; additional terms may apply.',
            'Privacy policy', 'About SurgiWiki', 'Disclaimers', 'Contact SurgiWiki', 'Mobile view',
        ],
        glue=['[edit]'],
    ),
    'summitguide': dict(
        boilerplate=[
            # repeated PDF page header (running head + chapter running title) and footer (copyright + page number)
            'SUMMIT A&I BILLING · CLIENT CODING GUIDE 2026', RE + r'^Chapter \d+ · ',
            '© 2026 Summit Anesthesia & Imaging Billing, LLC. CPT © 2025 American Medical Association.',
            RE + r'^Summit Anesthesia & Imaging Billing Coding Guide 2026 — Page \d+ of 24$',
        ],
        glue=[],
    ),
    'askbilling': dict(
        boilerplate=[
            # cookie bar (html: text + button; text records: one line), header
            'AskBilling uses cookies to personalize your feed.', 'Got it',
            'AskBilling uses cookies to personalize your feed. Got it', 'AskBilling',
            'Home Spaces Answer Notifications', 'Log in Sign up',
            # question chrome (conventions 8 and 40)
            RE + r'^Posted in .+ Space$', RE + r'^Asked by .+ · [\d,]+ views$', 'Answer', RE + r'^Follow · \d+$',
            'Request', RE + r'^\d+ Answers$', 'Sort: Most upvoted',
            # answer chrome: author, badges, age, votes, buttons, no-information comments, glued sponsor line
            'Renee Castillo, CPC, CRC', 'Jorge Ibarra', 'Dana Whitfield, CPC, CPMA', 'Kevin Osei', 'Beth Amsel, CCC-SLP',
            RE + r'badge: ', RE + r'^Answered \d+(y|mo)$', RE + r'^Upvote · \d+$', 'Comment', 'Share',
            'Thanks, this saved me!', 'Same problem here, following.', 'This fixed our denials, thank you!',
            'Promoted by ClaimPilot',
            # login prompt, related questions (name other codes), hidden login modal, footer
            'Log in to answer', 'Related questions', 'Can 99213 and G2211 be billed by a physical therapist?',
            'Is 96372 bundled into an E/M visit?', 'Modifier 59 vs XU: when to use which?',
            'Log in to AskBilling', 'Join 240,000 coders sharing answers.', 'Continue with Google',
            'Continue with e-mail', 'About · Careers · Privacy · Terms · Your Ad Choices',
            'Answers are user opinions, not official coding guidance.', 'hello@askbilling.net', '© 2026 AskBilling Inc.',
        ],
        glue=['Promoted by ClaimPilot'],
    ),
}

RS_NOTES = ("orthopedic/spine practice blog built with Squarespace markup (sqs-block, sqs-html-content) + sidecar: cookie "
            "banner, announcement bar, nav, 'Request an appointment' (header, button block, sometimes glued), "
            "'Posted by … · date' byline, YouTube caption blocks, 'Share: Facebook Twitter Email', physician bio card, "
            "related posts naming 22856/63030/27279, hidden newsletter popup, footer with ZIP 83702 and phone numbers; "
            "SQUARESPACE_CONTEXT script names other codes")
SW_NOTES = ("wiki article (MediaWiki/Vector markup) + sidecar: skip link, menus, site notice, page tabs, 'From SurgiWiki…' "
            "tagline, table of contents ('1 Indications'; boilerplate), '[edit]' glued to every heading (convention 38), "
            "infobox <th>/<td> rows are content, inline citation numbers [1], numbered references '^ a b' are items, "
            "navbox listing other codes, categories, 'Retrieved from', last-edited line, licence line and footer links")
SG_NOTES = ("billing company coding guide saved from PDF as text: running head, chapter running title, copyright "
            "line and 'Page N of 24' footer repeated at every PDF page break (convention 41), including between two "
            "sections and inside a sentence; numbered ALL-CAPS and Title Case headings ('3.2 Reporting'); '▪ ' "
            "bullets; hyphenated and wrapped lines are separate content lines")
AB_NOTES = ("Q&A answers site crawl (JSONL): cookie bar, header, 'Posted in … Space', 'Asked by … views', "
            "Answer/Follow/Request buttons, answer counts, sort, authors, badges ('Top Writer 2026', "
            "'Gold badge: …'), 'Answered 2y', 'Upvote · N', Comment/Share, thank-you comments, 'Log in to answer', "
            "related questions naming 99213/G2211/96372, hidden login modal, footer (convention 40)")

PAGES = {
    # ---------------------------------------------------------------- ridgelinespine (.html + .meta.json)
    'ridgelinespine/acdf-what-to-expect.html': dict(
        code='22551', code_system='CPT',
        headings=[('ACDF Surgery: What to Expect, Step by Step', 'overview'), ('1. Overview', 'overview'),
                  ('2. Who is a candidate', 'indications'), ('3. The day of surgery', 'procedure'),
                  ('4. Recovery', 'recovery'), ('5. Billing notes for referring offices', 'billing'),
                  ('Sources', 'references')],
        notes=RS_NOTES + "; numbered <h2> headings keep their numbers (convention 34); code only in a body sentence "
              "('CPT 22551'), its add-on 22552 and 22853/22845 in content; 'Request an appointment' glued to the end of "
              "a numbered <li>; durations '1 to 2 hours', '2 to 4 weeks'; title followed only by the byline -> empty; "
              "'Sources' followed only by the share bar -> empty",
    ),
    'ridgelinespine/laminectomy-spinal-stenosis.html': dict(
        code='63047', code_system='CPT',
        headings=[('Lumbar Laminectomy for Spinal Stenosis (CPT 63047)', 'overview'),
                  ('What is a laminectomy?', 'lay_description'), ('Symptoms it treats', 'symptoms'),
                  ('How it is coded', 'billing'), ('Recovery timeline', 'recovery'), ('What it costs', 'cost_coverage')],
        notes=RS_NOTES + "; code in the title; add-on 63048 and fusion codes 22630/22633 in content; modifier 62; "
              "'Key: value' recovery facts ('Hospital stay: 0 to 1 night'); cost '$1,500 and $4,000'",
    ),
    'ridgelinespine/total-shoulder-replacement.html': dict(
        code='23472', code_system='CPT',
        headings=[('Total Shoulder Replacement: Is It Time?', 'overview'),
                  ('Signs you may need a new shoulder', 'symptoms'), ('Anatomic or reverse?', 'other'),
                  ('For billing staff', 'billing'), ('Recovery', 'recovery')],
        notes=RS_NOTES + "; page code 23472 ONLY in the sidecar URL slug (file name has no code); visible text names "
              "23470/23473/23474; RT/LT modifiers; 'about 2 hours', '4 to 6 weeks'; 'Anatomic or reverse?' -> other",
    ),
    'ridgelinespine/facet-replacement-new-option.html': dict(
        code='0202T', code_system='CPT',
        headings=[('Facet Joint Replacement: A Newer Option for Back Pain', 'overview'), ('Who it is for', 'indications'),
                  ('How it is billed', 'billing'), ('Insurance', 'cost_coverage'), ('Recovery', 'recovery')],
        notes=RS_NOTES + "; Category III code 0202T inside a <dd>; <dt>s of a <dl> title the <dd> after them and are "
              "headings (convention 22); <dt> 'Insurance' with an empty <dd> -> empty; intro paragraph is content under "
              "the title; levels L3 to L5 are not codes",
    ),
    'ridgelinespine/si-joint-injection.html': dict(
        code='27096', code_system='CPT',
        headings=[('Sacroiliac Joint Injections: Your Questions Answered', 'overview'), ('About the injection', 'overview'),
                  ('Before your appointment', 'preparation'), ('Frequently asked questions', 'faq')],
        faq=[('How long does it take?', 'The injection itself takes 15–20 minutes; plan on about an hour at the clinic.'),
             ('How much will I pay?', 'Without insurance, $350 to $900 depending on the facility and whether CT is used.'),
             ('When will I feel better?', 'The numbing medicine works right away; the steroid takes 2 to 5 days.')],
        notes=RS_NOTES + "; FAQ as <h3>+<p> (questions are content, convention 2); modifier 50; cost range $350 to $900; "
              "duration 15–20 minutes (en dash); no video block on this page",
    ),
    'ridgelinespine/lumbar-fusion-which-code.html': dict(
        code=None, code_system=None,
        headings=[('Lumbar Fusion Coding: 22630 or 22633?', 'overview'), ('Two approaches, two codes', 'billing'),
                  ('What the operative note must say', 'billing'), ('Common denials', 'billing'),
                  ('Questions for our coders', 'other')],
        notes=RS_NOTES + "; page about two codes equally (22630 vs 22633, both in the title) -> code null; add-ons "
              "22632/22634 and 22840/22853 in content; level 'L4-L5' not a code; 'Questions for our coders' followed "
              "only by chrome -> empty",
    ),
    # ---------------------------------------------------------------- surgiwiki (.html + .meta.json)
    'surgiwiki/coronary-artery-bypass-arterial.html': dict(
        code='33533', code_system='CPT',
        headings=[('Coronary artery bypass surgery', 'overview'), ('Indications', 'indications'),
                  ('Procedure', 'procedure'), ('Off-pump surgery', 'procedure'), ('Recovery', 'recovery'),
                  ('Complications', 'complications'), ('References', 'references'), ('External links', 'references')],
        notes=SW_NOTES + "; page code 33533 ONLY in the infobox 'CPT code' row; the navbox names 33534–33536, 33510–33516 "
              "and more (boilerplate, must not win); ICD-10-PCS 021009W and MeSH D001026 are not codes; the infobox "
              "caption repeats the title (one heading, convention 5); '3 to 6 hours', '5 to 7 days'; 'External links' "
              "holds only the navbox -> empty",
    ),
    'surgiwiki/roux-en-y-gastric-bypass.html': dict(
        code='43644', code_system='CPT',
        headings=[('Roux-en-Y gastric bypass', 'overview'), ('Eligibility', 'indications'),
                  ('Billing and coding', 'billing'), ('Cost', 'cost_coverage'), ('Risks', 'complications'),
                  ('See also', 'related_codes'), ('References', 'references')],
        notes=SW_NOTES + "; code in the infobox and in a body sentence with alternatives 43645/43846; infobox "
              "'Typical duration' row '2 to 4 hours'; cost '$20,000 to $25,000'; BMI 40/35 not codes; in-article "
              "'See also' list -> related_codes (convention 3); navbox names 43775/43770/43845/43772/43645/43235/47562",
    ),
    'surgiwiki/carotid-ultrasonography.html': dict(
        code='93880', code_system='CPT',
        headings=[('Carotid ultrasonography', 'overview'), ('Medical uses', 'indications'), ('Technique', 'procedure'),
                  ('Coding', 'billing'), ('Modifiers', 'billing'), ('References', 'references'),
                  ('Further reading', 'references')],
        notes=SW_NOTES + "; code in the infobox ('93880 (bilateral)') and in the body next to sibling 93882; <h3> "
              "'Modifiers' (26/TC); '230 cm/s' and '70%' not codes; infobox 'Duration' row '20–30 minutes'; "
              "'Further reading' empty; navbox names 93882/93886/93925/93970/93922",
    ),
    'surgiwiki/caesarean-section.html': dict(
        code='59510', code_system='CPT',
        headings=[('Caesarean section', 'overview'), ('Indications', 'indications'), ('Billing', 'billing'),
                  ('Recovery', 'recovery'), ('History', 'other'), ('Notes', 'references'), ('References', 'references')],
        notes=SW_NOTES + "; code in the infobox and in a body sentence; 59514/59515 alternatives in content; "
              "ICD-10-PCS 10D00Z1 not a code; years 1882/2023, '32%' and citation numbers not codes; 'History' -> "
              "other; empty 'Notes' heading directly before 'References'; navbox names 59400/59610/59618/59320/59412/59000",
    ),
    'surgiwiki/relative-value-unit.html': dict(
        code=None, code_system=None,
        headings=[('Relative value unit', 'overview'), ('Components', 'other'), ('Calculation', 'cost_coverage'),
                  ('Criticism', 'other'), ('References', 'references')],
        notes=SW_NOTES + "; concept article naming no code -> code null; only the navbox names 99213/36415/71046; "
              "conversion factor $32.3465, years, volumes and page ranges are not codes; no infobox",
    ),
    # ---------------------------------------------------------------- summitguide (.txt, PDF dump)
    'summitguide/guide-ch03-knee-anesthesia.txt': dict(
        code='01402', code_system='CPT',
        headings=[('3 ANESTHESIA FOR KNEE ARTHROPLASTY', 'overview'), ('3.1 Overview', 'overview'),
                  ('3.2 Reporting', 'billing'), ('3.3 Anesthesia Time', 'billing'),
                  ('3.4 MEDICAL DIRECTION MODIFIERS', 'billing'), ('Payer Notes', 'policies'),
                  ('3.5 Payment Example', 'cost_coverage')],
        notes=SG_NOTES + "; anesthesia code 01402 (leading zero); surgeon's code 27447 and block codes 64447/64448 "
              "in content; 'report-' / 'ed' hyphenated line break; 'Base units: 7' Key: value; modifiers AA/QK/QX/QZ "
              "and P1–P6; '$22.75', '$341.25' not codes; unnumbered 'Payer Notes' directly followed by a heading -> empty; "
              "page break (header/footer) between '3.2' and '3.3'",
    ),
    'summitguide/guide-ch04-cataract-anesthesia.txt': dict(
        code='00142', code_system='CPT',
        headings=[('4 ANESTHESIA FOR LENS SURGERY', 'overview'), ('4.1 Overview', 'overview'),
                  ('4.2 Medical Necessity', 'indications'), ('4.3 Duration', 'duration'),
                  ('4.4 COMMON QUESTIONS', 'faq')],
        faq=[('Can both eyes be billed on the same day?', 'Only when both lenses are removed in one session; report it once.'),
             ('Is a retrobulbar block billed separately?', 'No. A block placed during MAC is part of the anesthesia service.')],
        notes=SG_NOTES + "; code 00142 with leading zeros; modifiers QS/G8; '4 base units'; duration '15 to 30 minutes "
              "per eye'; FAQ as question/answer lines under an ALL-CAPS numbered heading",
    ),
    'summitguide/guide-ch07-lumbar-mri.txt': dict(
        code='72148', code_system='CPT',
        headings=[('7 MRI OF THE LUMBAR SPINE', 'overview'), ('7.1 Code Selection', 'billing'),
                  ('7.2 Indications Payers Accept', 'indications'),
                  ('7.3 Professional and Technical Components', 'billing'), ('7.4 Prior Authorization', 'policies'),
                  ('7.5 Reimbursement', 'cost_coverage')],
        notes=SG_NOTES + "; siblings 72149/72158 in content; modifiers 26/TC; a sentence is split by the page "
              "footer/header ('...when a separate reading' | chrome | 'group interprets.'); phone 1-800-555-0199; "
              "'about $225', '$400 to $1,200', '30 to 45 minutes'",
    ),
    'summitguide/guide-ch08-bone-density.txt': dict(
        code='77080', code_system='CPT',
        headings=[('8 DXA BONE DENSITY STUDIES', 'overview'), ('8.1 Overview', 'overview'),
                  ('8.2 FREQUENCY LIMITS', 'policies'), ('8.3 Documentation', 'billing'),
                  ('8.4 Billing Tips', 'billing'), ('8.5 Payment', 'cost_coverage')],
        notes=SG_NOTES + "; 77085 and 77081 in content; '23 months' and 'Work RVU: 0.20' not codes; '8.3 Documentation' "
              "followed only by the page footer/header -> empty",
    ),
    'summitguide/guide-ch09-contrast-agents.txt': dict(
        code='Q9967', code_system='HCPCS',
        headings=[('9 REPORTING CONTRAST MATERIAL', 'overview'), ('9.1 Overview', 'overview'), ('9.2 Units', 'billing'),
                  ('9.3 What Not to Report', 'billing'), ('9.4 WASTAGE', 'billing'), ('9.5 Payment', 'cost_coverage')],
        notes=SG_NOTES + "; HCPCS Level II code Q9967 only in one body sentence; '100 ml dose is 100 units'; JW/JZ; "
              "'9.4 WASTAGE' content comes after the page break; '$0.10 to $0.15 per unit'",
    ),
}

JSONL = {
    'askbilling/askbilling_crawl_2026-02-11.jsonl': [
        dict(code='99453', code_system='CPT',
             headings=[('How often can we bill 99453 for remote patient monitoring setup?', 'overview'),
                       ('What you need before billing', 'billing'), ('What it pays', 'cost_coverage')],
             notes=AB_NOTES + "; html record; bold-paragraph answer sub-headings (convention 15); 'Promoted by ClaimPilot' "
                   "glued to the end of a sentence; second answer (99454/99457/99458) falls under the current heading "
                   "(convention 8); 16 days / 30 days, 'about $19'"),
        dict(code='J0897', code_system='HCPCS',
             headings=[('How many units of J0897 do we bill for a 60 mg Prolia injection?', 'overview'),
                       ('1) Units', 'billing'), ('2) Coding tips', 'billing')],
             notes=AB_NOTES + "; text record; numbered '1) Units' / '2) Coding tips' headings; NDC 55513-0710-01, "
                   "ICD-10 M81.0 and '60 units' are not codes; JZ modifier; 96372 in content"),
        dict(code=None, code_system=None,
             headings=[('38-minute psychotherapy session: 90832 or 90834?', 'overview'),
                       ('Time thresholds', 'billing'), ('Documentation', 'billing')],
             notes=AB_NOTES + "; html record about two codes that differ only by time (90832 vs 90834) -> code null "
                   "(convention 16); 90837 also in a list"),
        dict(code='92507', code_system='CPT',
             headings=[('Is 92507 billed per 15 minutes or once per session?', 'overview'), ('1. Units', 'billing'),
                       ('2. Modifiers', 'billing'), ('3. Payment', 'cost_coverage')],
             notes=AB_NOTES + "; text record; numbered '1. Units' headings vs '- ' items; GN/KX modifiers; 'Medicare "
                   "2026 rate: about $75 per session' and 'Typical session: 30 to 60 minutes' Key: value facts; "
                   "'1,240 answers' in a badge line"),
    ],
}


if __name__ == '__main__':
    from labelmaker import write_labels  # tests/labelmaker.py: the machinery all the sets share

    write_labels(HERE, SITE, PAGES, JSONL, sys.argv[1:])
