#!/usr/bin/env python3
"""Writes the heldout4 labels (`<page>.labels.json`) from the annotations below.

Same method as tests/heldout3/make_labels.py. The annotations are the labelling decisions,
made by hand while writing and reading each page: the page's code, its headings and their
canonical sections, the boilerplate strings (per site and per page), the strings glued to a
neighbour, the FAQ pairs and the notes. Every other visible line or block of the page is
content; item counts and `empty` flags are derived the way tests/check_labels.py derives
them. Run it after editing a page, then run the checker. Standard library only.

    python3 tests/heldout4/make_labels.py [--show]     # --show prints every line with its label
    python3 tests/check_labels.py --root tests/heldout4
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
    'codefindr': dict(
        boilerplate=[
            # cookie bar, free-trial banner, header
            'CodeFindr uses cookies to remember your code sets and to measure traffic.', 'Accept all',
            'Manage preferences', 'Free trial: 7 days of unlimited lookups, no card required. Start free trial',
            'CodeFindr', 'Search', 'Sign in · Subscribe',
            # left nav tree of code ranges (convention 31: ranges are not page codes)
            'Browse code sets', 'CPT codes', '00100–01999 Anesthesia', '10004–69990 Surgery', '70010–79999 Radiology',
            '80047–89398 Pathology and Laboratory', '90281–99607 Medicine', 'CPT Category III (0042T–0964T)',
            'HCPCS Level II codes', 'A0021–A9999 Transport and supplies', 'E0100–E8002 Durable medical equipment',
            'J0120–J8499 Drugs administered other than oral',
            # inline breadcrumb, tab bar, AMA line, paywall overlay (also under otherwise empty headings)
            RE + r'^Code sets › ', 'Overview', 'Crosswalk', 'Modifiers', 'RVUs',
            'CPT® 2025 American Medical Association. All rights reserved.',
            'Subscribe to see the full description', 'Unlock all codes', 'Already a subscriber? Sign in',
            # sidebar, hidden view-limit modal, footer
            'Recently viewed', '99213 Office visit, established patient, low MDM', 'J3490 Unclassified drugs',
            '20610 Arthrocentesis, major joint', 'Advertisement',
            'Audit-proof your E/M coding. CodeFindr Pro flags missing modifiers before you submit.',
            'You have used your 3 free lookups this month',
            'Subscribe to see the full description, payer policies and RVUs for all 11,000+ codes.', 'See plans',
            'Maybe later', 'Company', 'About', 'Plans & pricing', 'Code API', 'Privacy',
            'Questions? help@codefindr.com',
            '© 2025 CodeFindr LLC. CPT® is a registered trademark of the American Medical Association.',
        ],
        glue=[],
    ),
    'evergreen': dict(
        boilerplate=[
            # cookie dialog, header with a glued nav-link row (convention 20), location bar
            'We use cookies and similar tools to improve your experience and for marketing. See our Privacy Notice.',
            'Accept', 'Decline', 'Evergreen Mutual', 'Find careEstimate costsPlansPharmacyHelp', 'Member login',
            'Showing prices for ZIP 30309 (Atlanta, GA)', 'Change',
            # estimator widget and member-login prompt (convention 33)
            'Estimate your cost', 'Pick your plan to see what you would pay.', 'ZIP code', 'Your plan',
            'Evergreen Silver PPO', 'Evergreen Gold HMO', 'Evergreen Bronze HSA', 'I don’t have Evergreen',
            'Get estimate',
            'Log in for an estimate based on your deductible and what you have already paid this year.',
            'Members see their real out-of-pocket cost.', 'Log in to see your cost',
            # sidebar (glued link row naming 99213/80053/G0121), disclaimer, footer
            'Popular estimates',
            'Office visit (99213) from $95Comprehensive metabolic panel (80053) from $18Screening colonoscopy '
            '(G0121) $0 in-network',
            'Estimates are based on claims paid by Evergreen Mutual in the past 12 months and are not a guarantee of '
            'payment or coverage. Your cost depends on your plan, deductible and the provider you choose.',
            'Evergreen Mutual Insurance Company is an independent licensee of the Evergreen Health Alliance.',
            'Customer service: 1-800-555-0144 (TTY 711), 8 a.m.–8 p.m. ET',
            'Privacy Notice | Terms of Use | Nondiscrimination | Accessibility', 'estimates@evergreenmutual.com',
            '© 2025 Evergreen Mutual Insurance Company',
        ],
        glue=[],
    ),
    'billrite': dict(
        boilerplate=[
            # logo token, menu, search prompt, inline breadcrumb, byline with read time
            'billrite-logo', 'Help Center Product Pricing Status Log in', 'Search articles, e.g. "modifier 59"',
            RE + r'^Help Center > ', RE + r'^Written by .+ · Updated .+ · \d+ min read$',
            # copyright line between sections, glued or standalone trial promos
            '© 2025 Billrite, Inc. All rights reserved.', 'Start your free Billrite trial',
            'Try Billrite Claims Scrubber free for 30 days',
            # feedback widget, related-articles list (names other codes), support line, footer
            'Was this article helpful? Yes No', RE + r'^\d+ out of \d+ found this helpful$', 'Related articles',
            '97110 vs 97530: which one to bill?', 'Modifier 59 and the X{EPSU} modifiers', 'The 8-minute rule explained',
            'Annual Wellness Visit: G0438 and G0439', 'Depression screening G0444', 'Modifier 25 on preventive visits',
            'Reading CARC and RARC codes', 'Corrected claims vs. appeals', 'Timely filing limits by payer',
            'Depression screening G0444 vs 96127', 'Well-child visit coding', 'Pathology specimen counting',
            'Modifier 26 vs TC', 'CLIA numbers on claims', 'Category III codes: how payers handle them',
            'ABN modifiers GA, GZ, GX', 'Unlisted codes 97039 and 97799',
            'Still need help? Contact support@billrite.io',
            'Billrite is HIPAA compliant and SOC 2 Type II certified.', 'Terms · Privacy · Security · Sitemap',
        ],
        glue=['Start your free Billrite trial', 'Try Billrite Claims Scrubber free for 30 days'],
    ),
    'mobilitydirect': dict(
        boilerplate=[
            # promo bar, cookie line, header, nav, account links, inline breadcrumb
            'Free shipping on orders over $49 · Use code SPRING15 for 15% off',
            'We use cookies to keep your cart and show relevant products.', 'OK', 'MobilityDirect',
            'Walkers Wheelchairs Braces & supports CPAP supplies Diabetic', 'Sign in Cart (0)', RE + r'^Home / ',
            # buy box (convention 35): SKU, price, stock, shipping, quantity, buttons
            RE + r'^SKU \d+$', RE + r'^\$[\d,]+\.\d\d$', 'In stock', 'Only 3 left', 'Free shipping',
            'Ships in 1–2 business days', 'Call for price', 'Insurance billing available', 'Qty', '1', '2', '3',
            'Add to cart', 'Add to wish list',
            # reviews, cross-sell cards (name other HCPCS codes), category listing, footer
            'Customer reviews', RE + r'^★+☆* .+ — \w+, verified buyer$', 'Customers also bought',
            'Walker glides, pair (A4636) $12.99', 'Walker tray $29.99',
            'Power wheelchair battery, group 24 (E2361) $189.00', 'Cup holder $14.99',
            'Thumb spica splint (L3809) $19.99', 'Elbow sleeve $17.99', 'Replacement cushion (A7031) $49.00',
            'CPAP tubing (A7037) $22.00',
            'Sort by: Most popular', '48 products', 'Hinged Knee Brace, Adjustable', 'OA Unloader Knee Brace',
            'Show more products',
            'Questions? Call 1-888-555-0172 · help@mobilitydirect.com',
            'MobilityDirect is an accredited DMEPOS supplier. We bill Medicare and most insurance plans for you.',
            '© 2025 MobilityDirect Medical Supply, Inc.',
        ],
        glue=[],
    ),
}

CF_NOTES = ("code-lookup reference (HTML + sidecar): cookie bar, free-trial banner, left nav tree of code ranges "
            "(00100–01999 … J0120–J8499, 0042T–0964T; ranges are not page codes), '›' breadcrumb, tab bar "
            "Overview | Crosswalk | Modifiers | RVUs (buttons, boilerplate), 'Code details' <dl> (each <dt>/<dd> content), "
            "AMA line, paywall overlay 'Subscribe to see the full description'; <dt> section headings in a second <dl>; "
            "modifier and RVU <table>s (RVU values like 6.47/2.11 are not codes); in-article related-codes table is "
            "content; 'Recently viewed' sidebar naming 99213/J3490/20610, hidden view-limit modal, footer")
EM_NOTES = ("health-insurer cost estimator (HTML + sidecar), React-style div soup with css-xxxx class names; cookie dialog, "
            "glued nav-link row, 'Showing prices for ZIP 30309' (zip code, not a code), 'Estimate your cost' widget with "
            "<select> plans and a login line, 'Log in to see your cost' prompt (boilerplate, convention 33); bold-div "
            "headings, a price <table> whose <th colspan=3> caption row is a heading, 'Network / Typical range / Average' "
            "cells content; FAQ as <button aria-expanded> + (hidden) answer divs under a role=heading 'Common questions'; "
            "sidebar link row naming 99213/80053/G0121; estimate disclaimer, phone, copyright")
BR_NOTES = ("billing-company knowledge base saved as text: logo token, menu, search prompt, '>' breadcrumb, byline with "
            "read time; numbered headings ('1. Overview', '2) Coding tips') keep their numbers; 'Heading:' lines; "
            "'- ' bullets; site copyright line between sections; trial promos glued to headings/sentences; footer "
            "'Was this article helpful? Yes No', 'N out of M found this helpful', related-articles list naming other "
            "codes, 'Still need help? Contact support@billrite.io'")
MD_NOTES = ("DME supplier catalog crawl (JSONL): promo bar with coupon, cookie line, nav, '/' breadcrumb, buy box "
            "(SKU, price, stock, shipping, Qty <select>, Add to cart) boilerplate; product description, specs as "
            "Key: value (model numbers are not codes) and 'Medicare & insurance' facts ('HCPCS code: …', "
            "'Medicare covered: Yes') are content; reviews and 'Customers also bought' cards naming other HCPCS codes "
            "are boilerplate (convention 35); a dataLayer script names A4636/E0156")

PAGES = {
    # ---------------------------------------------------------------- codefindr (.html + .meta.json)
    'codefindr/ulnar-nerve-transposition.html': dict(
        code='64718', code_system='CPT',
        headings=[('CPT 64718 – Neuroplasty and/or transposition; ulnar nerve at elbow', 'overview'),
                  ('Code details', 'billing'), ('Plain-English summary', 'lay_description'),
                  ('Full descriptor', 'official_description'), ('Coding tips', 'billing'), ('Documentation', 'billing'),
                  ('Modifier guidance', 'billing'), ('RVU breakdown', 'cost_coverage'), ('Payer policies', 'policies'),
                  ('Related codes', 'related_codes')],
        notes=CF_NOTES + "; title followed only by the tab bar -> empty; teaser descriptor above the paywall is "
              "content; 'Payer policies' holds only the paywall -> empty; 64727 in a tip and 64719/64721/64727 in the "
              "related table; modifiers RT/LT/50; global period '090'; $32.3465 conversion factor, about $440",
    ),
    'codefindr/aqueous-drainage-device.html': dict(
        code='0449T', code_system='CPT',
        headings=[('0449T – Insertion of aqueous drainage device, without extraocular reservoir, internal approach, '
                   'into the subconjunctival space; initial device', 'overview'),
                  ('Code details', 'billing'), ('Plain-English summary', 'lay_description'),
                  ('Full descriptor', 'official_description'), ('Coding tips', 'billing'), ('Documentation', 'billing'),
                  ('Crosswalk to ICD-10-CM', 'indications'), ('RVU breakdown', 'cost_coverage'),
                  ('Payer policies', 'policies'), ('Related codes', 'related_codes')],
        notes=CF_NOTES + "; Category III code (lowercase '0449t' in the URL); its own add-on 0450T and 66984/66183/0671T "
              "in content; <dt> heading 'Documentation' with an empty <dd> -> empty; 'Full descriptor' and "
              "'Payer policies' hold only the paywall -> empty; ICD-10-CM H40.1131/H40.1132; 'sunset January 2027'",
    ),
    'codefindr/breast-biopsy-clip-ultrasound.html': dict(
        code='19083', code_system='CPT',
        headings=[('Breast biopsy with placement of localization device, percutaneous; first lesion, including '
                   'ultrasound guidance', 'overview'),
                  ('Code details', 'billing'), ('Plain-English summary', 'lay_description'),
                  ('Full descriptor', 'official_description'), ('Coding tips', 'billing'),
                  ('Modifier guidance', 'billing'), ('RVU breakdown', 'cost_coverage'),
                  ('Frequently asked questions', 'faq'), ('Related codes', 'related_codes')],
        faq=[('Is the post-biopsy mammogram included?',
              'No. The clip-placement mammogram is reported separately with 77065 or 77066.'),
             ('Can I report the first-lesion code with 19084 on the same lesion?',
              'No. The add-on is only for a second, separate lesion.')],
        notes=CF_NOTES + "; the page code 19083 appears ONLY in the sidecar URL (/cpt/19083): no 'Code' row in the "
              "<dl>, not in <title>, h1 or body; visible text names 19084 (its add-on), 19081/19082/19085/19086, 76942, "
              "77065/77066; FAQ as <h3> + <p> (convention 2); modifier 26",
    ),
    'codefindr/lookup-88412.html': dict(
        code='43235', code_system='CPT',
        headings=[('Esophagogastroduodenoscopy, flexible, transoral; diagnostic', 'overview'),
                  ('Code details', 'billing'), ('Plain-English summary', 'lay_description'),
                  ('Full descriptor', 'official_description'), ('Coding tips', 'billing'),
                  ('Modifier guidance', 'billing'), ('RVU breakdown', 'cost_coverage'), ('Payer policies', 'policies'),
                  ('Related codes', 'related_codes')],
        notes=CF_NOTES + "; the page code appears ONLY as the <dd> of the 'Code' <dt> in the Code details <dl> (not in "
              "the URL '?id=88412', <title> or h1); the body says 'report 43239 instead' and names 99152; related "
              "43239/43236/43248; modifiers 52/53/PT; 'Full descriptor' and 'Payer policies' paywall-only -> empty",
    ),
    'codefindr/allergy-skin-prick-tests.html': dict(
        code='95004', code_system='CPT',
        headings=[('95004 – Percutaneous tests (scratch, puncture, prick) with allergenic extracts, immediate type '
                   'reaction', 'overview'),
                  ('Code details', 'billing'), ('Plain-English summary', 'lay_description'),
                  ('Full descriptor', 'official_description'), ('Coding tips', 'billing'), ('Documentation', 'billing'),
                  ('Modifier guidance', 'billing'), ('RVU breakdown', 'cost_coverage'),
                  ('Frequently asked questions', 'faq'), ('Related codes', 'related_codes')],
        faq=[('Does the physician need to read the test?',
              'The interpretation is included; a separate report line is not billed.'),
             ('How many units for a 40-allergen panel plus two controls?',
              'Up to 42 units, if the payer counts controls.')],
        notes=CF_NOTES + "; numbers that are not codes: RVU values 0.00/0.14/0.01/0.15, '2.11 units per minute', "
              "'80 units per year', '42 units', $4.85; 95024/95017/95165 in content; '15–20 minutes'; modifiers 25/59",
    ),
    'codefindr/carpal-tunnel-injection.html': dict(
        code='20526', code_system='CPT',
        headings=[('CPT 20526 – Injection, therapeutic (eg, local anesthetic, corticosteroid), carpal tunnel',
                   'overview'),
                  ('Code details', 'billing'), ('Plain-English summary', 'lay_description'),
                  ('Full descriptor', 'official_description'), ('Coding tips', 'billing'),
                  ('Payer notes', 'policies'), ('Modifier guidance', 'billing'), ('RVU breakdown', 'cost_coverage'),
                  ('Frequently asked questions', 'faq'), ('Related codes', 'related_codes')],
        faq=[('How often can the injection be repeated?', 'Most payers allow three per wrist in 12 months.')],
        notes=CF_NOTES + "; drug code J3301 and guidance 76942 in tips (not the page code); related 20550/64721/29848; "
              "RVU total '2.11' (not a code); bilateral indicator '1 (150% payment)'; "
              "<dt> 'Payer notes' with an empty <dd> -> empty; modifiers RT/LT/50/25",
    ),
    # ---------------------------------------------------------------- evergreen (.html + .meta.json)
    'evergreen/estimate-colonoscopy-polyp-removal.html': dict(
        code='45385', code_system='CPT',
        headings=[('Colonoscopy with polyp removal (snare technique)', 'overview'), ('What it is', 'lay_description'),
                  ('What you might pay', 'cost_coverage'), ('What’s included', 'cost_coverage'),
                  ('How long it takes', 'duration'), ('Billing notes', 'billing'), ('Common questions', 'faq')],
        faq=[('Why did I get a bill after a free screening?',
              'Removing a polyp changes the service from screening to therapeutic, and some plans then apply '
              'coinsurance.'),
             ('Is the pathology bill separate?',
              'Yes. The lab bills the tissue exam on its own claim, usually $90 to $180 per specimen.')],
        notes=EM_NOTES + "; 'Procedure code: CPT 45385' and 'Typical total cost: $1.2k–$2.5k' are Key: value content "
              "under the title; in/out-of-network ranges '$1,180 – $2,460'; anesthesia 00811/00812 and pathology 88305 "
              "in a list; modifiers PT/33; '30–60 minutes', '2 to 3 hours'; second FAQ answer hidden",
    ),
    'evergreen/estimate-shoulder-mri.html': dict(
        code='73221', code_system='CPT',
        headings=[('Shoulder MRI without contrast — CPT 73221', 'overview'), ('What it is', 'lay_description'),
                  ('What you might pay', 'cost_coverage'), ('Before your visit', 'preparation'),
                  ('How long it takes', 'duration'), ('Save money', 'cost_coverage'), ('Common questions', 'faq')],
        faq=[('Do I need a referral?',
              'Your doctor must order the MRI, and the imaging center gets the prior authorization.')],
        notes=EM_NOTES + "; the page code appears ONLY in the visible title div (not in the URL, <title> or body); "
              "'from $950', '$1.9k–$3.4k', '$410 – $780'; '30 to 45 minutes'; 'save $500 or more'",
    ),
    'evergreen/estimate-emergency-visit.html': dict(
        code=None, code_system=None,
        headings=[('Emergency room visit: moderate vs. high severity', 'overview'),
                  ('Two levels, two prices', 'other'),
                  ('Level 3 (99283) vs. level 4 (99284), in-network', 'cost_coverage'),
                  ('What decides the level', 'billing'), ('Other bills you may get', 'cost_coverage'),
                  ('Urgent care instead', 'alternatives'), ('Common questions', 'faq')],
        faq=[('Why was my visit billed at level 4?',
              'The hospital assigns the level from the care documented, not from how long you waited.'),
             ('Can I ask for an itemized bill?',
              'Yes. Call the hospital billing office and ask for an itemized statement with the CPT codes.')],
        notes=EM_NOTES + "; page compares two codes equally (99283 and 99284, both in a caption heading and a sentence) "
              "-> code null; unknown heading 'Two levels, two prices' -> other; '$600–$3,000', 'from $150', '$50' "
              "copay; visit levels 'from 1 to 5' are not codes",
    ),
    'evergreen/estimate-cataract-surgery.html': dict(
        code='66982', code_system='CPT',
        headings=[('Cataract surgery, complex', 'overview'), ('What it is', 'lay_description'),
                  ('What you might pay', 'cost_coverage'), ('What’s not included', 'cost_coverage'),
                  ('Recovery', 'recovery'), ('Ask your surgeon', 'other'), ('Common questions', 'faq')],
        faq=[('Why is complex surgery more expensive?',
              'It takes longer and uses extra devices, so the surgeon and the center are paid more.')],
        notes=EM_NOTES + "; the page code appears ONLY in a sentence ('Surgeons report it with CPT 66982; routine "
              "cataract surgery is 66984.'), which also names the sibling 66984; '$2.8k–$4.9k per eye', 'from $6,200', "
              "'90-day global period'; bold heading 'Ask your surgeon' over an empty div -> empty",
    ),
    'evergreen/estimate-home-sleep-test.html': dict(
        code='G0399', code_system='HCPCS',
        headings=[('Home sleep apnea test (HCPCS G0399)', 'overview'), ('What it is', 'lay_description'),
                  ('What you might pay', 'cost_coverage'), ('Who needs it', 'indications'),
                  ('How long it takes', 'duration'), ('Billing notes', 'billing'), ('Common questions', 'faq')],
        faq=[('Will I need a CPAP after the test?',
              'Only if the test shows obstructive sleep apnea; the CPAP is billed under a separate rental code.')],
        notes=EM_NOTES + "; HCPCS Level II page code; 95810 and 95806 in content; modifiers 26/TC; '6 hours or more', "
              "'5 to 7 business days'; '$150–$450'",
    ),
    # ---------------------------------------------------------------- billrite (.txt)
    'billrite/kb-4412.txt': dict(
        code='97530', code_system='CPT',
        headings=[('How to bill 97530 therapeutic activities', 'overview'), ('1. Overview', 'overview'),
                  ('2) Coding tips', 'billing'), ('Documentation checklist:', 'billing'), ('Common denials:', 'billing'),
                  ('Average payment:', 'cost_coverage')],
        notes=BR_NOTES + "; title followed only by the byline -> empty; glued 'Start your free Billrite trialCommon "
              "denials:' (promo + heading) and '…in 2025.Try Billrite Claims Scrubber free for 30 days' (sentence + "
              "promo); copyright line between sections; modifiers GP/GO/KX/59; 97150 and 97161-97163 in content; "
              "'$2,410 therapy threshold', CARC 'CO-97' (not a code); related articles name 97110",
    ),
    'billrite/kb-4419.txt': dict(
        code='G0442', code_system='HCPCS',
        headings=[('Billing alcohol misuse screening (HCPCS G0442)', 'overview'), ('1. Overview', 'overview'),
                  ('2. Who is eligible', 'indications'), ('3. Coding tips', 'billing'),
                  ('Place of service:', 'setting'), ('4. Common questions', 'faq')],
        faq=[('Can a nurse do the screening?', 'Yes, under direct supervision in the office, billed under the physician.'),
             ('Is G0442 payable with an Annual Wellness Visit?', 'Yes. It can be billed the same day as G0438 or G0439.')],
        notes=BR_NOTES + "; HCPCS G code; counseling code G0443 and AWV codes G0438/G0439 in content; places of service "
              "(11), (22), (72) are not codes; '5 to 15 minutes', 'once per 12 months'; FAQ questions as plain lines "
              "ending in '?'; standalone trial promo line at the end",
    ),
    'billrite/kb-4431.txt': dict(
        code=None, code_system=None,
        headings=[('How to write a first-level appeal letter', 'overview'), ('1. Overview', 'overview'),
                  ('2) Before you write', 'other'), ('What to include:', 'other'), ('3. Tracking', 'other'),
                  ('4. Templates', 'other')],
        notes=BR_NOTES + "; page naming no code (only the search prompt 'modifier 59' and the template) -> code null; "
              "numbered list items '1. Patient name…' under a 'Heading:' line are items, not headings; "
              "'60 to 180 days', 'after 30 days'; glued '…Denials tab.Start your free Billrite trial'; "
              "'4. Templates' has nothing under it but the footer -> empty",
    ),
    'billrite/kb-4457.txt': dict(
        code='96127', code_system='CPT',
        headings=[('96127: brief emotional and behavioral assessment', 'overview'), ('1. Overview', 'overview'),
                  ('2) Coding tips', 'billing'), ('Documentation:', 'billing'), ('3. Payment', 'cost_coverage'),
                  ('4. Related codes:', 'related_codes'), ('5. Common questions', 'faq')],
        faq=[('Can I bill 96127 for a PHQ-2?',
              'Only if the PHQ-2 is scored and documented like a full instrument; many payers do not accept it.')],
        notes=BR_NOTES + "; duplicated title line with the byline between the two copies (one heading, empty); "
              "'PHQ-9', 'GAD-7' are not codes; 96110 in content; modifiers 59/25; '4 units per visit'; "
              "'4. Related codes:' directly followed by the next heading -> empty",
    ),
    'billrite/kb-4460.txt': dict(
        code='88305', code_system='CPT',
        headings=[('Surgical pathology level IV (88305) with the 26 and TC modifiers', 'overview'),
                  ('1. Overview', 'overview'), ('2) Global, professional and technical', 'billing'),
                  ('Medicare 2025 rates:', 'cost_coverage'), ('3. Coding tips', 'billing')],
        notes=BR_NOTES + "; modifiers 26 and TC as list items; 88312/88313/88331/88304 in content; 'Medicare 2025 "
              "rates:' heading with a year; '$71', '$40', '$31'",
    ),
    'billrite/kb-4488.txt': dict(
        code='0552T', code_system='CPT',
        headings=[('Billing low-level laser therapy (0552T)', 'overview'), ('1. Overview', 'overview'),
                  ('2) Coverage', 'cost_coverage'), ('3. Coding tips', 'billing'), ('4. Common questions', 'faq')],
        faq=[('Is there a code for laser therapy done by an assistant?',
              'No. If a physician or qualified professional does not perform it, 0552T does not apply; some payers '
              'then accept 97039 unlisted.')],
        notes=BR_NOTES + "; Category III code; NCD number '270.6' (not a code); 97026/97039 in content; modifiers "
              "GA/GZ; glued 'Start your free Billrite trial4. Common questions' (promo + numbered heading); "
              "'15 to 20 minutes', '6 to 12 sessions', '$60 to $150 per session'",
    ),
}

JSONL = {
    'mobilitydirect/mobilitydirect_crawl_2025-05-14.jsonl': [
        dict(
            code='E0143', code_system='HCPCS',
            headings=[('Drive Folding Two-Button Walker with 5" Wheels', 'overview'),
                      ('Product description', 'lay_description'), ('Specifications', 'other'),
                      ('Medicare & insurance', 'cost_coverage')],
            notes=MD_NOTES + "; html record; title followed only by the buy box -> empty; 'SKU 48213' (also in the "
                  "URL) and 'Model: 10210' (five digits) are not codes; 'HCPCS code: E0143', 'Medicare covered: Yes' "
                  "are Key: value content; modifier NU; '350 lb', '32 to 39 inches'",
        ),
        dict(
            code='K0823', code_system='HCPCS',
            headings=[("Pride Jazzy Group 2 Power Wheelchair, Captain's Seat", 'overview'),
                      ('Product description', 'lay_description'), ('Specifications', 'other'),
                      ('Medicare & insurance', 'cost_coverage'), ('Questions about this product', 'faq')],
            faq=[('Do I have to rent it?',
                  'Medicare pays Group 2 power chairs as capped rentals; after 13 months of rental you own the chair.'),
                 ('How long does approval take?', 'Usually 2 to 4 weeks, once we have the order and the chart notes.')],
            notes=MD_NOTES + "; text record (innerText, '- ' bullets, specs as 'Key: value' lines); 'SKU 51870', "
                  "'Model: J6-2023', 'group 24' are not codes; rental modifiers RR/KH/KI/KJ/KX; supplier Q&A is FAQ "
                  "content (convention 35); cross-sell card names E2361",
        ),
        dict(
            code='L3908', code_system='HCPCS',
            headings=[('Cock-Up Wrist Brace, Prefabricated, Off-the-Shelf', 'overview'),
                      ('Product description', 'lay_description'), ('Specifications', 'other'),
                      ('Medicare & insurance', 'cost_coverage'), ('Sizing', 'other')],
            notes=MD_NOTES + "; html record; the page code appears ONLY in the spec line 'HCPCS: L3908' (not in the "
                  "URL, <title> or h1); 'Model: 79-87414', 'SKU 48877' are not codes; cross-sell card names L3809; "
                  "modifiers RT/LT; 'Only 3 left'",
        ),
        dict(
            code='A7030', code_system='HCPCS',
            headings=[('AirFit Full Face CPAP Mask with Headgear', 'overview'),
                      ('Product description', 'lay_description'), ('Replacement schedule', 'policies'),
                      ('Specifications', 'other'), ('Medicare & insurance', 'cost_coverage')],
            notes=MD_NOTES + "; html record; the cushion A7031 and headgear A7035 appear in the replacement-schedule "
                  "content (frequency limits) and A7031/A7037 in cross-sell cards, not the page code; 'Model: 63103' "
                  "(five digits) and 'SKU 50322' are not codes; modifier KX; '1 per 3 months'",
        ),
        dict(
            code=None, code_system=None,
            headings=[('Knee Braces', 'overview'), ('Which brace is billed how', 'billing'),
                      ('Getting Medicare to pay', 'policies')],
            notes=MD_NOTES + "; text record of a category page that names three codes equally (L1833, L1820, L1851) "
                  "-> code null; product listing (names, SKUs, prices, Add to cart, 'Sort by', '48 products') is "
                  "boilerplate; URL query '?sort=popular&page=1'; modifiers KX/RT/LT",
        ),
    ],
}


if __name__ == '__main__':
    from labelmaker import write_labels  # tests/labelmaker.py: the machinery all the sets share

    write_labels(HERE, SITE, PAGES, JSONL, sys.argv[1:])
