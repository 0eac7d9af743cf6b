"""Data only: boilerplate rules with stable ids, HTML pruning, section synonyms, code patterns.

Add a rule by appending to ``LINE_RULES``; its ``id`` appears in ``removed_lines.rule``,
so never rename an id once shipped. Every rule names the general pattern it covers, not a
page or a site. Patterns are matched case-insensitively against a whitespace-normalised line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineRule:
    id: str
    pattern: str
    # Longer lines are content that happens to contain the words (a sentence about signing a
    # consent form is not a signup prompt). Counted in whitespace-separated words.
    max_words: int = 20
    # Some rules only make sense on lines that are not list items.
    skip_items: bool = False
    # Asset names are lowercase ("main-logo"); "Non-facility" is a word, not an asset.
    case_sensitive: bool = False
    # A cheap gate: the rule is only tried on lines containing one of these lowercase
    # substrings (empty: always tried). Every alternative of the pattern must contain one.
    requires: tuple[str, ...] = ()
    description: str = ""


LINE_RULES: tuple[LineRule, ...] = (
    LineRule(
        "copyright",
        r"^\s*(©|\(c\)\s|copyright\b)|\ball rights reserved\b|©\s*(copyright\s*)?(19|20)\d\d",
        max_words=30,
        requires=("©", "(c)", "copyright", "rights reserved"),
        description="copyright notices: '© 2025 X', 'Copyright X. All rights reserved'",
    ),
    LineRule(
        "trademark",
        r"\b(is a )?registered trademarks? of\b|\btrademarks? (of|owned by)\b",
        max_words=40,
        requires=("trademark",),
        description="trademark notices ('CPT® is a registered trademark of the AMA')",
    ),
    LineRule(
        "login_signup",
        r"^(log ?in|sign ?in|sign ?up|register|create (a |an |your )?(free )?account|join (now|free|today|us)"
        r"|already (a member|have an account)|forgot (your )?password|my account)\b"
        r"|\b(log ?in|sign ?in)\b.{0,40}\b(register|sign ?up|create)\b"
        r"|\b(must be|please) (logged|log|signed|sign) ?in to\b",
        max_words=12,
        requires=("log", "sign", "register", "create", "join", "already", "forgot", "account"),
        description="login, register and signup prompts and buttons",
    ),
    LineRule(
        "paywall",
        r"\bunlock (this|the|all|full|more)\b|\bto (view|read|see|access) (this|the|full|more)? ?content\b"
        r"|\bregister to (view|read|see|access)\b|\bmembers[- ]only\b|\bsubscribe to (read|view|continue|access)\b"
        r"|\bpremium (content|members?)\b|\bupgrade (to|now)\b|\bto (keep|continue) reading\b",
        max_words=20,
        requires=("unlock", "content", "register to", "members", "subscribe to", "premium", "upgrade", "reading"),
        description="paywall prompts: content locked behind an account or a plan",
    ),
    LineRule(
        "view_limit",
        r"\bviews? (remaining|left)\b|\blimited to \d+ (page |free )?views?\b"
        r"|\bfree (articles?|views?|pages?) (left|remaining)\b"
        r"|\byou have \d+ free\b|\b\d+ (more )?(free (page )?|page )views\b"
        r"|\b\d+ of \d+ (free )?(\w+ )?(pages?|views?|articles?|lookups?)\b.{0,40}\b(remaining|left|used)\b"
        r"|\b(pages?|articles?|lookups?) (remaining|left) (this|per|today)\b|^free preview\b",
        max_words=30,
        requires=("view", "remaining", "left", "limited", "you have", "used", "free preview"),
        description="metered-access counters ('3 page views remaining')",
    ),
    LineRule(
        "call_to_action",
        r"^(learn more|read more|see more|click here|get started|find out more|discover more|view more|show more"
        r"|continue reading|download (now|our|the|free)|book (a )?(demo|call|consultation)|request (a )?demo"
        r"|schedule (a )?demo|start (your )?free trial|try (it |us |\w+ )?(for )?free|get (instant|unlimited|free|full"
        r"|expert|access|your (free|first))|talk to (an? )?(expert|sales)|contact sales|sign up today|see pricing"
        r"|view pricing)\b"
        r"|^(get (\w+ ){0,2}(pro|premium|plus)$|(start|open|begin) (a )?(live )?chat\b"
        r"|(chat|talk) (with|to) (a|an|our|the) \w+( \w+)?( now| today)?$)",
        max_words=14,
        description="calls to action: buttons and promo lines that ask the reader to do something",
    ),
    LineRule(
        "promo_question",
        r"^(have|got) (a |any )?questions? (about|on|regarding)\b|^need help (with|coding)\b|^looking for help\b",
        max_words=15,
        description="promo openers addressed to the reader ('Have a question about CPT code X?')",
    ),
    LineRule(
        "promo_example",
        r"^(example|e\.g\.|for example|try)\s*:\s*[\"“]",
        max_words=30,
        description="example queries shown by a search or assistant widget ('Example: \"What is CPT code 99213?\"')",
    ),
    LineRule(
        "trust_marketing",
        r"\b(hipaa|soc ?2|gdpr|hitrust)[- ](compliant|certified|ready)\b|\bbuilt for trust\b|\bsafeguard (your|our)\b"
        r"|\byour (patient'?s?'? )?data is (protected|safe|secure)\b|\btrusted by \d",
        max_words=40,
        requires=("compliant", "certified", "ready", "trust", "safeguard", "data is"),
        description="security and compliance marketing of the publishing product",
    ),
    LineRule(
        "image_alt",
        r"^[a-z0-9]+([-_][a-z0-9]+)*[-_]?(logo|icon|bg|img|image|banner|badge|avatar|svg|png|jpe?g|gif|webp|sprite|thumb)$"
        r"|^(logo|icon|img|image|banner|badge|avatar)[-_]?[a-z0-9-_]*$",
        max_words=1,
        case_sensitive=True,
        description="image alt texts and file names saved as text ('main-logo', 'hipaa-icon')",
    ),
    LineRule(
        "asset_token",
        r"^[a-z][a-z0-9]*([-_][a-z0-9]+)+$",
        max_words=1,
        skip_items=True,
        case_sensitive=True,
        description="CSS class names and decoration ids saved as text ('card-topcard-bottom', 'diamond-bg')",
    ),
    LineRule(
        "contact_email",
        r"^((e-?mail|contact|support|write to us|questions)\s*(us)?\s*[:\-]?\s*)?[\w.+-]+@[\w-]+(\.[\w-]+)+\.?$",
        max_words=6,
        description="contact e-mail addresses on their own line",
    ),
    LineRule(
        "contact_phone",
        r"^(call( us)?|phone|tel|telephone|fax)\s*[:\-]?\s*\+?[\d\s().-]{7,}$",
        max_words=8,
        description="contact phone numbers on their own line",
    ),
    LineRule(
        "read_time",
        r"^(\d+|one|two|three|five|ten)\s*(-\s*)?(min(ute)?s?|hours?)\s*(read|reading)(\s*time)?$|^reading time\s*:",
        max_words=6,
        description="article meta: '5 min read'",
    ),
    LineRule(
        "byline_meta",
        r"^(published|updated|last updated|last modified|posted|reviewed)( on| by)?\s*:?\s*\w"
        r"|^(by|written by|author)\s*:?\s+[A-Z][\w.]+(\s+[A-Z][\w.]+){0,3}\s*$"
        r"|^((clinically|medically|expert|peer|editorially)[- ])?reviewed by\b|^fact[- ]checked by\b"
        r"|^(by|written by)\s+(the\s+)?[A-Z].{0,80}\b(updated|published|posted|reviewed)\b",
        max_words=16,
        description="article meta lines: bylines and dates",
    ),
    LineRule(
        "view_counter",
        r"^[\d,.]+[kK]?\s*(views?|reads?|likes?|shares?|comments?)$|^(views?|reads?)\s*:\s*[\d,.]+$",
        max_words=4,
        description="view, like and share counters",
    ),
    LineRule(
        "share_widget",
        r"^(share( this( page| article| post)?)?( on| via| to)?( facebook| twitter| x| linkedin| whatsapp| email"
        r"| pinterest)?"
        r"|tweet( this)?|pin it|facebook|twitter|linkedin|pinterest|whatsapp|instagram|youtube|email this( page)?"
        r"|print( this)?( page| article)?|copy link|bookmark( this)?)[:.!]?$",
        max_words=6,
        description="share, print and social widgets",
    ),
    LineRule(
        "feedback_widget",
        r"^(was this (\w+ ){0,2}(helpful|useful)\??( yes\s*[/|]?\s*no)?"
        r"|did you find this (page |article )?(helpful|useful)\??"
        r"|did (this|the) (page|article|answer|post|guide) help( you)?\??"
        r"|leave a (comment|reply)|post a comment|\d* ?comments?|rate this (page|article)|thanks for your feedback!?"
        r"|(helpful\?\s*)?yes( \(\d+\))?\s*[/|·]?\s*no( \(\d+\))?)$",
        max_words=10,
        description="comment and feedback widgets",
    ),
    LineRule(
        "cookie_banner",
        r"\bcookies?\b.{0,120}\b(use|uses|accept|consent|policy|experience|preferences|settings)\b"
        r"|\b(use|uses|using)( of)? cookies\b"
        r"|^(accept|reject|decline|allow)( all| necessary| essential)?( cookies)?$"
        r"|^(manage|customi[sz]e) (preferences|cookies|settings)$",
        max_words=60,
        requires=("cookie", "accept", "reject", "decline", "allow", "manage", "customi"),
        description="cookie and consent banners with their buttons",
    ),
    LineRule(
        "breadcrumb",
        r"^((home|main|start)\s*(>|»|/|›|\||→)\s*\S.*(>|»|/|›|\||→)|(you are here|you're here)\s*:"
        r"|[\w&'’ -]{1,30}( (/|>|»|›) [\w&'’ -]{1,30}){1,6} (/|>|»|›) (\d{5}|\d{4}[FT]|[A-V]\d{4})$)",
        max_words=25,
        description="breadcrumb trails ('Home > CPT Codes > Surgery', 'You are here: ...', 'Codes / Lab / 81002')",
    ),
    LineRule(
        "search_box",
        r"^search(\s+(all|for|our|the|by))?([\s,&/]+[\w-]+){0,5}(\.\.\.|…)?$"
        r"|^(enter|type) (a |your )?(code|keyword|search|e-?mail)",
        max_words=7,
        description="search boxes and their placeholders",
    ),
    LineRule(
        "skip_link",
        r"^(skip|jump) to (main )?(content|navigation|main|search)$"
        r"|^(back to top|scroll to top|top of (the )?page|toggle navigation|menu|close|open menu)$"
        # "Back to ..." is a link with an arrow before it, or when it names a list to go back to.
        r"|^(←|‹|«|<)\s*back to\b.{1,40}$"
        r"|^back to (the )?(top|home|homepage|index|glossary|blog|search|results|all [\w ]{1,30}"
        r"|[\w ]{1,30} (library|index|list|directory|lookup|search|articles|glossary))$",
        max_words=8,
        description="accessibility and menu toggles",
    ),
    LineRule(
        "newsletter",
        r"\bnewsletter\b|\bsubscribe\b|\bget (the latest|updates) (in|to|delivered)\b"
        r"|\bstay (up to date|updated|informed)\b"
        r"|\b(in|to) your inbox\b",
        max_words=25,
        requires=("newsletter", "subscribe", "latest", "updates", "up to date", "updated", "informed", "inbox"),
        description="newsletter signups",
    ),
    LineRule(
        "app_download",
        r"\b(app store|google play|download (the|our) (free )?app|get (it|the app) on)\b",
        max_words=25,
        requires=("app store", "google play", "app"),
        description="app-store promotion",
    ),
    LineRule(
        "advertisement",
        r"^[\[(]?(advertisement|sponsored( content)?|ad|ads by \w+|promoted)[\])]?$",
        max_words=3,
        description="ad labels",
    ),
    LineRule(
        "popular_links",
        r"^(popular|trending|most (viewed|searched|popular)|recently viewed|top searches|people also (viewed|searched))"
        r"( (codes?|lookups?|searches|articles?|pages?|topics?))?\s*[:\-]",
        max_words=25,
        description="site-wide link widgets: popular, trending, recently viewed lookups",
    ),
    LineRule(
        "related_link",
        # A line naming a billing code is a related code, content (the related_codes section).
        r"^(?!.*\b(?:\d{4}[0-9FTU]|[A-V]\d{4})\b)(related|read (also|next|more)|you may also like|further reading)"
        r"( (articles?|posts?|guides?|reading|stories|content))?\s*:\s+[A-Z]",
        max_words=20,
        description="a link to another article printed inline: 'Related: ICD-10 Code for ...: Complete Guide'",
    ),
    LineRule(
        "bare_link",
        r"^(https?://\S+|www\.[\w.-]+(/\S*)?)$",
        max_words=1,
        requires=("http", "www."),
        description="a line that is only a web address (a link's text left behind)",
    ),
    LineRule(
        "footer_link",
        r"^(privacy( policy)?|terms( of (use|service))?|terms (&|and) conditions|cookie (policy|settings)|disclaimer"
        r"|sitemap"
        r"|accessibility( statement)?|about us|contact us|careers|jobs|press|blog|help( center)?|pricing|imprint"
        r"|legal|do not sell my (personal )?information|editorial (policy|guidelines)|advertise( with us)?)$",
        max_words=6,
        description="footer and legal links",
    ),
    LineRule(
        "powered_by",
        r"^(powered by|built with|made with)\b",
        max_words=8,
        description="platform credits",
    ),

    # --- forum and Q&A chrome, link rows, site taglines (general patterns of community and
    # old table-layout sites; none names a site) ---
    LineRule(
        "link_row",
        r"^(?!.*\d)(?=(?:.*[|·•]\s*)?(?:home|search|log ?in|sign ?(?:in|up)|register|privacy|terms|contact|about|help"
        r"|faq|share|follow|flag|report|print|printer-friendly|e-?mail this|back to top|save|bookmark|subscribe|pricing"
        r"|blog|careers|sitemap|disclaimer|advertise|ask a question|prev(?:ious)?|next|get pro"
        r"|facebook|twitter|x|linkedin|pinterest|instagram|youtube|whatsapp|reddit|email|e-mail|copy link)\b)"
        r"[^|·•.!?]{1,40}(?:[|·•][^|·•.!?]{1,40}){1,12}$",
        max_words=30,
        requires=("|", "·", "•"),
        description="a row of links or buttons separated by | · • with at least one site-chrome entry "
        "('About · Privacy · Terms', 'Share · Follow · Flag', 'Printer-friendly version | E-mail this page')",
    ),
    LineRule(
        "forum_meta",
        r"^(asked|answered|edited|modified|commented|replied|viewed|active|posted|last (activity|reply|post))\b"
        r".{0,60}?(\b(19|20)\d\d\b|\bago\b|\btoday\b|\byesterday\b|\bby\b|\btimes\b|\b\d{1,2}:\d\d\b)",
        max_words=16,
        requires=("asked", "answered", "edited", "modified", "commented", "replied", "viewed", "active", "posted",
                  "last"),
        description="Q&A post meta: 'Asked 3 days ago · Viewed 812 times', 'answered Mar 2 by X'",
    ),
    LineRule(
        "vote_count",
        r"^[+-]?[\d,]{1,6}\s*(votes?|points?|upvotes?|helpful)$"
        r"|^(votes?|upvotes?|downvotes?|points?|score|upvote|downvote)( [\d,]+)?$"
        r"|^[▲▼△▽⬆⬇↑↓]+$",
        max_words=3,
        requires=("vote", "point", "helpful", "score", "▲", "▼", "△", "▽", "⬆", "⬇", "↑", "↓"),
        description="vote counters and vote arrows; a lone number next to one is its count (see clean.py)",
    ),
    LineRule(
        "forum_action",
        r"^(add (a )?comment|reply|quote|report( abuse| this)?|answer|your answer|post (your )?(answer|reply|comment)"
        r"|accepted( answer)?|best answer|(\d+|no) (answers?|replies|comments)|sort(ed)? by\b.*"
        r"|(show|load|view|see) (\d+ )?more (answers?|comments?|replies)|improve this (answer|question)"
        r"|ask a question|follow( this)?( question| thread)?|continue this thread|not the answer you're looking for\?.*"
        r"|(comments?|answers?|replies|responses) \(\d+\)"
        r"|(best|top|most helpful|accepted|chosen) (answer|reply|response|solution)|solved"
        r"|marked as (the )?(solution|answer)"
        r"|award|permalink|embed|edit|delete|hide|save)$",
        max_words=8,
        description=(
            "Q&A post controls and labels: 'Reply', 'Add a comment', '3 Answers', 'Sorted by: ...', 'Accepted answer'"
        ),
    ),
    LineRule(
        "signature",
        r"^(--|~)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}\s*([,|]|$)"
        r"|^[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]*){0,2},\s*(CPC|CCS|CCS-P|CPCO|CPMA|COC|CIC|CRC|CEMC|CPB|CCA|RHIT|RHIA|CRCR|CHONC)\b"
        r"(?!.*\b(is|are|was|were|has|have|wrote|reviewed|says)\b)",
        max_words=20,
        case_sensitive=True,
        requires=("--", "~", ","),
        description="forum signatures: '-- Name, CPC | 14 years of billing', 'Dana K., CPC, CCPC | E/M auditor'",
    ),
    LineRule(
        "comment_handle",
        r"\s[–—-]\s*@?[a-z][a-z0-9.]*(_[a-z0-9]+)+$|\s[–—-]\s*@?[a-z]+[0-9]+$",
        max_words=25,
        case_sensitive=True,
        requires=("-", "–", "—"),
        description="a short comment signed with a user handle: 'Thanks, that fixed it. – coder_kim'",
    ),
    LineRule(
        "thread_noise",
        r"^(same (problem|issue|question|here)|following (this |the )?(thread|question|post|topic)|bump|\+1"
        r"|me too)\b[^.!?]{0,40}[.!]*$",
        max_words=10,
        requires=("same", "following", "bump", "+1", "me too"),
        description="forum replies that carry no information: 'Same problem here, following this thread.'",
    ),
    LineRule(
        "tag_list",
        r"^(tags?|tagged( with)?|keywords)\s*:",
        max_words=15,
        requires=("tag", "keywords"),
        description="post tags: 'Tags: cpt modifier-59 ncci'",
    ),
    LineRule(
        "tagline",
        r"^(the|your)\b[^.!?]{0,60}\bsince (19|20)\d\d$|^(est\.?|established)( in)? (19|20)\d\d$",
        max_words=10,
        requires=("since", "est"),
        description="site taglines: 'The Medical Billing Resource Since 1998'",
    ),
    LineRule(
        "visitor_counter",
        r"^(visitors?|visits|hits|page ?views)( since (19|20)\d\d| today| online)?\s*:?\s*[\d,]*$",
        max_words=6,
        requires=("visit", "hits", "view"),
        description="visitor counters ('Visitors since 1998:'); the lone number next to one is its count",
    ),
    LineRule(
        "promo_offer",
        r"\bfree \d+[- ]day (free )?trial\b|\b\d+[- ]day free trial\b|\bclick here$"
        r"|\b(start|begin) (your|a) (free|\d+[- ]day) trial\b",
        max_words=15,
        requires=("trial", "click here"),
        description="ad copy: 'Billing Software - FREE 30 Day Trial! Click Here'",
    ),
    LineRule(
        "comment_meta",
        r"^[\w .'’-]{1,40} (says|said|wrote|writes|replied|commented)\s*:$"
        r"|^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2},? "
        r"(19|20)\d\d( (at )?\d{1,2}:\d\d ?([ap]\.?m\.?)?)?$"
        r"|^\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]* (19|20)\d\d$|^(19|20)\d\d-\d\d-\d\d$",
        max_words=8,
        description="comment headers and bare dates: 'Jane says:', 'March 3, 2024 at 5:12 pm'",
    ),
    LineRule(
        "user_info",
        r"^(joined|member since|posts|messages|reputation|karma)\s*:?\s*([\d,.]+[kK]?"
        r"|(\w{3,9}\.? )?(\d{1,2},? )?(19|20)\d\d)$",
        max_words=5,
        requires=("joined", "member", "posts", "messages", "reputation", "karma"),
        description="forum user cards: 'Joined: Mar 2019', 'Posts: 1,234'",
    ),
    LineRule(
        "prev_next",
        r"^(«|‹|←)?\s*(previous|next|prev|older|newer)( (post|article|page|question|entry|story|posts|entries|topic"
        r"|thread))?"
        r"\s*(»|›|→|:|$)",
        max_words=12,
        requires=("prev", "next", "older", "newer"),
        description="pager links between articles: 'Next article: ...', '« Previous'",
    ),
    LineRule(
        "page_number",
        r"^page \d+( of \d+)?$|\bpage \d+ of \d+$",
        max_words=12,
        requires=("page",),
        description="page counters of printed or paginated pages: 'Page 2 of 5', 'Printed on 03/02/2025. Page 4 of 4'",
    ),
    LineRule(
        "symbol_only",
        r"^[^\w$%€£]+$",
        max_words=6,
        description=(
            "lines with no letter or digit: carousel arrows, emoji buttons, separators ('‹ ›', '👍 👎', '-----')"
        ),
    ),
    LineRule(
        "action_bar",
        r"^((\d[\d,.]*[kK]?\s+)?(comments?|replies|shares?|likes?|votes?|upvotes?|reply|share|save|report|award"
        r"|give award"
        r"|hide|edit|delete|follow|flag|permalink|embed|print|email|bookmark|quote)\s*[·|•]?\s*){2,}$",
        max_words=10,
        description="a bar of post actions and counts joined into one line: '87 Comments Share Save', 'Reply Share'",
    ),
    LineRule(
        "account_links",
        r"(^|\s)(Log ?[Ii]n|Sign ?[Ii]n|Sign ?[Uu]p|Register|Create [Aa]ccount|My [Aa]ccount)"
        r"(\s*[|·/]?\s*(Log ?[Ii]n|Sign ?[Ii]n|Sign ?[Uu]p|Register|Join))?$",
        max_words=6,
        case_sensitive=True,
        requires=("log", "sign", "register", "account"),
        description="a header line ending in account links: 'reddit Log In', 'Acme Sign In Sign Up'",
    ),
    LineRule(
        "sponsored_line",
        r"^[\[(]?(sponsored|advertisement|promoted|paid (post|content)|partner content)[\])]?\s*[:|–—-]",
        max_words=30,
        requires=("sponsored", "advertisement", "promoted", "paid", "partner"),
        description="labelled ad copy: 'Sponsored: Get 20% off ...'",
    ),
    LineRule(
        "comment_count",
        r"^\d+ (thoughts|responses|comments|replies) (on|to)\b",
        max_words=25,
        requires=("thought", "response", "comment", "repl"),
        description="comment-thread titles: '12 thoughts on “...”', '3 responses to ...'",
    ),
    LineRule(
        "tag_cloud",
        r"^(?=.*[a-z0-9]-[a-z0-9])(?!.*\b(the|and|or|of|to|for|with|in|on|is|are|an?|by|per|toward|from|at|was|be)\b)"
        r"[a-z][a-z0-9]*(-[a-z0-9]+)*( +[a-z][a-z0-9]*(-[a-z0-9]+)*){2,9}$",
        max_words=10,
        skip_items=True,
        case_sensitive=True,
        requires=("-",),
        description=(
            "a post's tags as a line of 3+ lowercase slugs: 'cpt smoking-cessation modifier-25' "
            "('200-unit vial' stays)"
        ),
    ),
    LineRule(
        "meta_row",
        r"^(?:(?:by [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}|\d+ min(?:ute)?s? read"
        r"|(?:updated|published|posted|reviewed|modified)(?: on)?:? [\w ,/.-]{3,25}"
        r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2},? (?:19|20)\d\d"
        r"|\d{1,2}/\d{1,2}/(?:19|20)?\d\d"
        r"|[\d,.]+[kK]? (?:views?|comments?|likes?|shares?|reads?))\s*(?:[|·•]\s*|$)){2,}$",
        max_words=25,
        requires=("|", "·", "•"),
        description="a row of article meta separated by | · • ('By Jane Doe · 5 min read · Updated Jan 5, 2025')",
    ),
    LineRule(
        "markdown_image",
        r"^!\[[^\]]*\]\([^)]*\)$",
        max_words=15,
        requires=("![",),
        description="a Markdown image alone on its line: '![logo](/img/logo.png)'",
    ),
    LineRule(
        "community_disclaimer",
        r"\bnot (official|professional|legal|medical)( coding| billing| medical)? advice\b|\buser[- ]contributed\b"
        r"|\buser contributions\b",
        max_words=30,
        requires=("advice", "user"),
        description="community disclaimers: 'Answers are user contributions, not official coding advice.'",
    ),
    LineRule(
        "site_self",
        r"\b(our|this) (site|website|web site|blog|platform|app)\b",
        max_words=40,
        requires=("our ", "this "),
        description="the site speaking of itself: 'Our site provides educational explanations ...', "
        "'This website is not affiliated with ...' (content speaks of codes and care, not of the site)",
    ),
)

# Badges glued to the front of a heading ("NewBilling Guidelines", "UpdatedRecovery").
GLUED_BADGES: tuple[str, ...] = ("new", "updated", "hot", "popular", "trending", "featured", "sponsored", "premium",
                                 "pro", "beta", "free")

# Phrases that sites glue onto content without a space when saving text
# (`Learn morePost-Procedure Follow-Up`, `...heals well.Download our app`).
# Only the phrase is removed; the content it was glued to is kept.
GLUED_PHRASES: tuple[str, ...] = (
    "learn more",
    "read more",
    "see more",
    "click here",
    "get started",
    "find out more",
    "continue reading",
    "sign up for free",
    "sign up",
    "sign in",
    "log in",
    "register now",
    "download our app",
    "download the app",
    "book a demo",
    "subscribe now",
    "show more",
    "view more",
)

# A line that heads a list of links to other questions or pages (the list under it is chrome,
# rule `link_list`): "Related questions", "Hot this week", "Popular pages". "Related codes" is
# not here: on a code page it is a content section.
LINK_LIST_HEADER = re.compile(
    r"^((related|similar|linked|hot|trending|popular|recent|top|more|other)( \w+)? (questions|posts|threads|discussions"
    r"|topics|articles|pages|searches|guides|reads)( this week| today| now)?"
    r"|(hot|trending|popular) (this week|today|now|network questions)"
    r"|most (viewed|popular|read|searched)( codes| pages| questions)?|you (may|might) also like|recommended for you"
    r"|read next"
    r"|(hot|trending|popular|top|recently viewed|frequently searched) (codes|lookups|searches)( this week| today"
    r"| now)?)\s*:?$",
    re.IGNORECASE,
)
# A table of contents: the header and the entries under it repeat the page's own headings
# (rule `toc`, same list logic as `link_list`).
TOC_HEADER = re.compile(
    r"^(table of contents|contents|on this page|in this (article|guide|post|page)|jump to( a)? section|quick links"
    r"|sections)\s*:?$",
    re.IGNORECASE,
)
# An author box: the header and the few lines of biography under it (rule `author_box`).
AUTHOR_BOX_HEADER = re.compile(r"^(about|meet) the (author|reviewer|writer|editor|expert)s?\s*:?$", re.IGNORECASE)
AUTHOR_BOX_MAX_LINES = 4
# The list under such a header ends at a line longer than this, a sentence, or a heading.
LINK_LIST_MAX_WORDS = 15
LINK_LIST_MAX_LINES = 20

# --- HTML -------------------------------------------------------------------------------

# Elements whose whole subtree is never page content.
HTML_DROP_TAGS: frozenset[str] = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
        "nav", "aside", "form", "button", "select", "input", "textarea", "label", "dialog",
        "head", "link", "meta", "video", "audio", "picture", "img", "map",
    }
)
# Dropped elements whose visible text is recorded in removed_lines (scripts and styles are not text).
HTML_AUDITED_TAGS: frozenset[str] = frozenset({"nav", "aside", "form", "button", "dialog", "header", "footer",
                                               "select", "label"})
# Dropped only outside <main>/<article> (inside, a <header> usually holds the h1).
HTML_DROP_OUTSIDE_MAIN: frozenset[str] = frozenset({"header", "footer"})

# class / id / role tokens that mark chrome rather than content.
HTML_BOILERPLATE_ATTR = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|menubar|footer|cookies?|consent|gdpr|modal|popup|pop-up|overlay"
    r"|signup|sign-up|newsletter|subscribe|share|sharing|social|breadcrumbs?|sidebar|advert|adverts|ads|ad-slot"
    r"|promo|paywall|login|register|related-posts|comments?|skip-link|toolbar|topbar|masthead|toc|table-of-contents"
    r"|ad|adsbygoogle|dfp|sponsored|tags|taglist|tag-list|user-info|user-details|user-card|usercard|reputation|cta)(?:$|[\s_-])",
    re.IGNORECASE,
)
HTML_BOILERPLATE_ROLES: frozenset[str] = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar",
     # the tab list: each tab's label heads its panel instead (extract._tab_labels)
     "tablist"}
)

# Substrings of a class or id that mark a consent manager wherever they stand in the token
# ("CybotCookiebotDialog", "onetrust-banner-sdk", "cmpConsentBox").
HTML_CHROME_SUBSTRINGS: tuple[str, ...] = ("cookie", "consent", "onetrust", "gdpr")
# aria-roledescription values of widgets that are never article content.
HTML_BOILERPLATE_ROLEDESCRIPTIONS: frozenset[str] = frozenset({"carousel", "slider", "slideshow", "ticker"})
# Whole class tokens of elements positioned over or beside the page (sticky headers and
# sidebars, fixed consent bars and chat launchers): chrome, whatever their content.
HTML_OVERLAY_CLASS = re.compile(r"(?:^|\s)(sticky|fixed)(?:$|\s)")
# Whole class tokens that make an element's text bold or call it a heading (`font-semibold`,
# `fw-bold`, `section-title`, `card-heading`, `h3`): its line is read like a <b> line, a
# heading by look when content follows (see extract.EMPHASIS_LEVEL).
HTML_BOLD_CLASS = re.compile(
    r"(?:^|\s)(font-(?:bold|semibold|extrabold|black)|fw-(?:bold|semibold|bolder)|bold|strong|[\w-]*(?:heading|title)|h[1-6])(?:$|\s)",
    re.IGNORECASE,
)
# An accordion toggle (<button aria-expanded>) with a label of at least this many words is a
# question or a title, kept as content; shorter toggles ("Menu", "More") are controls.
DISCLOSURE_MIN_WORDS = 3

HTML_HEADINGS: frozenset[str] = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
HTML_BLOCKS: frozenset[str] = frozenset(
    {
        "p", "div", "section", "article", "main", "body", "html", "blockquote", "pre", "ul", "ol", "dl",
        "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "figure", "figcaption",
        "address", "details", "summary", "center", "fieldset", "hr", "li", "header", "footer", "span-block",
    }
)

# --- Sections ----------------------------------------------------------------------------

# Canonical section -> phrases that name it. A heading is normalised (lowercase, punctuation
# and code numbers dropped, stopwords dropped, light plural stemming) and scored against every
# phrase whose words all occur in it; the best total wins. Generic words weigh less.
SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "overview": ("overview", "summary", "introduction", "about", "at glance", "definition", "general information",
                 "quick fact", "key fact", "fast fact", "quick answer", "short answer"),
    "official_description": ("official description", "official descriptor", "long descriptor", "descriptor",
                             "official", "code description", "full description", "long description"),
    "lay_description": ("common language description", "lay description", "plain language", "plain english",
                        "lay term", "simple term", "layman", "patient friendly", "consumer description",
                        "short description", "in simple words", "explained simply", "what mean", "layperson",
                        "layperson summary", "lay summary", "explanation patient", "patient explanation",
                        "plain word",),
    "indications": ("indication", "when used", "used", "when needed", "who need", "candidate", "why performed",
                    "reason", "when recommended", "use case", "uses", "who should", "why done", "why needed",
                    "when report", "who qualifies", "eligib", "eligibility", "medical necessity", "when use",
                    "when apply", "medically necessary", "why order", "doctor order",),
    "purpose": ("purpose", "goal", "objective", "aim"),
    "symptoms": ("symptom", "sign"),
    "causes_risk_factors": ("cause", "risk factor", "etiology", "who risk"),
    "diagnostic_tests": ("diagnostic test", "diagnostic", "diagnosis", "test", "workup", "screening", "imaging",
                         "test before"),
    "procedure": ("procedure description", "procedure", "how performed", "performed", "step", "technique",
                  "what happen during", "during", "how done", "method", "process", "how work", "how performed",
                  "how given", "administration", "how administered", "service component", "what happen",),
    "tools_equipment": ("tool", "equipment", "instrument", "device", "supply", "supplies", "tools used", "material",
                        "instruments used", "equipment used", "devices used", "screening tool"),
    "anesthesia": ("anesthesia", "anaesthesia", "sedation", "anesthetic"),
    "duration": ("duration", "how long", "length", "time required", "procedure time", "time take", "timeframe",
                 "typical time", "time needed", "how much time"),
    "setting": ("setting", "location", "where performed", "place service", "facility", "site service", "where done",
                "where covered"),
    "personnel": ("personnel", "staff", "care team", "who perform", "provider", "team", "specialist", "crew", "who may",
                  "who can perform", "who see", "who provide",),
    "preparation": ("preparation", "prepare", "prep", "pre procedure", "preoperative", "pre operative", "getting ready",
                    "before your", "how get ready", "before procedure", "before surgery", "before study", "before test",
                    "before exam", "before visit"),
    "recovery": ("recovery", "aftercare", "after care", "recover", "postoperative", "post operative", "healing",
                 "after procedure", "rehabilitation"),
    "complications": ("complication", "risk", "side effect", "adverse", "danger", "safety", "safe",),
    "benefits": ("benefit", "advantage", "outcome", "expected result", "pros"),
    "follow_up": ("follow up", "followup", "follow", "check up", "post procedure care", "getting result",
                  "your result",),
    "alternatives": ("alternative", "other option", "other treatment", "instead", "option"),
    "home_care": ("home care", "at home", "self care", "care tip", "home", "caring yourself"),
    "patient_education": ("patient education", "education", "prevention", "prevent", "lifestyle", "learn"),
    "patient_experience": ("patient experience", "experience", "what expect", "feel"),
    "billing": ("billing", "coding", "bill", "claim", "coding guideline", "coding tip", "documentation",
                "modifier", "rvu", "relative value", "what document", "choosing right", "count unit", "how choose",
                "unit", "reporting", "how coded", "audit", "auditor",),
    "cost_coverage": ("cost", "price", "pricing", "insurance", "coverage", "how much", "fee", "pay", "payment",
                      "fee schedule", "medicare", "reimburse", "reimbursement", "paying", "pay for",),
    "faq": ("faq", "frequently asked", "common question", "question", "q a", "ask", "mailbag", "reader question",
            "your question",),
    "related_codes": ("related", "similar", "see also", "other", "crosswalk", "family", "add on", "companion",
                      "other may need"),
    "policies": ("policy", "guideline", "health plan", "medical policy", "lcd", "ncd", "payer", "limit",
                 "coverage limit", "filing limit", "not medically necessary", "not covered",),
    "references": ("reference", "source", "citation", "bibliography", "further reading", "resource"),
}

# Words too generic to name a section on their own.
GENERIC_WORDS: frozenset[str] = frozenset({"procedure", "information", "patient", "treatment", "care", "medical",
                                           "other", "tip"})
GENERIC_WEIGHT = 0.3

# Dropped when normalising a heading. "what/when/how/who/why" are kept: they carry meaning.
HEADING_STOPWORDS: frozenset[str] = frozenset(
    {
        "of", "the", "a", "an", "and", "or", "for", "to", "is", "are", "this", "that", "it", "its", "with", "in",
        "on", "by", "be", "will", "you", "i", "my", "do", "does", "can", "should", "from", "at", "as", "&",
        "cpt", "hcpcs", "code", "codes", "cpt4", "level", "ii", "iii", "category", "n",
        # filler that names no section on its own ("Procedure Details" is the procedure)
        "detail", "details", "info", "explained", "guide", "section",
    }
)

# --- Codes -------------------------------------------------------------------------------

# CPT Category I (5 digits), II (4 digits + F), III (4 digits + T); HCPCS Level II (letter + 4 digits).
CODE_PATTERN = re.compile(r"(?<![\w$.,/-])(\d{5}|\d{4}[FT]|[A-V]\d{4})(?![\w%]|[.,]\d|-\d)")
# Four digits in a row, which every match of CODE_PATTERN holds: a cheap test before it (most lines
# hold none).
FOUR_DIGITS = re.compile(r"\d{4}")
# The code named as a code (group "code"): "CPT Code 21183", "CPT® code: 0263T", "HCPCS code
# J1100", "code 21183".
CODE_PHRASE = re.compile(
    r"\b(?:(cpt|hcpcs)(?:®|\(r\)|™)?(?:\s*(?:4|level\s*ii|category\s*(?:i|ii|iii)))?\s*(?:code)?|code)\s*[:#]?\s*"
    r"(?P<code>\d{5}|\d{4}[FT]|[A-V]\d{4})\b",
    re.IGNORECASE,
)
# More ways of naming a code as a code, each tried only on lines holding one of its words:
# a code followed by what it is ("37531 is the CPT code for ...", "99213 describes ...",
# "20552 is reported when ..."), and a reporting verb before it ("report 64483 for ...").
CODE_PHRASE_EXTRA: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(
            r"(?<![\w$.,/-])(?P<code>\d{5}|\d{4}[FT]|[A-V]\d{4})\s+(?:is\s+(?:the|a|an)\s+(?:(?:cpt|hcpcs)(?:®|™)?\s+)?code"
            r"|describes|represents|is\s+used\s+(?:for|to|when)|is\s+reported\s+(?:for|when))\b",
            re.IGNORECASE,
        ),
        ("describes", "represents", " is "),
    ),
    (
        re.compile(r"\b(?:report|bill)\s+(?:code\s+)?(?P<code>\d{5}|\d{4}[FT]|[A-V]\d{4})\s+for\b", re.IGNORECASE),
        ("report", "bill"),
    ),
    # The code stated as the answer of a sentence: "The procedure code for <what> is (typically) 20610",
    # "the correct code to use for ... would be J1100".
    (
        re.compile(
            r"\bcodes?\b[^.!?]{0,160}?\b(?:is|are|would\s+be|will\s+be)\s+(?:typically\s+|usually\s+|generally\s+"
            r"|most\s+often\s+|likely\s+|code\s+)?(?P<code>\d{5}|\d{4}[FT]|[A-V]\d{4})\b(?!\s*(?:and|or|,|/|-|–)\s*\w)",
            re.IGNORECASE,
        ),
        (" code",),
    ),
)
# Two codes set against each other in a heading ("L3000 vs L3030", "99213 versus 99214"): a
# comparison page, about neither code alone.
CODE_COMPARISON = re.compile(
    r"(?<![\w])(?:\d{5}|\d{4}[FT]|[A-V]\d{4})\s*(?:vs\.?|versus)\s*(?:\d{5}|\d{4}[FT]|[A-V]\d{4})\b",
    re.IGNORECASE,
)

# A number in a URL path is a code only where the path says so: in a slug among words
# (/can-g2211-be-added), after or inside a segment naming a code set (/cpt/99213, /code-99213,
# /hcpcs/J1100). A bare number segment or a slug's leading number is a page id
# (/questions/18832/..., /article/48213-title) unless such a segment names a code set.
URL_CODE_CONTEXT = re.compile(r"cpt|hcpcs|codes?\b|code[-_]|procedure", re.IGNORECASE)

# Evidence weights for the code the page is about. A page's code needs a clear winner:
# the best candidate must score at least CODE_DOMINANCE times the runner-up.
CODE_WEIGHTS: dict[str, float] = {
    "jsonld": 100.0,  # schema.org MedicalCode: the publisher saying what the page is about
    "url": 50.0,  # the code in the URL path
    "title": 40.0,  # in the <title>, the h1, or the first heading of a dump
    "heading": 15.0,  # in another heading
    "phrase": 10.0,  # "CPT Code 21183" or "CPT Code: 21183" in content
    "definition": 6.0,  # a line that starts with the code and describes it ("71271 | Computed tomography ...")
    "mention": 2.0,  # a bare number in content
    "promo": 1.0,  # only inside a removed promo line ("Have a question about CPT code X?")
}
CODE_DOMINANCE = 2.0

# Key/value keys that are metadata rather than section headings.
FACT_KEYS_CATEGORY: frozenset[str] = frozenset({"category", "code category", "type", "specialty", "section"})
