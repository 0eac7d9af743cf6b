#!/usr/bin/env python3
"""Writes the heldout3 labels (`<page>.labels.json`) from the annotations below.

Same method as tests/heldout2/make_labels.py. The annotations are the labelling decisions,
made by hand while writing and reading each page: the page's code, its headings and their
canonical sections, the boilerplate strings (per site and per page), the strings glued to a
neighbour, the FAQ pairs and the notes. Every other visible line or block of the page is
content; item counts and `empty` flags are derived the way tests/check_labels.py derives
them. Run it after editing a page, then run the checker. Standard library only.

    python3 tests/heldout3/make_labels.py [--show]     # --show prints every line with its label
    python3 tests/check_labels.py --root tests/heldout3
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
    'maplehollow': dict(
        boilerplate=[
            # HIPAA/cookie banner, call bar
            'We use cookies to improve this site. We never collect protected health information (PHI) through '
            'cookies or web forms. Read our HIPAA Notice of Privacy Practices.', 'Got it',
            'Call us: (608) 555-0187', 'Mon–Fri 6:30 a.m. – 5:00 p.m.', 'Patient portal', 'Request an appointment',
            # nav, language toggle, <li> breadcrumbs (one string per item), reviewer line
            'Home', 'Our Physicians', 'Procedures', 'Patient Education', 'Pay Your Bill', 'Locations',
            'English | Español',
            'Facet Joint Injection', 'Epidural Steroid Injection', 'Radiofrequency Ablation',
            'Colonoscopy / Colonoscopia', 'Rotator Cuff Repair', 'Surgery Day',
            RE + r'^Reviewed by .+ · Updated \w+ \d+, \d{4}$',
            # testimonials (convention 27), insurance-logo strip (the logos are <img alt>, not labelled)
            'What our patients say',
            '“Everyone from the front desk to the recovery nurses made me feel safe. I was home by lunch.”',
            '— Linda R., Verona',
            '“Dr. Okafor explained every step. Best experience I’ve had with a procedure.”', '— Marcus T., Madison',
            '★★★★★ 4.9 average from 1,218 Google reviews', 'Read more reviews',
            'Insurance we accept', 'Don’t see your plan? Call our billing office at (608) 555-0193.',
            # appointment widget (sidebar), map embed text, footer, hidden chat bubble
            'Book online', 'Pick a time that works for you. New patients need a referral for pain procedures.',
            'Reason for visit', 'Back or neck pain', 'Joint pain', 'Colonoscopy or endoscopy', 'Other',
            'Check availability',
            'Map data ©2025 Google', 'View larger map', '4410 Orchard Ridge Dr, Suite 200, Fitchburg, WI 53711',
            'Get directions',
            'Maple Hollow Surgery & Pain Center is an ambulatory surgery center accredited by AAAHC. '
            'Group NPI 1578239406.',
            'Notice of Privacy Practices | Nondiscrimination | Price Transparency',
            '© 2025 Maple Hollow Surgery & Pain Center, LLC. All rights reserved.',
            'frontdesk@maplehollowsurgery.com', 'Hi! Need help booking?', 'Start chat',
        ],
        glue=['Request an appointment'],
    ),
    'coderise': dict(
        boilerplate=[
            # countdown bar, header, kicker, byline
            'Summer CPC cohort starts August 4 · Enroll by July 31 and save $200', '03 days 14 hrs 22 min',
            'Claim my seat', 'Courses', 'CPC Exam Prep', 'CCS Prep', 'Free Resources', 'Code of the Week',
            'Log in Start learning',
            RE + r'^By .+ · \w+ \d+, 2025 · Code of the Week #\d+$',
            # AMA line under the descriptor, between two content sections
            'CPT® 2025 American Medical Association. All rights reserved.',
            # course upsell box, the enroll link glued to the end of a sentence (convention 4)
            'Master modifiers, add-ons and E/M in 8 weeks',
            'Our CPC Exam Prep course includes 1,200 practice questions, live Q&A twice a week and a pass guarantee.',
            'Enroll by July 31 and save $200', 'Enroll now', 'Practice this in our CPC Exam Prep course →',
            # quiz widget (convention 23: its question, options and hidden answer are per page, see PAGES)
            'Pop quiz', 'Check my answer', 'Want 20 more questions like this? Take the free practice exam',
            # tags, pagination (two <a> with no whitespace: one string), comments (convention 23)
            'Filed under: CPC, Code of the Week', RE + r'^« Week \d+Week \d+ »$',
            RE + r'^\d+ Comments$', RE + r'^[A-Z][\w.\- ]+ · \w+ \d+, 2025 at \d+:\d\d [ap]m$', 'Reply',
            'Leave a comment', 'Your email address will not be published. Required fields are marked *',
            'Post comment',
            # sidebar, footer
            'Popular codes of the week', '99214: the workhorse E/M', '20610: big-joint injections',
            'J3301: triamcinolone units', 'Free CPC practice exam', '100 timed questions with answer explanations.',
            'Start the exam',
            'CodeRise Academy is not affiliated with the AAPC or AHIMA. CPC® is a registered trademark of the AAPC.',
            'About · Instructors · Refund policy · Privacy',
            '© 2025 CodeRise Academy LLC · 2120 Hollis Ave, Emeryville, CA 94608', 'support@coderise.academy',
        ],
        glue=['Practice this in our CPC Exam Prep course →'],
    ),
    'pocketcoder': dict(
        boilerplate=[
            # reader-mode tool header (convention 24): metadata lines, skip link, logo image, nav, sign-in links
            RE + r'^Title: .+ \| PocketCoder$', RE + r'^URL Source: https://pocketcoder\.guide/',
            RE + r'^Published Time: \d{4}-\d\d-\d\dT', 'Markdown Content:',
            RE + r'^\[Skip to content\]\(https://pocketcoder\.guide/.+#main\)$',
            '![Image 1: PocketCoder](https://pocketcoder.guide/static/logo.svg)',
            '[Guides](https://pocketcoder.guide/guides)', '[Modifiers](https://pocketcoder.guide/modifiers)',
            '[Fee lookup](https://pocketcoder.guide/fees)', '[Pricing](https://pocketcoder.guide/pricing)',
            '[Sign in](https://pocketcoder.guide/login)[Start free](https://pocketcoder.guide/signup)',
            # byline, image remnants (alt text, convention 6), Markdown rules: setext underlines, table separator
            RE + r'^Updated \w+ \d+, \d{4} · \d+ min read · Reviewed by ',
            RE + r'^!\[Image \d+: ', RE + r'^[=\-]{5,}$', '|---|---|', '* * *',
            # Pro promos (glued to the end of a sentence, or alone under an otherwise empty heading)
            '[Try PocketCoder Pro free for 7 days](https://pocketcoder.guide/pro)',
            '[Unlock payer policies with Pro](https://pocketcoder.guide/pro)',
            # footer: feedback, related guides (chrome heading and links naming codes), newsletter, legal, e-mail
            'Was this guide helpful? [Yes](#)[No](#)', 'Related guides',
            RE + r'^\[.+\]\(https://pocketcoder\.guide/guides/\d+\)$',
            'Get one coding guide a week in your inbox. [Subscribe](https://pocketcoder.guide/newsletter)',
            '© 2025 PocketCoder Labs, Inc. · [Privacy](https://pocketcoder.guide/privacy) · '
            '[Terms](https://pocketcoder.guide/terms)',
            'CPT® is a registered trademark of the American Medical Association.',
            '[help@pocketcoder.guide](mailto:help@pocketcoder.guide)',
        ],
        glue=['[Try PocketCoder Pro free for 7 days](https://pocketcoder.guide/pro)'],
    ),
    'pricenest': dict(
        boilerplate=[
            # cookie bar, header, location picker, nav, <li> breadcrumbs (HTML) / inline breadcrumb (text record)
            'PriceNest uses cookies to show prices near you and to measure ads.', 'Accept', 'Manage choices',
            'PriceNest', 'Search', 'Showing prices near 60614 (Chicago, IL) Change', 'Procedures', 'Providers',
            'How it works', 'For providers', 'Sign in',
            'Home', 'Imaging', 'MRI', 'Surgery', 'Ear, nose & throat', 'Eye care', 'Laser', 'Urology', 'Biopsy',
            'Home / Imaging / CT',
            # summary-box metadata and buttons (the average price and range themselves are content)
            'Prices from verified providers within 25 miles · Updated May 2025', 'Add to list', 'Share',
            'Set price alert',
            # heading CTA (glued), provider-card listings (convention 25): chrome heading with its glued filter link,
            # sort, badge, names, ratings, distance/address, per-provider price, buttons, "show more"
            'Get a free quote', 'Compare prices near 60614Filters', 'COMPARE PRICES NEAR 60614Filters',
            'Sort by: Lowest price', 'Sponsored',
            'Lakeview Imaging Partners', 'North Branch MRI', 'St. Adalbert Medical Center – Radiology',
            'Lincoln Park Surgery Center', 'Children’s Lakeshore ENT', 'Clearview Eye Institute',
            'Wrightwood Family Eye Care', 'Lakeshore Urology Associates', 'Fullerton Men’s Health',
            'Lincoln Park Imaging', 'Belmont Diagnostic Center',
            RE + r'^★+☆* \d\.\d \(\d+ reviews\)$', RE + r'^\d+\.\d mi · .+, Chicago, IL 606\d\d$',
            RE + r'^Cash price \$[\d,]+$', 'View details', 'Add to list View details', 'Show 12 more providers',
            # ad box, footer
            'Advertisement', 'Save up to 60% on imaging with the PriceNest Care Card. Get your free card',
            'PriceNest is not a healthcare provider. Prices are estimates based on provider-posted and user-submitted '
            'data and may change.',
            'About · Careers · Press · Privacy · Terms', '© 2025 PriceNest Inc.', 'hello@pricenest.com',
        ],
        glue=['Get a free quote'],
    ),
    'glmac': dict(
        boilerplate=[
            # contractor banner, portal alert, header, nav, search, inline breadcrumb (one string, convention 6)
            'Great Lakes Medicare Administrators, LLC, is a CMS Medicare Administrative Contractor for Jurisdiction Q.',
            'Portal maintenance: the GLMA Portal will be unavailable Saturday from 8 p.m. to midnight ET.',
            'Great Lakes Medicare Administrators', 'Part A', 'Part B', 'Medical Policy', 'Fee Schedules', 'Enrollment',
            'Education & Events', 'GLMA Portal log in', 'Search',
            RE + r'^Home » Medical Policy » Articles » A\d{5}$', 'Home » Medical Policy » Fee Schedules » Physician Fee Schedule Lookup',
            # article tools, article metadata table and contractor information (convention 28)
            'Expand all', 'Collapse all', 'Print', 'Download PDF', 'Email this page',
            'Article ID', RE + r'^A\d{5}$', 'Article Title', 'Article Type', 'Billing and Coding',
            'Original Effective Date', 'Revision Effective Date', 'Last Modified', RE + r'^\d\d/\d\d/\d{4}$',
            'Contractor Information', 'Contractor Name', 'Great Lakes Medicare Administrators, LLC', 'Contract Type',
            'A and B MAC', 'Contract Number', '17014', 'Jurisdiction', 'Q', 'States', 'Indiana, Michigan, Ohio',
            # AMA line after every CPT/HCPCS table (between two content sections)
            'CPT codes, descriptions and other data only are copyright 2024 American Medical Association. All Rights '
            'Reserved. Applicable FARS/HHSARS apply.',
            # revision history table (convention 28: the explanations are per page, see PAGES)
            'Revision History Information', 'Revision History Date', 'Revision History Number',
            'Revision History Explanation', 'Reasons for Change', RE + r'^R\d$', 'Provider Education/Guidance',
            'Revisions Due To ICD-10-CM Code Changes', 'Typographical Error',
            'Creation of Uniform LCDs With Other MAC Jurisdiction',
            # site-wide abbreviations glossary (<details>), fee-lookup search form and disclaimer, footer
            'Abbreviations used on this page', 'AMA', 'American Medical Association', 'CMS',
            'Centers for Medicare & Medicaid Services', 'LCD', 'Local Coverage Determination', 'MAC',
            'Medicare Administrative Contractor', 'NCD', 'National Coverage Determination',
            'Search again', 'Change criteria', 'Export to CSV',
            'Fee schedule amounts are provided for informational purposes only. Payment is subject to deductible, '
            'coinsurance and all claims-processing edits.',
            'Part A Customer Service: 1-866-555-0144 · Part B Customer Service: 1-866-555-0145 · TTY: 711',
            'Contact Us | Accessibility | Privacy Policy | Disclaimers | FOIA | Website Feedback',
            '© 2025 Great Lakes Medicare Administrators, LLC. All rights reserved.', 'webmaster@glmedicare.com',
        ],
        glue=[],
    ),
}

# --------------------------------------------------------------------------- pages
MH_NOTES = ("ambulatory surgery center patient-education page; section headings mix <h2> and <details open><summary> "
            "and, on three pages, <div role=\"heading\"> (convention 22); HIPAA cookie banner, call bar, appointment widget with <select> options, testimonials "
            "and Google-review rating, insurance-logo strip (logos only as <img alt>), Google Maps embed text, "
            "footer with group NPI 1578239406 and zip code 53711 (not codes); 'Request an appointment' button glued "
            "to a heading on some pages; reviewer/date line is boilerplate; JSON-LD is the clinic's (no code)")
CR_NOTES = ("coding-course vendor's WordPress 'Code of the Week' post; headings are <h2> and 'Heading:' paragraphs "
            "with nothing after the colon (convention 22); the descriptor is a <blockquote>; enrollment countdown bar, "
            "course upsell box, quiz widget with a hidden answer, comments with replies, pagination and sidebar are "
            "boilerplate (convention 23); 'Week 121'-style numbers, dates in the URL and '#122' issue numbers are not "
            "codes; a script lists popular codes")
PC_NOTES = ("Markdown dump from a reader-mode tool (convention 24): 'Title:' / 'URL Source:' / 'Published Time:' / "
            "'Markdown Content:' header lines, '[Skip to content](…)', '![Image 1: …](…)' image remnants, '*   [Guides](…)' "
            "nav links and '[Sign in](…)[Start free](…)' are boilerplate; headings are setext titles (text line over "
            "'====' whose underline is boilerplate), '## ' lines and whole-line '**Bold**' paragraphs, labelled with their "
            "Markdown markers as they appear; '**Key:** value' lines are content; Markdown table rows are content, the "
            "'|---|---|' separator and '* * *' rule are boilerplate; 'Related guides' footer list names other codes; "
            "'pc-guide-NNNN' file ids and '/guides/NNNN' link ids are not codes")
GL_GUIDE = ('Article Guidance', 'billing')
GL_CPT = ('CPT/HCPCS Codes', 'billing')
GL_ICD = ('ICD-10-CM Codes that Support Medical Necessity', 'indications')
GL_NOICD = ('ICD-10-CM Codes that DO NOT Support Medical Necessity', 'policies')
GL_BT = ('Bill Type Codes:', 'billing')
GL_RC = ('Revenue Codes:', 'billing')
GL_LCD = ('Related Local Coverage Documents', 'policies')
GL_NCD = ('Related National Coverage Documents', 'policies')
GL_NOTES = ("Medicare Administrative Contractor (invented MAC, Jurisdiction Q) billing-and-coding article; contractor "
            "banner, portal alert, inline '»' breadcrumb, tool buttons ('Expand all', 'Print', 'Download PDF'), the "
            "article metadata table (Article ID, dates, 'Last Modified'), the Contractor Information table, the revision "
            "history table and the site-wide abbreviations glossary in a <details> are boilerplate (convention 28); the "
            "'Article Title' cell repeats the <h1> (duplicated title, convention 5), so the title is followed only by "
            "boilerplate and then a heading -> empty; the first section heading is a <dt> ('Article Guidance', convention "
            "22); code and ICD-10 tables: 'Code' / 'Description' header cells and every cell are content (convention 19); "
            "'Group 1 Paragraph:' field labels are content, not headings; the AMA line after the code table sits between "
            "two content sections; non-codes: article id A#####, contract number 17014, LCD numbers L#####, bill types "
            "012x/013x/085x, revenue codes, places of service, Form CMS-1500")
PAGES = {
    # ---------------------------------------------------------------- maplehollow (.html + .meta.json)
    'maplehollow/facet-joint-injection.html': dict(
        code='64493', code_system='CPT',
        headings=[('Lumbar Facet Joint Injection', 'overview'), ('Why your doctor recommends it', 'indications'),
                  ('What happens during the injection', 'procedure'), ('Getting ready', 'preparation'),
                  ('After your injection', 'recovery'), ('Risks', 'complications'),
                  ('Billing information', 'billing')],
        notes=MH_NOTES + "; the code appears only in a sentence ('… is billed with CPT 64493'); add-ons 64494/64495 "
              "and modifier 50 in the same paragraph; glued 'Getting readyRequest an appointment'; <summary> headings; "
              "10 to 15 minutes / about 90 minutes; $900 to $1,450",
    ),
    'maplehollow/epidural-steroid-injection.html': dict(
        code='62323', code_system='CPT',
        headings=[('Epidural Steroid Injection (Lower Back)', 'overview'), ('About this procedure', 'lay_description'),
                  ('Who it helps', 'indications'), ('How to prepare', 'preparation'),
                  ('The day of your injection', 'procedure'), ('Recovery at home', 'recovery'),
                  ('How often it can be repeated', 'policies'), ('Cost and insurance', 'cost_coverage')],
        notes=MH_NOTES + "; title followed only by the reviewer line and then a heading -> empty; bold-paragraph "
              "headings 'Who it helps' / 'How to prepare'; <div role=heading> 'Cost and insurance'; the page code appears "
              "ONLY in the <title> ('Epidural Steroid Injection, Lumbar (CPT 62323)'), not in the visible text or URL; "
              "'Form CMS-1500' and 'UB-04' are claim forms, not codes; '4 sessions in a rolling 12 months'; "
              "15 to 20 minutes / 20 to 30 minutes; self-pay $1,100",
    ),
    'maplehollow/radiofrequency-ablation.html': dict(
        code='64635', code_system='CPT',
        headings=[('Radiofrequency Ablation for Back Pain', 'overview'), ('Is RFA right for me?', 'indications'),
                  ('What to expect', 'procedure'), ('Recovery', 'recovery'),
                  ('Possible complications', 'complications'), ('Coding and coverage', 'billing')],
        notes=MH_NOTES + "; code only in the billing sentence (plus add-on 64636); modifiers RT/LT/50; zip 53711 "
              "in the sidecar URL query; 30–60 minutes (en dash); $2,000 – $3,500; '80 °C for 90 seconds' and "
              "'80 percent' are not durations or codes",
    ),
    'maplehollow/colonoscopia-bilingue.html': dict(
        code='45380', code_system='CPT',
        headings=[('Colonoscopy with Biopsy / Colonoscopia con biopsia', 'overview'),
                  ('What is a colonoscopy with biopsy?', 'lay_description'),
                  ('Preparing for your colonoscopy', 'preparation'), ('Cost', 'cost_coverage'),
                  ('¿Qué es una colonoscopia con biopsia?', 'lay_description'),
                  ('Preparación para su colonoscopia', 'preparation'), ('Costo', 'cost_coverage'),
                  ('Preguntas frecuentes', 'faq')],
        faq=[('¿Cuánto dura el procedimiento?',
              'Entre 20 y 40 minutos. Debe quedarse en la sala de recuperación unos 30 minutos más.'),
             ('¿Puedo manejar después?',
              'No. Necesita que un adulto lo lleve a casa porque recibirá sedación.')],
        notes=MH_NOTES + "; bilingual page (convention 26): English and Spanish halves are both content, Spanish "
              "headings map to the same sections (two lay_description, preparation and cost_coverage headings); "
              "'English | Español' toggle is boilerplate; Spanish FAQ with bold-paragraph heading and bold "
              "questions (content, convention 2); <ol> prep steps in both languages; '15% coinsurance in 2025'",
    ),
    'maplehollow/rotator-cuff-repair.html': dict(
        code='29827', code_system='CPT',
        headings=[('Arthroscopic Rotator Cuff Repair', 'overview'), ('About the surgery', 'lay_description'),
                  ('Before surgery', 'preparation'), ('Recovery timeline', 'recovery'),
                  ('When to call us', 'follow_up'), ('Billing notes', 'billing')],
        notes=MH_NOTES + "; Key: value fact block under the title ('Procedure code: CPT 29827', 'Anesthesia: …', "
              "'Time in surgery: 1 to 2 hours') is content (convention 12); add-ons 29826/29824 in billing; "
              "'Place of service 24' is a POS code, not a page code; phone number and '101.5 °F' in content; role=heading "
              "'Billing notes'; "
              "glued 'Recovery timelineRequest an appointment'; $6,500 to $9,800; 'Weeks 0–6' items",
    ),
    'maplehollow/surgery-day.html': dict(
        code=None, code_system=None,
        headings=[('What to Expect on Surgery Day', 'overview'), ('The night before', 'preparation'),
                  ('Checking in', 'other'), ('Meeting your anesthesia team', 'anesthesia'),
                  ('Going home', 'recovery'), ('Understanding your bills', 'billing')],
        notes=MH_NOTES + "; page naming no code at all -> code null; unknown heading 'Checking in' -> other; "
              "rare section anesthesia; role=heading 'Understanding your bills'; 60 minutes / 30 minutes to 2 hours",
    ),
    # ---------------------------------------------------------------- coderise (.html + .meta.json)
    'coderise/cotw-2025-06-02.html': dict(
        code='G0447', code_system='HCPCS',
        headings=[('Intensive Behavioral Therapy for Obesity, Explained', 'overview'),
                  ('The descriptor', 'official_description'), ('Who qualifies:', 'indications'),
                  ('How often:', 'policies'), ('Coding it right', 'billing'), ('What it pays:', 'cost_coverage')],
        boilerplate=['A patient with a BMI of 31 has group counseling with 6 other patients. Which code do you report?',
                     'A. G0447', 'B. G0473', 'C. 99401',
                     'Answer: B. Group sessions of 2 to 10 patients use G0473.',
                     'Great breakdown! Our clinic never knew about the 3 kg rule.',
                     'Thanks Dana! Put a reminder in your EHR at month 6.', 'Can a dietitian bill this?'],
        notes=CR_NOTES + "; HCPCS G-code named in the first sentence only (the title names no code); 'Heading:' "
              "paragraphs with nothing after the colon ('Who qualifies:', 'How often:', 'What it pays:'); ICD-10 "
              "range Z68.30-Z68.45 and group code G0473 in content; quiz options name G0447/G0473/99401 "
              "(boilerplate); enroll link glued to the end of a sentence; '22 sessions in 12 months', '3 kg (6.6 lb)'; "
              "about $27",
    ),
    'coderise/cotw-2025-06-09.html': dict(
        code='J1040', code_system='HCPCS',
        headings=[('J1040: Methylprednisolone Acetate, 80 mg', 'overview'), ('The descriptor', 'official_description'),
                  ('Where coders trip up', 'billing'), ('Documentation checklist:', 'billing'),
                  ('What it pays:', 'cost_coverage')],
        boilerplate=['You inject 80 mg of methylprednisolone acetate into the knee. How many units of J1040?',
                     'A. 1', 'B. 2', 'C. 80', 'Answer: A. One unit is 80 mg.',
                     'We always billed 20610 and forgot the drug. Ouch.', 'Love these, keep them coming!',
                     'Will do, Tom. Next week is a Category II code.'],
        notes=CR_NOTES + "; J-code in the title; title directly followed by a heading -> empty; sibling doses "
              "J1020/J1030, administration codes 96372/20610 and modifiers JW/JZ in content; a comment names 20610 "
              "(boilerplate); '× 1' unit notation; $5 to $7 per unit",
    ),
    'coderise/cotw-2025-06-16.html': dict(
        code='1125F', code_system='CPT',
        headings=[('Category II Spotlight: Pain Severity Quantified, Pain Present', 'overview'),
                  ('The descriptor', 'official_description'), ('When to report it', 'indications'),
                  ('Quick facts:', 'billing'), ('Common mistakes', 'billing')],
        boilerplate=['The patient rates pain as 0 out of 10. Which code?', 'A. 1125F', 'B. 1126F', 'C. No code',
                     'Answer: B.',
                     'Does this count for the MIPS quality category if we report through a registry?',
                     'Registry reporting uses its own submission, so check with your registry vendor.'],
        notes=CR_NOTES + "; Category II code (4 digits + F) named only in the body, not the title; sibling 1126F and "
              "modifier 8P in content; AMA line between the descriptor and the next section; Key: value quick facts "
              "('Charge: $0.00 on the claim line') under a 'Quick facts:' heading; '0–10 numeric rating scale'",
    ),
    'coderise/cotw-2025-06-23.html': dict(
        code='0101T', code_system='CPT',
        headings=[('Shock Wave Therapy for Calcific Tendinitis: A Category III Code', 'overview'),
                  ('What the service is', 'lay_description'), ('The descriptor', 'official_description'),
                  ('Billing tips:', 'billing'), ('Session length:', 'duration'), ('Cost:', 'cost_coverage')],
        boilerplate=['Which code describes ESWT for a diabetic foot ulcer?', 'A. 0101T', 'B. 0512T', 'C. 97610', 'Answer: B.',
                     'Our sports-medicine doc swears by this. Thanks for covering it.'],
        notes=CR_NOTES + "; Category III code (4 digits + T) named only in the body; title directly followed by a "
              "heading -> empty; 28890, 0512T/0513T and modifiers GA/RT/LT in content; AMA line between sections; "
              "rare section duration ('Session length:'); 15–20 minutes; $250 to $400 per session",
    ),
    'coderise/cotw-2025-06-30.html': dict(
        code=None, code_system=None,
        headings=[('Bonus Week: Modifier 59 or XS?', 'overview'), ('The short answer', 'billing'),
                  ('Three examples', 'other'), ('What auditors look for:', 'billing')],
        boilerplate=['Which modifier describes a separate structure?', 'A. XE', 'B. XS', 'C. XU', 'Answer: B.',
                     'Finally a clear explanation!', 'Glad it helped, Lorenzo.', 'Bookmarked.'],
        notes=CR_NOTES + "; page about modifiers naming several codes with none as its subject (11402, 11401, "
              "20610, 97140, 97530) -> code null; modifiers 59/XE/XS/XP/XU as items; unknown heading 'Three "
              "examples' -> other; enroll link glued to the end of a sentence",
    ),
    # ---------------------------------------------------------------- pocketcoder (.txt, one with sidecar)
    'pocketcoder/pc-guide-1187.txt': dict(
        code='20550', code_system='CPT',
        headings=[('Tendon Sheath Injection', 'overview'), ('## When to report 20550', 'indications'),
                  ('## Documentation checklist', 'billing'), ('**Units and modifiers**', 'billing'),
                  ('## What it pays', 'cost_coverage'), ('## Payer policies', 'policies'),
                  ('## Sources', 'references')],
        notes=PC_NOTES + "; setext title; bold-paragraph heading; Pro promo glued to the end of a sentence; "
              "Markdown table (rows content, separator boilerplate); '## Payer policies' holds only the Pro unlock "
              "link -> empty; 20612, 76942, '-59' (hyphen notation) and finger modifiers F6/F7 in content; 20551/20552 in Related guides; "
              "$78 / $52",
    ),
    'pocketcoder/pc-guide-1203.txt': dict(
        code='96413', code_system='CPT',
        headings=[('Chemotherapy IV Infusion, First Hour', 'overview'), ('## In plain words', 'lay_description'),
                  ('## Timing rules', 'billing'), ('**Add-on codes**', 'related_codes'),
                  ('## Billing notes', 'billing'), ('## FAQ', 'faq'), ('## Payer policies', 'policies')],
        faq=[('**Can 96413 be reported twice on the same day?**',
              'Only when the protocol requires two separate IV sites, for example for two incompatible drugs; append '
              'modifier 59 or XU to the second line.'),
             ('**Does a hydration bag count toward the time?**',
              'No. Hydration running at the same time as the chemotherapy is not reported separately and does not '
              'add to the 96413 time.')],
        notes=PC_NOTES + "; FAQ questions are whole-line '**bold**' paragraphs like the site's headings, but under "
              "'## FAQ' they are content (convention 2), kept with their '**' markers; '**Code:** 96413' and '**Descriptor:** …' are Key: value content under the title; add-ons "
              "96415/96417/96367, 96409 and J9271 in content; revenue codes 0335/0636 and places of service 11/22 are "
              "not page codes; '16 to 90 minutes', '91 minutes or more', '15 minutes or less' (timing rules, not a "
              "procedure duration); about $140; empty '## Payer policies'",
    ),
    'pocketcoder/pc-guide-1219.txt': dict(
        code='92014', code_system='CPT',
        headings=[('Eye Exam, Established Patient, Comprehensive', 'overview'), ('## What must be done', 'procedure'),
                  ('## Intermediate or comprehensive?', 'billing'), ('## Coding tips', 'billing'),
                  ('## Fees', 'cost_coverage')],
        notes=PC_NOTES + "; the page code appears ONLY in the URL (sidecar url and the 'URL Source:' line); the "
              "visible text names 99214, 92012, 92004, 92015, S0621, ICD-10 E11.9 and Category II 2023F instead; "
              "'last 3 years'; $180–$260 (en dash), about $150",
    ),
    'pocketcoder/pc-guide-1236.txt': dict(
        code='97802', code_system='CPT',
        headings=[('Medical Nutrition Therapy, Initial Assessment', 'overview'), ('## Who is eligible', 'indications'),
                  ('## How much time is covered', 'policies'), ('**Units**', 'billing'),
                  ('## Related codes', 'related_codes'), ('## Payer policies', 'policies')],
        notes=PC_NOTES + "; code in the Title: line and in the first paragraph; ICD-10 E11.9 and N18.30 to N18.5 in "
              "content; units table by minutes ('8 to 22 minutes' are unit thresholds, not a duration); in-body "
              "'## Related codes' list (97803/97804/G0270) is content; '3 hours … 2 hours each year'; empty "
              "'## Payer policies' (only the unlock link under it)",
    ),
    'pocketcoder/pc-guide-1250.txt': dict(
        code='G0283', code_system='HCPCS',
        headings=[('# G0283 – Electrical stimulation, unattended', 'overview'), ('**What it is**', 'lay_description'),
                  ('**G0283 or 97014?**', 'billing'), ('**Billing rules**', 'billing'),
                  ('**Typical session**', 'duration'), ('**Payment**', 'cost_coverage')],
        notes=PC_NOTES + "; CRLF line ends; ATX '# ' title printed twice (duplicated title, one heading) and directly "
              "followed by a heading -> empty; all sections are whole-line bold paragraphs; 97014/G0281/97032 and "
              "modifiers GP/GO in content; '10 to 15 min'; $9 to $11; Pro promo glued to the last sentence",
    ),
    # ---------------------------------------------------------------- glmac (.html + .meta.json)
    'glmac/a58214.html': dict(
        code='G0277', code_system='HCPCS',
        headings=[('Billing and Coding: Hyperbaric Oxygen Therapy', 'overview'), GL_GUIDE, GL_CPT, GL_ICD, GL_NOICD,
                  GL_BT, GL_RC, GL_LCD, GL_NCD, ('Documentation Requirements', 'billing')],
        boilerplate=['Revised the Article Guidance to clarify air breaks in the unit count.',
                     'Annual ICD-10-CM code update: added L97.4x3 and L97.4x4 codes.'],
        notes=GL_NOTES + "; HCPCS G-code with its supervision code 99183 (one subject: G0277 is the service, 99183 "
              "the attendance); article id A58214 contains 'A5821', which a pattern without word boundaries would "
              "read as a HCPCS code; long ICD-10 table (14 rows); revenue code 0413, place of service 22, Form "
              "CMS-1500; 'Related National Coverage Documents' directly followed by a heading -> empty; '30-minute "
              "interval', 'A typical 2-hour treatment is 4 units'",
    ),
    'glmac/a59467.html': dict(
        code=None, code_system=None,
        headings=[('Billing and Coding: Botulinum Toxins', 'overview'), GL_GUIDE, GL_CPT, GL_ICD, GL_NOICD, GL_BT,
                  GL_RC, GL_LCD, GL_NCD],
        boilerplate=['Updated the JW/JZ modifier instructions.'],
        notes=GL_NOTES + "; article listing 4 drug codes (J0585-J0588) and 5 procedure codes with none as its subject "
              "-> code null (convention 16); modifiers JW/JZ; 95873/95874 and the range 64612-64647 in content; two "
              "code groups ('Group 2 Paragraph:'); revenue codes 0636/0361; 'Related National Coverage Documents' "
              "followed only by the revision table -> empty",
    ),
    'glmac/a57730.html': dict(
        code='22513', code_system='CPT',
        headings=[('Billing and Coding: Percutaneous Vertebral Augmentation (Kyphoplasty), Thoracic', 'overview'),
                  GL_GUIDE, ('Place of Service', 'setting'), GL_CPT, GL_ICD, GL_NOICD, GL_BT, GL_LCD, GL_NCD],
        boilerplate=['Removed the duplicate code table for lumbar levels.'],
        notes=GL_NOTES + "; primary code 22513 with its add-on 22515 (convention 16), lumbar 22514, vertebroplasty "
              "22510-22512 and biopsy 20225 in content; two <dt> headings ('Article Guidance', 'Place of Service' -> "
              "setting); places of service 21/22/24 are not codes; ICD-10 S22.009A in a sentence; '6 weeks'; "
              "'three levels'; empty 'Related National Coverage Documents'",
    ),
    'glmac/a60113.html': dict(
        code='97610', code_system='CPT',
        headings=[('Billing and Coding: Low-Frequency, Non-Contact, Non-Thermal Ultrasound for Wound Care', 'overview'),
                  GL_GUIDE, ('Frequency Limits', 'policies'), ('Documentation Requirements', 'billing'), GL_CPT,
                  GL_ICD, GL_RC, GL_LCD],
        boilerplate=['Added revenue code 0450 and the frequency limits.', 'New article.'],
        notes=GL_NOTES + "; three <dt> headings, one of them ('Documentation Requirements') with an empty <dd> -> "
              "empty; 'Group 1 Paragraph:' followed by 'N/A'; 97597/97598 and modifiers 59/GP/GO in content; "
              "revenue codes 0420 and 0450 (4 digits, not codes) in a table and a sentence; 'Three sessions per week "
              "for up to 4 weeks'",
    ),
    'glmac/pfs-lookup-0412.html': dict(
        code='20600', code_system='CPT',
        headings=[('2025 Physician Fee Schedule Lookup: Arthrocentesis, Small Joint', 'overview'),
                  ('Descriptors', 'official_description'), ('Payment amounts by locality', 'cost_coverage'),
                  ('Payment policy indicators', 'billing'), ('Notes', 'billing')],
        notes=GL_NOTES.split('; the first section')[0] + "; fee-schedule lookup result page of the same site, without "
              "the article metadata and contractor tables; the search form echo ('Search again', 'Change criteria', "
              "'Export to CSV') follows the title, so the title is empty; the code is in a key/value table cell "
              "('HCPCS' / '20600'), the URL query (hcpcs=20600) and the notes; long locality table with locality "
              "numbers '(00)', '(01)', '(99)' that are not codes; indicator values '000', '2', '1', '0', 'A' are "
              "content cells; bold-paragraph heading 'Notes' with <ul>; 20604/76942 and modifiers 50/25 in content; "
              "the site-wide fee disclaimer is boilerplate (convention 18); session=0412 in the URL is not a code; "
              "$62.94 / $41.07, conversion factor $32.3465",
    ),
}

PN_NOTES = ("price-comparison marketplace crawl (JSONL, 4 html records + 1 text record); cookie bar, search, location "
            "picker with zip code 60614 (not a code), nav, breadcrumbs; the summary box's 'Avg. cash price: …' and "
            "'Typical range: …' lines are Key: value content under the title, its 'Prices from verified providers…' "
            "line and buttons are boilerplate; the 'Compare prices near 60614' listing of provider cards (Sponsored "
            "badge, star ratings, review counts, distance and address, per-provider cash price, 'Add to list', "
            "'View details') is boilerplate (convention 25); 'What affects the price' heading with a glued "
            "'Get a free quote' link; ad box and footer; a pnAds script names 70551/74176")
JSONL = {
    'pricenest/pricenest_crawl_2025-05-21.jsonl': [
        dict(
            code='70553', code_system='CPT',
            headings=[('Brain MRI with and without contrast', 'overview'), ('What it is', 'lay_description'),
                      ('Why it’s done', 'indications'), ('How to prepare', 'preparation'),
                      ('What affects the price', 'cost_coverage'), ('Questions people ask', 'faq')],
            faq=[('Is the contrast dye safe?',
                  'Serious reactions are rare. People with severe kidney disease need extra screening before '
                  'gadolinium.'),
                 ('Do I need a referral?', 'Yes. Imaging centers need an order from your doctor, even if you pay cash.')],
            notes=PN_NOTES + "; the page code appears ONLY in the JSON-LD (MedicalCode codeValue), not in the visible "
                  "text, <title> or URL; the visible text names 70551 and HCPCS A9577 instead; FAQ as "
                  "<details><summary> (content, convention 2); 'Scan time: 45–60 min'; $1,480, $650 – $3,200",
        ),
        dict(
            code='42820', code_system='CPT',
            headings=[('Tonsil and Adenoid Removal (Child Under 12)', 'overview'), ('What it is', 'lay_description'),
                      ('Why it’s done', 'indications'), ('Recovery', 'recovery'),
                      ('What affects the price', 'cost_coverage')],
            notes=PN_NOTES + "; code visible only in a Key: value fact ('Procedure code: CPT 42820'); age-12 "
                  "sibling 42821 and tonsils-only 42825 in content; 'Under 12', 'Seven or more … in one year', "
                  "'days 3 to 5' are not codes or durations of the procedure; 30 to 45 minutes; $2,100 to $6,800",
        ),
        dict(
            code='66821', code_system='CPT',
            headings=[('YAG Laser Capsulotomy', 'overview'), ('What it is', 'lay_description'),
                      ('How it’s done', 'procedure'), ('Risks', 'complications'), ('Insurance', 'cost_coverage')],
            notes=PN_NOTES + "; the page code appears ONLY in the URL (…/yag-laser-capsulotomy-66821?zip=60614); the "
                  "visible text names cataract surgery 66984 instead; modifiers RT/LT; range '$250-$1.1K' (K notation, "
                  "hyphen); 'about 5 minutes', '1.5 hrs'",
        ),
        dict(
            code='55700', code_system='CPT',
            headings=[('Prostate Biopsy', 'overview'), ('What it is', 'lay_description'),
                      ('Why it’s done', 'indications'), ('How to prepare', 'preparation'),
                      ('Questions people ask', 'faq')],
            faq=[('Will it hurt?',
                  'A local anesthetic block is used, so most men feel pressure and brief stings, not sharp pain.'),
                 ('When will I get results?', 'Pathology results usually take 5 to 7 business days.')],
            notes=PN_NOTES + "; code only in a sentence ('The biopsy itself is billed as CPT 55700'); 76872 and 88305 "
                  "in the same sentence; 'from $1,100 up to $3,400'; 'about 20 minutes'; '10 to 12 small cores'",
        ),
        dict(
            code='74177', code_system='CPT',
            headings=[('CT Scan of the Abdomen and Pelvis with Contrast', 'overview'), ('WHAT IT IS', 'lay_description'),
                      ("WHY IT'S DONE", 'indications'), ('HOW TO PREPARE', 'preparation'),
                      ('WHAT AFFECTS THE PRICE', 'cost_coverage')],
            notes="text record of the same template (innerText: CSS text-transform made the <h2> headings ALL CAPS, "
                  "'- ' bullets, one line per block); summary lines and 'CPT code 74177' are content under the title; "
                  "glued 'WHAT AFFECTS THE PRICEGet a free quote' and the all-boilerplate "
                  "'COMPARE PRICES NEAR 60614Filters'; provider cards flattened into lines (boilerplate, convention 25); "
                  "74176/74178 in content; 'Scan time: 10–15 minutes'; $310 – $2,450; 'Do not eat for 4 hours'",
        ),
    ],
}


if __name__ == '__main__':
    from labelmaker import write_labels  # tests/labelmaker.py: the machinery all the sets share

    write_labels(HERE, SITE, PAGES, JSONL, sys.argv[1:])
