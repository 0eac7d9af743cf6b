#!/usr/bin/env python3
"""Writes the heldout2 labels (`<page>.labels.json`) from the annotations below.

Same method as tests/heldout/make_labels.py. The annotations are the labelling decisions,
made by hand while writing and reading each page: the page's code, its headings and their
canonical sections, the boilerplate strings (per site and per page), the strings glued to a
neighbour, the FAQ pairs and the notes. Every other visible line or block of the page is
content; item counts and `empty` flags are derived the way tests/check_labels.py derives
them. Run it after editing a page, then run the checker. Standard library only.

    python3 tests/heldout2/make_labels.py [--show]     # --show prints every line with its label
    python3 tests/check_labels.py --root tests/heldout2
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
    'northvale': dict(
        boilerplate=[
            'Skip to main content',
            # cookie consent and the alert banner
            'We use cookies and similar tools to run this website, remember your choices and understand how visitors '
            'use it. Read our Website Privacy Notice to learn more.',
            'Accept all cookies', 'Only necessary cookies', 'Cookie settings',
            'Visitor update: Masks are required in our infusion centers and transplant units.',
            'Read the full visitor policy',
            # utility bar and mega-menu (panel titles included: chrome headings, convention 3)
            'MyChart', 'Pay My Bill', 'Careers', 'Give', '1-800-555-0142', 'Español',
            'Find a Doctor', 'Search by', 'Specialty', 'Doctor name', 'Near me', 'Popular specialties', 'Primary Care',
            'Orthopedics', 'Cardiology', 'Pediatrics', 'Locations', 'Hospitals', 'Urgent Care & Walk-In',
            'Imaging Centers', 'Lab Draw Sites', 'Services', 'Cancer Care', 'Heart & Vascular', 'Imaging & Radiology',
            'Rehabilitation', 'Women’s Health', 'Patients & Visitors', 'Price Estimates', 'Financial Assistance',
            'Medical Records', 'Visitor Policy', 'Search Northvale Health', 'Search',
            # patient-portal banner
            'Get a personal estimate based on your insurance plan and deductible.', 'Log in to MyChart',
            'New to MyChart? Sign up in minutes',
            # <li> breadcrumbs, one string per item; the last item differs from the <h1>
            'Home', 'MRI of the Knee', 'CT of the Head', 'Abdominal Ultrasound', 'Chest X-Ray', 'Blood Tests',
            'PT Evaluation',
            # AMA line printed after every price table, between two content sections
            'CPT® codes and descriptions are copyright American Medical Association.',
            # heading call-to-action links (glued), sidebar, site-wide estimate disclaimer, feedback
            'Get my estimate', 'See all locations',
            'Questions about a bill?',
            'Call Patient Financial Services at 1-866-555-0199, Monday to Friday, 8 a.m. to 6 p.m.',
            'Request a written estimate See if you qualify for financial assistance',
            'Estimates are based on the standard charges in effect on January 1, 2025, and are not a guarantee of '
            'what you will pay. Your final bill depends on the care you actually receive and on your insurance '
            'benefits.',
            'Was this page helpful?', 'Yes', 'No',
            # footer
            'About Us', 'Our Mission', 'Leadership', 'Newsroom', 'For Patients', 'For Professionals',
            'Refer a Patient', 'Residency Programs', 'Clinical Trials',
            'Northvale Health · 2200 Riverside Parkway · Northvale, OH 43017',
            'ATENCIÓN: si habla español, tiene a su disposición servicios gratuitos de asistencia lingüística. '
            'Llame al 1-800-555-0142.',
            'Nondiscrimination Notice', 'Website Privacy Notice', 'Notice of Privacy Practices',
            'Standard charges file (machine-readable)', '© 2025 Northvale Health. All rights reserved.',
            'webteam@northvalehealth.org',
            # accessibility widget (panel hidden, still in the DOM)
            'Accessibility', 'Accessibility options', 'Larger text', 'High contrast', 'Reset',
        ],
        glue=['Get my estimate', 'See all locations'],
    ),
    'billfluent': dict(
        boilerplate=[
            'New: BillFluent Eligibility 2.0 checks benefits in real time →',
            'Product', 'Solutions', 'Pricing', 'Resources', 'Log in Book a demo',
            # category label above the title, byline/date/read time, share bar
            'Coding Guides', 'Compliance', 'Revenue Cycle',
            RE + r'^By .+ · Updated \w+ \d+, \d{4} · \d+ min read$',
            'Share this post LinkedIn X Facebook', 'Copy link',
            # mid-article "Book a demo" CTA boxes (one wording per post) and the inline CTA link
            'Stop leaving guidance codes on the table',
            'BillFluent flags injections with saved ultrasound images that were billed without guidance.',
            'Time-based codes, counted for you',
            'BillFluent reads visit time from the note and suggests the right add-on units.',
            'Prior auth, without the fax machine',
            'BillFluent packages photos and notes into payer-ready prior authorization requests.',
            'Never miss an SDOH screening',
            'BillFluent reminds your front desk when a wellness visit is due for an SDOH assessment.',
            'Eligibility checks on autopilot',
            'BillFluent re-checks every scheduled patient two days before the visit.',
            'Book a demo', 'See how BillFluent catches this',
            # AMA line under a quoted descriptor, between two sections
            'CPT® 2024 American Medical Association. All rights reserved.',
            # tags, author bio box
            RE + r'^Tags: ', 'About the author',
            'Renata Oyelaran, CPC, CRC', 'Tomás Whitcombe',
            'Renata leads coding education at BillFluent. She spent 12 years auditing orthopedic and pain-management '
            'practices before joining the team.',
            'Tomás writes about revenue-cycle operations for BillFluent. He ran the billing office of a 40-provider '
            'multispecialty group in Tucson.',
            'More posts by Renata', 'More posts by Tomás',
            # newsletter box, related posts (name other codes), sidebar widgets
            'Get the Monday Claim Memo',
            'One practical coding tip a week, read by 18,000 billers and practice managers.', 'Subscribe',
            'No spam. Unsubscribe anytime.', 'Keep reading',
            'Modifier 25 on 99213: how to make it audit-proof', 'G2211 one year later: what payers actually paid',
            'Drug units cheat sheet: J1885, J3301 and J1100', 'Popular guides',
            'E/M leveling by medical decision making', 'NCCI edits, explained with examples', 'Categories',
            # footer and chat launcher
            'Platform', 'Claim scrubbing', 'Eligibility', 'A/R follow-up', 'Company', 'About', 'Careers',
            'Contact sales', 'Blog', 'Webinars', 'Help center',
            '© 2025 BillFluent Inc. · Privacy · Terms · Security & HIPAA',
            'CPT® is a registered trademark of the American Medical Association.', 'hello@billfluent.io',
            'Questions? Chat with our team',
        ],
        glue=['See how BillFluent catches this'],
    ),
    'codingcoffee': dict(
        boilerplate=[
            'coffee-cup-logo', 'View this email in your browser', 'CODING COFFEE BREAK',
            RE + r'^Your weekly 5-minute coding refill · Issue #\d+ · ',
            'Forward to a colleague | Subscribe | Past issues',
            'This issue is brought to you by RevSight, denial analytics for small practices. Try it free for 30 days.',
            'CPT® 2024 American Medical Association. All rights reserved.',
            'SPONSORED · RevSight spots denial patterns before your payers do.', 'Try it free for 30 days',
            "That's all for this week. Top off your mug and go get those claims paid.",
            '— Marguerite Lindqvist, CPC, CPMA, editor', 'Enjoyed this issue? Forward it to a colleague.',
            "You're receiving this because you subscribed at codingcoffee.news.",
            'Unsubscribe | Update your preferences | View past issues',
            'Coding Coffee Break · 410 Larkspur Lane, Suite 12 · Madison, WI 53703',
            '© 2025 Coding Coffee Break LLC. CPT® is a registered trademark of the American Medical Association.',
            'editor@codingcoffee.news',
        ],
        glue=['Try it free for 30 days'],
    ),
    'rvufinder': dict(
        boilerplate=[
            'RVUFinder', 'Free CPT & HCPCS lookup since 2009', 'Look up', 'Advanced search', 'Advertisement',
            'Outsource your coding to certified pros — 98% accuracy guaranteed. Get a quote',
            'Add to compare', 'Print sheet', 'Report an error',
            # sidebar (HTML) / trailing block (text record): similar codes, calculator promo
            'Similar codes', '82948', 'Glucose, reagent strip', '82962', 'Glucose, home device', '83036',
            'Hemoglobin A1c', '0072T', 'Focused ultrasound ablation, 200 cc or more', '58674',
            'Laparoscopic fibroid ablation', 'J0690', 'Cefazolin, 500 mg', 'J0694', 'Cefoxitin, 1 g', 'J1885',
            'Ketorolac, 15 mg', 'E0112', 'Crutches, underarm, wood, pair', 'E0116',
            'Crutch, underarm, other than wood, single', '94644', 'Continuous inhalation treatment, first hour',
            '94664', 'Demonstration of inhaler use',
            'RVU calculator', 'Multiply RVUs by the 2025 conversion factor ($32.3465) in one click.', 'Open calculator',
            # footer
            'About | Data sources | API | Privacy | Contact',
            'Data: CMS Physician Fee Schedule, 2025 Final Rule, and the CMS HCPCS Level II file. Not affiliated with '
            'CMS or the AMA.',
            'CPT® codes, descriptions and other data only are copyright 2024 American Medical Association. '
            'All rights reserved.',
            '© 2009-2025 RVU Finder · data@rvufinder.net',
        ],
        glue=[],
    ),
    'bluewater': dict(
        boilerplate=[
            # dismissible open-enrollment bar; the top links are <a> tags with no whitespace between them, so
            # they come out glued into one string
            'Open enrollment ends January 15. Shop 2026 plans', '×', 'Member loginProvider loginEmployersEspañol',
            'Shop plans', 'Find care', 'Members', 'Providers', 'Pharmacy',
            # inline breadcrumb (one string, convention 6) and the policy metadata block (convention 18)
            RE + r'^Home > Providers > Medical Policies > MP-\d{4}$',
            RE + r'^Policy number: MP-\d{4}$', RE + r'^Effective date: \d\d/\d\d/\d{4}$',
            RE + r'^Last reviewed: \d\d/\d\d/\d{4}$', 'Download PDF | Print',
            'Medical policies describe how Bluewater Mutual decides coverage. They are not medical advice and are not '
            'a guarantee of payment. Member benefits and contract language take precedence over this policy.',
            # feedback (the thank-you is display:none but in the DOM), chat, footer
            'Was this page helpful?', 'Yes', 'No', 'Thank you for your feedback.', 'Ask Wave, our virtual assistant',
            'About Bluewater', 'Contact us', 'Report fraud', 'Privacy', 'Nondiscrimination notice',
            'Language assistance',
            'Health plans are offered by Bluewater Mutual Insurance Company. Provider questions about medical '
            'policy: policy.questions@bluewatermutual.com',
            'CPT® is a registered trademark of the American Medical Association.',
            '© 2025 Bluewater Mutual Health Plan',
        ],
        glue=[],
    ),
}

# --------------------------------------------------------------------------- pages
NV_PRICE = ('Price at a glance', 'cost_coverage')
NV_PAY = ('Paying for your care', 'cost_coverage')
NV_WHY = ('Why your doctor may order it', 'indications')
NV_HOW_LONG = ('How long it takes', 'duration')
NV_RESULTS = ('Getting your results', 'follow_up')
NV_WHERE = ('Where to get this exam', 'setting')
NV_NOTES = ("<p><strong> and <div role=heading> headings mixed with <h2>; mega-menu with panel titles, cookie consent, "
            "alert banner, MyChart portal prompt, hidden accessibility panel; price table with the code in a <td> and "
            "the AMA line right after it (between two sections); site-wide estimate disclaimer is boilerplate; "
            "numeric service id in the URL is not a code; a dataLayer script names a fixed list of codes "
            "(99203, 99213, 80053, 85025, 73721, 70450) on every page")
BW_STMT = ('Policy statement', 'policies')
BW_MN = ('Medically necessary when', 'indications')
BW_NMN = ('Not medically necessary', 'policies')
BW_CODES = ('Applicable codes', 'billing')
BW_HIST = ('Policy history', 'other')
BW_NOTES = ("payer medical policy; section headings are accordion <button>s (plus <h2> for References / Policy "
            "history / Test description); the coding heading is a table <caption>; code table header cells "
            "'Code' / 'Description' / 'Coverage status' are content; policy metadata (number, effective date, last "
            "reviewed) is boilerplate (convention 18), so the title is empty; inline '>' breadcrumb; member/provider "
            "login links glued into one string; open-enrollment bar, 'Was this page helpful?' with a hidden thank-you, "
            "chat button, footer; script names the policy's codes; policy number MP-xxxx in the URL is not a code")
PAGES = {
    # ---------------------------------------------------------------- northvale (.html + .meta.json)
    'northvale/mri-knee-without-contrast.html': dict(
        code='73721', code_system='CPT',
        headings=[('MRI of the Knee Without Contrast', 'overview'), NV_PRICE, NV_WHY,
                  ('Before your exam', 'preparation'), ('During the exam', 'procedure'), NV_HOW_LONG, NV_RESULTS,
                  NV_PAY, ('Questions about this exam', 'faq'), NV_WHERE],
        faq=[('Will I be inside the tunnel the whole time?',
              'No. For a knee MRI you go in feet first, and in most cases your head and chest stay outside the '
              'scanner.'),
             ('Can I have a knee MRI if I had a knee replacement?',
              'Usually yes, but metal implants can blur the pictures. Your doctor may order a CT scan instead.')],
        notes=NV_NOTES + "; full template tour; the code is visible only as a table cell (also in JSON-LD and "
              "the script); URL id "
              "48213 looks like a CPT code but is not; glued heading CTAs 'Paying for your careGet my estimate' and "
              "'Where to get this examSee all locations'; FAQ as <dl> (<dt> question, <dd> answer); two "
              "cost_coverage headings; $410 to $1,960; 20 to 30 minutes / about 1 hour",
    ),
    'northvale/ct-head-without-contrast.html': dict(
        code='70450', code_system='CPT',
        headings=[('CT Scan of the Head Without Contrast', 'overview'), ('About this exam', 'lay_description'),
                  NV_PRICE, NV_WHY, ('Before your exam', 'preparation'), NV_HOW_LONG,
                  ('Is it safe?', 'complications'), NV_PAY, ('Questions about this exam', 'faq')],
        faq=[('Why not an MRI instead?',
              'A CT shows bleeding and fractures quickly. An MRI gives more detail but takes longer and is not '
              'always available right away.')],
        notes=NV_NOTES + "; title directly followed by a role=heading div -> empty; bold inline 'CPT code: 70450' "
              "and 'Department: ...' are Key: value content (convention 12); 'Is it safe?' -> complications; "
              "less than 5 minutes / 15 minutes; URL id 30517 is not a code",
    ),
    'northvale/ultrasound-abdomen-complete.html': dict(
        code='76700', code_system='CPT',
        headings=[('Complete Abdominal Ultrasound', 'overview'), NV_PRICE, ('Before your exam', 'preparation'),
                  ('During the exam', 'procedure'), NV_HOW_LONG, NV_RESULTS, NV_PAY,
                  ('Related services', 'related_codes')],
        notes=NV_NOTES + "; limited exam 76705 named in content (still about 76700); <ol> preparation steps; "
              "in-body 'Related services' list -> related_codes; 30 to 45 minutes",
    ),
    'northvale/xray-chest-two-views.html': dict(
        code='71046', code_system='CPT',
        headings=[('Chest X-Ray, 2 Views', 'overview'), NV_PRICE, NV_WHY, ('Before your exam', 'preparation'),
                  NV_HOW_LONG, NV_PAY, NV_WHERE],
        notes=NV_NOTES + "; single-view sibling 71045 named in content (page is about the 2-view code); "
              "'Where to get this exam' -> setting, with an en dash in a list item; about 10 minutes",
    ),
    'northvale/common-lab-tests.html': dict(
        code=None, code_system=None,
        headings=[('Common Blood Tests', 'overview'), NV_PRICE, ('Before your test', 'preparation'), NV_RESULTS,
                  NV_PAY],
        notes=NV_NOTES + "; price list of five codes (80053, 85025, 80061, 83036, 84443), none of them the "
              "page's subject -> code null (no_code); the breadcrumb item differs from the title",
    ),
    'northvale/physical-therapy-evaluation.html': dict(
        code='97161', code_system='CPT',
        headings=[('Physical Therapy Evaluation', 'overview'), NV_PRICE,
                  ('What happens at the evaluation', 'procedure'), ('Before your visit', 'preparation'), NV_HOW_LONG,
                  ('Who you will see', 'personnel'), NV_PAY, ('Questions about this visit', 'faq')],
        faq=[('Do I need a referral?',
              'Ohio lets you see a physical therapist without a referral, but some insurance plans still require '
              'one to pay for the visit.'),
             ('Will I get exercises on the first day?',
              'Yes. Most people leave the evaluation with two or three exercises to start at home.')],
        notes=NV_NOTES + "; the code is only in the price table (and JSON-LD); 97162/97163 (higher complexity) in "
              "content; 'Who you will see' -> personnel; 45 to 60 minutes; the FAQ answer starting 'Yes.' is "
              "content while the feedback button 'Yes' is boilerplate",
    ),
    # ---------------------------------------------------------------- billfluent (.html + .meta.json, WordPress blog)
    'billfluent/post-61207.html': dict(
        code='20611', code_system='CPT',
        headings=[('Ultrasound-Guided Joint Injections: Getting Paid for the Guidance', 'overview'),
                  ('What the code covers', 'official_description'),
                  ('When the guidance code is supported', 'indications'), ('What it does not cover', 'billing'),
                  ('Billing checklist', 'billing'), ('What it pays', 'cost_coverage'), ('FAQ', 'faq')],
        faq=[('Can we bill guidance for a hyaluronic acid series?',
              'Yes, for each injection where an image is saved and the guidance is documented, subject to payer '
              'frequency limits.'),
             ('Does a handheld point-of-care device count?',
              'Yes, as long as it can store the image and the image is kept in the record.')],
        notes="WordPress blog chrome: announcement bar, category label, byline with read time, share bar, mid-article "
              "'Book a demo' CTA box, tags, author bio box with title 'About the author', newsletter <h3>, "
              "'Keep reading' related posts naming 99213/G2211/J1885/J3301/J1100, sidebar widgets, footer <h4> "
              "columns, chat launcher; the page code appears only in the sentence '20611 is the CPT code for ...' "
              "(not in the title or URL); URL article id 61207 is not a code; bold-paragraph heading 'What it does not "
              "cover'; FAQ questions as bold paragraphs (content); CTA link glued to the end of a sentence "
              "('...goes out.See how BillFluent catches this'); modifiers RT/LT/50/25; $95 to $180",
    ),
    'billfluent/post-60388.html': dict(
        code='99497', code_system='CPT',
        headings=[('CPT 99497: A Practical Guide to Advance Care Planning Visits', 'overview'),
                  ('The descriptor', 'official_description'), ('Who can provide it', 'personnel'),
                  ('Time rules', 'billing'), ('Documentation checklist', 'billing'),
                  ('Medicare coverage', 'cost_coverage'), ('Common questions', 'faq')],
        faq=[('Does the patient have to sign a form?',
              'No. The code pays for the conversation; completing an advance directive is not required.')],
        notes="every section heading is a bold paragraph (<p><strong>), and so is the FAQ question (content); "
              "descriptor in a <blockquote> followed by the AMA copyright line (between two sections); add-on 99498 "
              "named (convention 16: still about 99497); modifier 33; editor's italic note under the title is "
              "content; 'Common questions' -> faq",
    ),
    'billfluent/post-59940.html': dict(
        code='0479T', code_system='CPT',
        headings=[('Billing Fractional Laser Scar Treatment (0479T and 0480T)', 'overview'),
                  ('The codes', 'official_description'), ('When payers cover it', 'indications'),
                  ('How to bill a session', 'billing'), ('What to expect for payment', 'cost_coverage')],
        notes="Category III code with its add-on 0480T in the title and body -> code 0479T (convention 16); "
              "descriptors as list items; a lead-in sentence ending with ':' before a list; $350 to $900",
    ),
    'billfluent/post-60745.html': dict(
        code='G0136', code_system='HCPCS',
        headings=[('G0136: Billing the SDOH Risk Assessment', 'overview'),
                  ('Official descriptor', 'official_description'), ('When you can bill it', 'indications'),
                  ('Tools that qualify', 'tools_equipment'), ('Billing tips', 'billing'), ('Payment', 'cost_coverage')],
        notes="HCPCS G code; <h3> sub-heading 'Tools that qualify' -> tools_equipment; ICD-10 Z code range Z55-Z65 "
              "in content (not billing codes of the page); 5-15 minutes in the descriptor; about $18",
    ),
    'billfluent/post-58214.html': dict(
        code=None, code_system=None,
        headings=[('7 Front-Desk Habits That Cut Claim Denials', 'overview'), ('Check eligibility twice', 'other'),
                  ('Scan the card, every visit', 'other'), ('Collect the copay at check-in', 'other'),
                  ('Four more habits', 'other'), ('The payoff', 'other')],
        notes="page naming no code (only the template's related posts name 99213/G2211/J1885...) -> code null; URL "
              "article id 58214 is not a code; all headings -> other; <div role=heading> 'Four more habits'; CTA "
              "link glued to the last sentence; a number in the title ('7 Front-Desk Habits')",
    ),
    # ---------------------------------------------------------------- codingcoffee (.txt newsletter archive)
    'codingcoffee/ccb-issue-142.txt': dict(
        code='11102', code_system='CPT',
        headings=[('THIS WEEK: TANGENTIAL BIOPSY OF SKIN', 'overview'), ('THE CODE', 'official_description'),
                  ('IN PLAIN WORDS', 'lay_description'), ('WHEN IT FITS', 'indications'), ('QUICK FACTS', 'billing'),
                  ('BILLING CHECKLIST', 'billing'), ('READER MAILBAG', 'faq'), ('WHAT IT PAYS', 'cost_coverage')],
        faq=[('Q: Can we bill an E/M visit on the same day as the biopsy?',
              'A: Only when a separate problem was evaluated or the decision to biopsy was part of a significant '
              'workup. Add modifier 25 to the E/M.'),
             ('Q: The provider did two shave biopsies. Do we bill 11102 twice?',
              'A: No. Bill 11102 once and 11103 for the second lesion.')],
        notes="newsletter archive as a text dump; ALL-CAPS headings next to the ALL-CAPS masthead 'CODING COFFEE "
              "BREAK' (boilerplate); sponsor line at the top; AMA copyright between 'THE CODE' and the next section; "
              "'▪ ' bullets and '1.' steps; QUICK FACTS block of Key: value lines; sponsor CTA glued to a heading "
              "('Try it free for 30 daysREADER MAILBAG'); Q:/A: mailbag (convention 17); add-on 11103 and "
              "11104/11106 in content; sign-off, unsubscribe block and editor signature are boilerplate; "
              "10 to 15 minutes; $85 to $160",
    ),
    'codingcoffee/ccb-issue-143.txt': dict(
        code='93922', code_system='CPT',
        headings=[('THIS WEEK: ANKLE-BRACHIAL INDEX TESTING', 'overview'),
                  ('THE SHORT VERSION', 'official_description'), ('WHO NEEDS THE TEST', 'indications'),
                  ('HOW IT IS DONE', 'procedure'), ('CODING NOTES', 'billing'), ('WHAT IT PAYS', 'cost_coverage')],
        notes="the code appears only in the sentence '93922 is the CPT code for ...' (no 'THE CODE' block, not in "
              "the title); 'Typical time: about 15 minutes' Key: value line after a numbered list; modifier 52; "
              "glued 'Try it free for 30 daysWHAT IT PAYS'",
    ),
    'codingcoffee/ccb-issue-144.txt': dict(
        code='J7030', code_system='HCPCS',
        headings=[('THIS WEEK: NORMAL SALINE INFUSION, 1000 CC (J7030)', 'overview'),
                  ('THE CODE', 'official_description'), ('IN PLAIN WORDS', 'lay_description'),
                  ('QUICK FACTS', 'billing'), ('BILLING CHECKLIST', 'billing'), ('READER MAILBAG', 'faq'),
                  ("FROM THE EDITOR’S DESK", 'other')],
        faq=[('Q: Can a clinic bill J7030 when the saline was used to mix a drug?',
              'A: No. Saline used as a diluent is part of the drug preparation.')],
        notes="Windows-1252 with CRLF line ends (’ · • ® — as cp1252 bytes); '• ' bullets on this issue (a different "
              "export); HCPCS supply code; no AMA line on this issue; J7050/J7040/96360 in content; unknown heading "
              "'FROM THE EDITOR’S DESK' -> other; glued 'Try it free for 30 daysREADER MAILBAG'",
    ),
    'codingcoffee/ccb-issue-146.txt': dict(
        code='92250', code_system='CPT',
        headings=[('THIS WEEK: FUNDUS PHOTOGRAPHY', 'overview'), ('THE CODE', 'official_description'),
                  ('IN PLAIN WORDS', 'lay_description'), ('WHEN IT FITS', 'indications'),
                  ('BILLING CHECKLIST', 'billing'), ('READER MAILBAG', 'faq'), ('WHAT IT PAYS', 'cost_coverage')],
        faq=[('Q: Is a remote retinal screening in primary care billed with 92250?',
              'A: Usually not. Remote imaging for diabetic retinopathy has its own codes (92227 to 92229).')],
        notes="no blank lines near the top; title directly followed by 'THE CODE' -> empty; an unbulleted line "
              "after the numbered checklist; modifiers 50 (not used) and 26; 92134 and 92227-92229 in content",
    ),
    'codingcoffee/ccb-issue-147.txt': dict(
        code=None, code_system=None,
        headings=[('THIS WEEK: PORTAL MESSAGES: 99421 OR 99422?', 'overview'), ('THE CODES', 'official_description'),
                  ('HOW TO CHOOSE', 'billing'), ('WHEN NOT TO BILL', 'billing'), ('READER MAILBAG', 'faq'),
                  ('WHAT THEY PAY', 'cost_coverage')],
        faq=[('Q: Do patients have to agree to be billed?',
              'A: Yes. Tell them in advance that a portal message may be billed and may have a copay.')],
        notes="page about two codes equally (99421 and 99422, differing only by time) -> code null; both codes in "
              "the title; two descriptor lines starting with the codes; about $16 and $32",
    ),
    # ---------------------------------------------------------------- bluewater (.html + .meta.json, payer policies)
    'bluewater/mp-0417.html': dict(
        code='A4670', code_system='HCPCS',
        headings=[('Home Blood Pressure Monitors', 'overview'), BW_STMT, BW_MN, BW_NMN, BW_CODES,
                  ('References', 'references'), BW_HIST],
        notes=BW_NOTES + "; HCPCS DME code, first row of the code table; A4660 listed as not covered (still about "
              "A4670); modifier NU; numbered references",
    ),
    'bluewater/mp-0233.html': dict(
        code=None, code_system=None,
        headings=[('Continuous Glucose Monitoring', 'overview'), BW_STMT, BW_MN,
                  ('Documentation requirements', 'billing'), BW_CODES, ('References', 'references')],
        notes=BW_NOTES + "; policy covering six codes (95249, 95250, 95251, E2103, A4239, A9276) with no single "
              "subject code -> code null (no_code); <ol> documentation list",
    ),
    'bluewater/mp-0512.html': dict(
        code='81528', code_system='CPT',
        headings=[('Multitarget Stool DNA Testing for Colorectal Cancer Screening', 'overview'), BW_STMT, BW_NMN,
                  ('Test description', 'lay_description'), BW_CODES, BW_HIST],
        notes=BW_NOTES + "; lab code with a one-row code table; G0328/82274 and ICD-10 Z12.11 in content; "
              "'Not medically necessary' list of exclusions -> policies; age 45 to 85, every 3 years",
    ),
    'bluewater/mp-0308.html': dict(
        code='71271', code_system='CPT',
        headings=[('Lung Cancer Screening With Low-Dose CT', 'overview'), BW_STMT, BW_MN,
                  ('Documentation requirements', 'billing'), BW_CODES, ('References', 'references')],
        notes=BW_NOTES + "; counseling code G0296 named in content (still about 71271); NCD number 210.14 is not "
              "a code; criteria as list items (ages 50 to 77, 20 pack-years)",
    ),
}

# JSONL crawls: one labels object per line
RF_NOTES = ("code-lookup sheet: section headings are full-width <th colspan=2> rows of a table, Key/value rows are "
            "<th>/<td> cells (content); search bar, ad, sidebar 'Similar codes' table and calculator promo, footer "
            "with data-source, AMA and site copyright lines; script names 99213/99214/G2211")
JSONL = {
    'rvufinder/rvufinder_crawl_2025-04-09.jsonl': [
        dict(
            code='82947', code_system='CPT',
            headings=[('Blood glucose test, quantitative', 'overview'), ('Descriptor', 'official_description'),
                      ('Quick facts', 'billing'), ('Notes', 'billing'), ('Diagnosis support', 'indications')],
            notes=RF_NOTES + "; the page code appears ONLY in the JSON-LD (codeValue), not in the visible text or "
                  "the URL (lookup?id=2217); visible text names 82948/82962/82951/82952 and ICD-10 E11.9/R73.09/"
                  "Z13.1; title directly followed by a heading -> empty",
        ),
        dict(
            code='0071T', code_system='CPT',
            headings=[('0071T - Focused ultrasound ablation of uterine leiomyomata, under 200 cc', 'overview'),
                      ('Descriptor', 'official_description'), ('Quick facts', 'billing'), ('Coding notes', 'billing'),
                      ('Lay description', 'lay_description')],
            notes=RF_NOTES + "; Category III code (lowercase 't' in the URL); 0072T in content and sidebar; "
                  "'Typical session: 3 to 4 hours' as a Key/value row",
        ),
        dict(
            code='J0696', code_system='HCPCS',
            headings=[('J0696 - Injection, ceftriaxone sodium, per 250 mg', 'overview'),
                      ('Descriptor', 'official_description'), ('Quick facts', 'billing'),
                      ('Units by dose', 'billing'), ('Coding notes', 'billing')],
            notes=RF_NOTES + "; HCPCS drug code (lowercase in the URL); units table; <ol> notes; 96372/96374 and "
                  "modifier JZ in content; J1885 in the sidebar",
        ),
        dict(
            code='E0114', code_system='HCPCS',
            headings=[('Crutches, underarm, other than wood, adjustable or fixed, pair', 'overview'),
                      ('Descriptor', 'official_description'), ('Quick facts', 'billing'), ('Coding notes', 'billing'),
                      ('Supplier requirements', 'policies')],
            notes=RF_NOTES + "; the page code appears ONLY in the URL (/hcpcs/e0114/, lowercase); E0112 in content "
                  "and E0112/E0116 in the sidebar; modifiers NU/RR; $40 to $60",
        ),
        dict(
            code='94640', code_system='CPT',
            headings=[('94640 - Inhalation treatment for acute airway obstruction or for sputum induction', 'overview'),
                      ('Descriptor', 'official_description'), ('Quick facts', 'billing'), ('Coding notes', 'billing'),
                      ('Lay description', 'lay_description')],
            notes="text record inside the JSONL (visible text, no blank lines, '• ' bullets); Key and value of each "
                  "quick fact on separate lines ('Category' / 'Medicine: Pulmonary'), which look like headings but "
                  "are content; sidebar flattened into 'Similar codes' / code / description lines after the content; "
                  "J7613/94644 and modifier 76 in content; 10 to 15 minutes",
        ),
    ],
}


if __name__ == '__main__':
    from labelmaker import write_labels  # tests/labelmaker.py: the machinery all the sets share

    write_labels(HERE, SITE, PAGES, JSONL, sys.argv[1:])
