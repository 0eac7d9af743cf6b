#!/usr/bin/env python3
"""Writes the held-out labels (`<page>.labels.json`) from the annotations below.

The annotations are the labelling decisions, made by hand while reading each page:
the page's code, its headings and their canonical sections, the boilerplate strings
(per site and per page), the strings glued to a neighbour, the FAQ pairs and the notes.
Every other visible line or block of the page is content; item counts and `empty` flags
are derived the way check_labels.py derives them. Run it after editing a page, then run
check_labels.py. Standard library only.

    python3 tests/heldout/make_labels.py [--show]     # --show prints every line with its label
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/: check_labels.py, labelmaker.py
import check_labels as ck  # noqa: E402  (same decoding, block splitting and bullet rule)

RE = 're:'   # prefix for a regular-expression boilerplate pattern

# --------------------------------------------------------------------------- sites
SITE = {
    'payorpath': dict(
        boilerplate=[
            # sticky header, saved as text, and its compact clone captured mid-page
            'PAYORPATH', 'Search codes, modifiers and payer rules',
            'Code Lookup · Modifiers · Payer Rules · Webinars · Log in', 'Get PayorPath Pro',
            'PayorPath · Search · Log in · Get Pro',
            RE + r'^You are here: Home / ', RE + r'^Updated .* by the PayorPath coding team$',
            'Save to My Codes | Print | Share',
            'CPT® 2024 American Medical Association. All rights reserved.',
            # chat widget promo and launcher
            'Stuck on a denial?', 'Chat with a certified coder now - average reply in 2 minutes.', 'Start chat',
            'Chat with a coder', 'Need help? Chat with a certified coder', 'We typically reply in under 2 minutes.',
            # mega-footer
            'Back to top', 'PRODUCT', 'Code Lookup', 'Modifier Finder', 'NCCI Edit Checker', 'Fee Schedule Calculator',
            'Pricing', 'CODE SETS', 'CPT', 'HCPCS Level II', 'ICD-10-CM', 'ICD-10-PCS',
            'Most viewed: 99213 · 99214 · G2211 · 97110', 'RESOURCES', 'Blog', 'Webinars', '2025 Coding Calendar',
            'Denial Code Library', 'Help Center', 'COMPANY', 'About PayorPath', 'Careers', 'Press', 'Contact', 'LEGAL',
            'Privacy Policy', 'Terms of Use', 'Accessibility', 'Do Not Sell or Share My Personal Information',
            'Cookie Settings', 'support@payorpath.io',
            'PayorPath, Inc. · 1200 Harbor Blvd, Suite 400 · Oakland, CA 94607',
            '© 2025 PayorPath, Inc. All rights reserved.',
            'CPT® is a registered trademark of the American Medical Association.',
        ],
        glue=['Chat with a coder'],
    ),
    'codexa': dict(
        boilerplate=[
            'Codexa', 'Code search', 'Modifiers', 'RVU calculator', 'Pricing', 'Sign in', 'Start free trial',
            RE + r'^Codes / .* / \w+$', 'Copy code', 'Save', 'Share', 'Updated',
            'Was this code helpful?', '👍', '👎', 'Thanks for the feedback!',
            'Try Codexa Pro free', 'Trending this week', '99213', 'G2211',
            'Related codes', '‹', '›',
            'Product', 'Code lookup', 'Codexa API', 'Changelog', 'Company', 'About', 'Blog', 'Careers', 'Legal',
            'Privacy', 'Terms', 'Cookie preferences', 'Stay in the loop', 'Monthly coding updates, no spam.',
            'Subscribe',
            '© 2025 Codexa Labs, Inc. CPT® is a registered trademark of the American Medical Association.',
            'hello@codexa.dev', 'Loading your privacy choices…', 'Privacy choices',
        ],
        glue=['Updated'],
    ),
    'medbillcentral': dict(
        boilerplate=[
            'The Medical Billing Resource Since 1998',
            'Home | CPT Codes | HCPCS Codes | Message Board | Links | Contact Us',
            'CODE LOOKUP', 'E&M Codes', 'Surgery Codes', 'Radiology Codes', 'Lab Codes', 'HCPCS Level II',
            'POPULAR PAGES', '99213 Office Visit', '99214 Office Visit', 'G0008 Flu Shot Admin',
            'FREE NEWSLETTER', 'Enter your e-mail:', 'Visitors since 1998:', '1,204,773',
            'Printer-friendly version | E-mail this page to a friend',
            'CPT codes and descriptions only are copyright 2024 American Medical Association. All rights reserved.',
            'ADVERTISEMENT', 'Medical Billing Software - FREE 30 Day Trial! Click Here',
            'NEW! 2025 Coding Seminars - Register Today',
            'Back to Top | Printer-friendly version | E-mail this page to a friend',
            'Copyright © 1998-2025 MedBill Central. All Rights Reserved.',
            'Privacy Policy | Disclaimer | Advertise With Us', 'webmaster@medbillcentral.com',
            'Best viewed with Internet Explorer 6.0 or higher at 800x600', RE + r'^Last updated: \d\d/\d\d/\d{4}$',
            '[ Prev | Medical Billing WebRing | Next ]',
        ],
        glue=['NEW! 2025 Coding Seminars - Register Today'],
    ),
    'coderscircle': dict(
        boilerplate=[
            'Coders Circle', 'Home · Questions · Tags · Badges · Ask a Question', 'Log in', 'Sign up',
            RE + r'^Asked \w{3} \d', RE + r'^\d+$', 'votes', RE + r'^Posted by \w+$', RE + r'^Tags: ',
            'Share · Follow · Flag', 'Add a comment', RE + r'^\d+ Answers$', 'Sorted by: Highest score (default)',
            'Accepted answer', 'Answer', RE + r'^answered \w{3} \d+, \d{4} by ', RE + r'^-- ', 'Reply',
            'Your Answer', 'Post Your Answer', 'Related questions', 'Hot this week',
            'Is G2211 billable with telehealth visits?', 'Modifier 25 on 99213 with a joint injection (20610)?',
            'Coders Circle is an independent community. Answers are user contributions, not official coding advice.',
            'About · Privacy · Terms · Contact the moderators', 'mods@coderscircle.org',
            '© 2025 Coders Circle · content licensed under CC BY-SA 4.0',
        ],
        glue=[],
    ),
}

# --------------------------------------------------------------------------- pages
PP_SIMILAR = ('SIMILAR CODES', 'related_codes')
PAGES = {
    # ---------------------------------------------------------------- payorpath (.txt)
    'payorpath/payorpath_3f9a2c.txt': dict(
        code='20552', code_system='CPT',
        headings=[('CPT 20552: TRIGGER POINT INJECTION, 1 OR 2 MUSCLES', 'overview'),
                  ('OFFICIAL DESCRIPTOR', 'official_description'), ('In plain English:', 'lay_description'),
                  ('WHEN TO REPORT', 'indications'), ("HOW IT'S PERFORMED", 'procedure'), ('TYPICAL TIME:', 'duration'),
                  ('CODING TIPS', 'billing'), ('MODIFIERS:', 'billing'), ('RVUs AND PAYMENT', 'cost_coverage'),
                  ('FROM THE HELP DESK', 'other'), PP_SIMILAR, ('SOURCES', 'references')],
        notes="ALL-CAPS and colon headings; 'o ', '> ' and '(1)' bullets; sticky header at the top and its compact "
              "clone mid-page; AMA copyright between two sections; chat launcher glued to a heading "
              "('Chat with a coderCODING TIPS'); ALL-CAPS mega-footer column titles (PRODUCT, CODE SETS, LEGAL) are "
              "boilerplate; 20553/J3301/76942 in content and 99213/99214/G2211/97110 in the footer; unknown heading "
              "'FROM THE HELP DESK' -> other; empty 'SOURCES'; title followed by byline then a heading -> empty",
    ),
    'payorpath/payorpath_a81d07.txt': dict(
        code='96372', code_system='CPT',
        headings=[('CPT 96372 – THERAPEUTIC, PROPHYLACTIC OR DIAGNOSTIC INJECTION (SC/IM)', 'overview'),
                  ('OFFICIAL DESCRIPTOR', 'official_description'), ('In plain English:', 'lay_description'),
                  ('WHO MAY GIVE THE INJECTION:', 'personnel'), ('WHEN TO REPORT', 'indications'),
                  ('BILLING RULES:', 'billing'), ('RISKS:', 'complications'), ('RVUs AND PAYMENT', 'cost_coverage'),
                  ('DID YOU KNOW?', 'other'), ('SIMILAR CODES:', 'related_codes'), ('SOURCES', 'references')],
        notes="Windows-1252 with CRLF line ends (– ’ ® · as cp1252 bytes); standalone chat launcher 'Chat with a coder' "
              "between sections; drug codes J1885/J3420 and 99211/90471 in content; unknown heading 'DID YOU KNOW?' -> "
              "other; '(1)' numbered rules; SOURCES has items on this page",
    ),
    'payorpath/payorpath_c44e91.txt': dict(
        code='G0444', code_system='HCPCS',
        headings=[('HCPCS G0444: ANNUAL DEPRESSION SCREENING, 5 TO 15 MINUTES', 'overview'),
                  ('LONG DESCRIPTION:', 'official_description'), ('ELIGIBILITY', 'indications'),
                  ('SCREENING TOOLS:', 'tools_equipment'), ('WHERE IT IS COVERED:', 'setting'),
                  ('CODING TIPS', 'billing'), ('MEDICARE PAYMENT', 'cost_coverage'), ('Payer policies:', 'policies'),
                  PP_SIMILAR, ('SOURCES', 'references')],
        notes="HCPCS G code; G0402/G0438/G0439/G0442 and 96127 named in content (still about G0444); glued "
              "'Chat with a coderMEDICARE PAYMENT'; mixed-case colon heading 'Payer policies:'; empty 'SOURCES'",
    ),
    'payorpath/payorpath_0b27d5.txt': dict(
        code='0422T', code_system='CPT',
        headings=[('CPT 0422T: TACTILE BREAST IMAGING', 'overview'),
                  ('OFFICIAL DESCRIPTOR', 'official_description'), ('In plain English:', 'lay_description'),
                  ('CLINICAL USES:', 'indications'), ("HOW IT'S PERFORMED", 'procedure'), ('CODING TIPS', 'billing'),
                  ('Payer policies:', 'policies'), ('COVERAGE:', 'cost_coverage'), ('FROM THE HELP DESK', 'other'),
                  PP_SIMILAR, ('SOURCES', 'references')],
        notes="Category III code; 'Payer policies:' is empty (only the chat promo under it); modifier GA; "
              "77065/76641 in the related list; unknown heading 'FROM THE HELP DESK' -> other",
    ),
    'payorpath/payorpath_e6f310.txt': dict(
        code='36415', code_system='CPT',
        headings=[('CPT 36415: ROUTINE VENIPUNCTURE', 'overview'),
                  ('OFFICIAL DESCRIPTOR', 'official_description'), ('In plain English:', 'lay_description'),
                  ('WHEN TO REPORT', 'indications'), ('CODING TIPS', 'billing'), ('TYPICAL TIME:', 'duration'),
                  ('RVUs AND PAYMENT', 'cost_coverage'), PP_SIMILAR, ('SOURCES', 'references')],
        notes="duplicated title line; glued 'Chat with a coderSIMILAR CODES'; 36416/36591 named; sidecar meta.json "
              "with URL; empty 'SOURCES'",
    ),
    # ---------------------------------------------------------------- codexa (.html, JS-framework divs)
    'codexa/ecg-12-lead-interpretation.html': dict(
        code='93000', code_system='CPT',
        headings=[('CPT 93000: Electrocardiogram, complete', 'overview'), ('Code descriptor', 'official_description'),
                  ('What it means', 'lay_description'), ('Medical necessity', 'indications'),
                  ('Service components', 'procedure'), ('Billing rules', 'billing'),
                  ('Medicare payment', 'cost_coverage'), ('Code family', 'related_codes'),
                  ('Frequently asked', 'faq'), ('Sources', 'references')],
        boilerplate=['Catch ECG bundling edits', 'Codexa Pro checks NCCI pairs like 93000 + 93010 before you submit.',
                     '93306', '93005', 'Electrocardiogram, tracing only', '93010',
                     'Electrocardiogram, interpretation and report only', '93040', 'Rhythm ECG, 1-3 leads'],
        faq=[('Can 93000 be billed with an E/M visit on the same day?',
              'Yes. Append modifier 25 to the E/M only when it is significant and separately identifiable.'),
             ('Does a rhythm strip count as a 12-lead ECG?',
              'No. A rhythm strip of 1 to 3 leads is reported with 93040 to 93042.')],
        notes="div-only layout with utility classes; headings are <div role=heading aria-level>; div lists "
              "(role=list/listitem) and numbered step circles; badge glued after a heading ('Billing rulesUpdated'); "
              "accordion FAQ (<button aria-expanded> + answer <div>, later answers `hidden` but in the DOM); "
              "helpful widget with emoji buttons; carousel 'Related codes' (chrome, boilerplate) vs in-article "
              "'Code family' (content); consent iframe placeholder; __NEXT_DATA__ script names 93005/93010/99213/G2211; "
              "empty 'Sources'",
    ),
    'codexa/ketorolac-injection-15mg.html': dict(
        code='J1885', code_system='HCPCS',
        headings=[('HCPCS J1885: Injection, ketorolac tromethamine, per 15 mg', 'overview'),
                  ('Code descriptor', 'official_description'), ('Plain-language summary', 'lay_description'),
                  ('Billing units', 'billing'), ('Adverse effects', 'complications'), ('Pharmacist’s note', 'other'),
                  ('Coverage', 'cost_coverage'), ('Questions coders ask', 'faq'), ('Sources', 'references')],
        boilerplate=['Never miss a drug unit again',
                     'Codexa Pro converts doses to HCPCS units for J1885, J3301 and 900+ other drug codes.', 'J3301',
                     '96372', 'Therapeutic injection, SC or IM', '96374', 'Therapeutic injection, IV push', 'J1100',
                     'Dexamethasone sodium phosphate, 1 mg'],
        faq=[('Can I bill J1885 for oral ketorolac tablets?',
              'No. J1885 is for the injectable form only; oral tablets are not billed with a J code.'),
             ('Is modifier JZ required?',
              'JZ applies to single-dose containers with no discarded amount; ketorolac vials are usually '
              'single-dose, so many Medicare contractors expect it.')],
        notes="HCPCS drug code (lowercase in the sidecar URL); title directly followed by a heading -> empty; glued "
              "badge 'Billing unitsUpdated'; unknown heading 'Pharmacist’s note' -> other; sidebar promo names the "
              "page code and J3301; carousel names 96372/96374/J1100; administration codes 96372/96374 also in content",
    ),
    'codexa/bmi-documented-category-ii.html': dict(
        code='3008F', code_system='CPT',
        headings=[('CPT 3008F: Body Mass Index (BMI), documented', 'overview'),
                  ('Code descriptor', 'official_description'), ('What it means', 'lay_description'),
                  ('Quality measures', 'other'), ('Billing rules', 'billing'), ('Payment', 'cost_coverage'),
                  ('Sources', 'references')],
        boilerplate=['Close your quality gaps', 'Codexa Pro suggests the Category II codes your visit already supports.',
                     '3044F', 'Most recent hemoglobin A1c level less than 7.0%', '3074F',
                     'Most recent systolic blood pressure less than 130 mm Hg', 'G8417',
                     'BMI documented above normal with follow-up plan'],
        notes="Category II code; short page with no FAQ; 'Quality measures' -> other; Category II codes 3044F/3074F and "
              "G8417 only in the sidebar/carousel; no badge on this page; empty 'Sources'; title empty",
    ),
    'codexa/attended-polysomnography.html': dict(
        code='95810', code_system='CPT',
        headings=[('CPT 95810: Polysomnography, attended, 4 or more parameters', 'overview'),
                  ('Code descriptor', 'official_description'), ('Layperson summary', 'lay_description'),
                  ('Indications', 'indications'), ('Before the study', 'preparation'),
                  ('What happens during the study', 'procedure'), ('How long it takes', 'duration'),
                  ('Place of service', 'setting'), ('Billing rules', 'billing'), ('Medicare payment', 'cost_coverage'),
                  ('Code family', 'related_codes'), ('Frequently asked', 'faq'), ('Sources', 'references')],
        boilerplate=['Sleep lab billing, simplified',
                     'Codexa Pro splits global sleep codes into 26 and TC lines automatically.', '95811',
                     'Polysomnography with CPAP titration', '95806', 'Sleep study, unattended', '95805',
                     'Multiple sleep latency test'],
        faq=[('Can 95810 and 95811 be billed for the same night?', 'No. A split-night study is reported with 95811 only.'),
             ('Is prior authorization required?',
              'Most commercial plans require it for in-lab studies; Medicare does not.')],
        notes="longest codexa page; div-grid modifier table (role=table/row/cell: cells are content, not items); "
              "'Billing rulesUpdated' glued badge; 95811/95806/95782 in content and 95811/95806/95805 in the carousel; "
              "'Sources' has items here",
    ),
    'codexa/urinalysis-dipstick-non-automated.html': dict(
        code='81002', code_system='CPT',
        headings=[('CPT 81002: Urinalysis by dip stick, non-automated, without microscopy', 'overview'),
                  ('Code descriptor', 'official_description'), ('What it means', 'lay_description'),
                  ('When to use it', 'indications'), ('Billing rules', 'billing'), ('Lab corner', 'other'),
                  ('Medicare payment', 'cost_coverage'), ('Code family', 'related_codes'),
                  ('Frequently asked', 'faq'), ('Sources', 'references')],
        boilerplate=['CLIA numbers on every claim', 'Codexa Pro adds your CLIA certificate to lab lines automatically.',
                     '81003', '81000', 'Urinalysis with microscopy', 'Urinalysis, automated, without microscopy',
                     '81025', 'Urine pregnancy test'],
        faq=[('Can 81002 be billed with a preventive visit?',
              'Yes, when the test is ordered and documented; many commercial plans include it in the preventive '
              'allowance.'),
             ('Is a urine culture included?', 'No. A culture is a separate test, 87086.')],
        notes="unknown heading 'Lab corner' -> other; breadcrumb with an &amp; entity; 81003/81025/87086 in content; "
              "no badge; empty 'Sources'; title empty",
    ),
    # ---------------------------------------------------------------- medbillcentral (old table layout)
    'medbillcentral/smoking_cessation.htm': dict(
        code=None, code_system=None,
        headings=[('Smoking Cessation Counseling: CPT 99406 & 99407', 'overview'),
                  ('Code Descriptions', 'official_description'), ('Choosing the Right Code', 'billing'),
                  ('Documentation Tips', 'billing'), ('Medicare Coverage', 'cost_coverage'), ('Fees', 'cost_coverage'),
                  ('Other Codes You May Need', 'related_codes'), ('Webmaster’s Note', 'other')],
        notes="page about two codes equally (99406 and 99407) -> code null; table layout with left nav column, "
              "visitor counter, 'Printer-friendly version | E-mail this page to a friend', web ring; <b> headings and "
              "<br> lines; bold inline labels ('Section: ...') are content, not headings; &#149; bullets and an <ul>; "
              "AMA copyright between sections; ad box between sections; seminar promo glued to the end of a sentence; "
              "&#146; apostrophe in a heading; 99213/99214/G0008 in the left nav and the keywords meta; "
              "'Webmaster’s Note' -> other",
    ),
    'medbillcentral/cpt_nail_debridement.htm': dict(
        code='11721', code_system='CPT',
        headings=[('CPT 11721 - Debridement of Nail(s), 6 or More', 'overview'), ('Description', 'official_description'),
                  ('Explanation for Patients', 'lay_description'), ('Indications for Service', 'indications'),
                  ('Modifiers', 'billing'), ('Billing Tips', 'billing'), ('Coverage Limits', 'policies'),
                  ('Medicare Fee', 'cost_coverage'), ('Other Codes You May Need', 'related_codes'),
                  ('Webmaster’s Note', 'other')],
        notes="'Code: 11721' fact line under the title; Q7/Q8/Q9/GW modifiers in an <ul>; '1.' tips as <br> lines with "
              "the seminar promo glued to the last one; 11720/11719/G0127/11055 named; 'Webmaster’s Note' is empty "
              "(only the ad box under it)",
    ),
    'medbillcentral/hcpcs_ambulance_bls_emerg.htm.gz': dict(
        code='A0429', code_system='HCPCS',
        headings=[('HCPCS A0429 - Ambulance Service, Basic Life Support, Emergency (BLS-Emergency)', 'overview'),
                  ('Description', 'official_description'), ('Indications for Service', 'indications'),
                  ('Crew Requirements', 'personnel'), ('Required Modifiers', 'billing'), ('Mileage', 'billing'),
                  ('Patient Handout', 'other'), ('Medicare Fee', 'cost_coverage'),
                  ('Other Codes You May Need', 'related_codes')],
        notes="gzip-compressed .htm with a sidecar .htm.gz.meta.json; HCPCS ambulance code on a page that still prints "
              "the AMA CPT copyright line (template); origin/destination modifiers RH/SH/NH and QM/QN; A0425/A0427/"
              "A0428 in content; empty 'Patient Handout' (other); promo glued after the fee sentence",
    ),
    'medbillcentral/cpt_wart_destruction.htm': dict(
        code='17110', code_system='CPT',
        headings=[('CPT 17110 - Destruction of Benign Lesions (e.g. Warts), Up to 14', 'overview'),
                  ('Description', 'official_description'), ('Explanation for Patients', 'lay_description'),
                  ('Indications for Service', 'indications'), ('Destruction Methods', 'procedure'),
                  ('Anesthesia', 'anesthesia'), ('Billing Tips', 'billing'), ('Healing Time', 'recovery'),
                  ('Medicare Fee', 'cost_coverage'), ('Q & A', 'faq'), ('Other Codes You May Need', 'related_codes')],
        faq=[('Can 17110 be billed again at the next visit for the same warts?',
              'Yes, each treatment session is billed, but a visit inside the 10-day global period may need '
              'modifier 58 or 79.'),
             ('Are skin tags included?', 'No. Skin tag removal is 11200, even when destroyed the same way.')],
        notes="promo glued to the end of the first numbered tip; FAQ questions in <i> with <br> answers; 'Q &amp; A' "
              "entity in a heading; 17111/17000/11200 named; 10-day global period",
    ),
}

# coderscircle: one labels object per JSONL line
CC = 'coderscircle/coderscircle_crawl_2025-03-18.jsonl'
CC_LINES = [
    dict(
        code='97140', code_system='CPT',
        headings=[('Do I need modifier 59 on 97140 when it is billed with a chiropractic adjustment (98941)?', 'overview'),
                  ('The descriptor', 'official_description'), ('When 59 (or XS) is appropriate', 'billing'),
                  ('What to document', 'billing'), ('Payer quirks', 'policies')],
        boilerplate=['This fixed our denials, thank you! – mtrevino_dc', 'Same problem here, following this thread.',
                     'Can 97140 and 97530 be billed together?', 'How many units of 97110 for 38 minutes?',
                     'XS vs 59 for commercial payers'],
        notes="Q&A forum text record; question body and answers are content, forum chrome (votes, 'Accepted answer', "
              "'Answer', 'answered ... by', 'Reply', signatures, thank-you/'following' comments) is boilerplate; "
              "98941/98940-98942 named in the question and answer; related questions name 97530/97110",
    ),
    dict(
        code=None, code_system=None,
        headings=[('Timely filing denial (CO-29): how do I appeal it?', 'overview'),
                  ('Proof of timely filing', 'other'), ('Appeal steps', 'other'), ('Filing limits to know', 'policies')],
        boilerplate=['Great list, saving this. – frontdesk_fran', 'Corrected claim vs new claim for a wrong modifier?',
                     'Can 97140 and 97530 be billed together?', 'Does CO-16 count toward timely filing?'],
        notes="page naming no code (CO-29 / CO-16 are claim adjustment reason codes, 999/277CA are transaction "
              "sets) -> code null; codes only in the related/hot question lists; two unknown headings -> other",
    ),
    dict(
        code='G2211', code_system='HCPCS',
        headings=[('Can G2211 be added to a new patient visit (99204)?', 'overview'),
                  ('Descriptor', 'official_description'), ('When it applies', 'indications'),
                  ('The modifier 25 rule', 'billing'), ('What it pays', 'cost_coverage')],
        boilerplate=['Does G2211 apply to telehealth visits?', 'Is G2211 billable by specialists?',
                     'Modifier 25 with 99213 and 20610?'],
        notes="HCPCS add-on code; E/M codes 99202-99205/99211-99215 and 99204 named in the title and body; "
              "'answered ... (edited ...)' line; second answer by the asker",
    ),
    dict(
        code='69210', code_system='CPT',
        headings=[('Does 69210 need modifier 50 when both ears are cleared?', 'overview'),
                  ('Current descriptor', 'official_description'), ('When it counts as impacted', 'indications'),
                  ('Billing it', 'billing'), ('If you irrigate instead', 'related_codes')],
        boilerplate=['Thanks both, that settles it. – ent_coder_kim', '69210 with 92557 on the same day?',
                     'Is cerumen removal by a nurse billable?', 'Modifier 50 vs RT/LT for commercial payers'],
        notes="duplicated title line; bilateral modifier 50 vs RT/LT; 69209 and G0268 named in the second answer "
              "('If you irrigate instead' -> related_codes)",
    ),
]


if __name__ == '__main__':
    from labelmaker import write_labels  # tests/labelmaker.py: the machinery all the sets share

    write_labels(HERE, SITE, PAGES, {CC: CC_LINES}, sys.argv[1:])
