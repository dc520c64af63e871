"""The whole assessment as blocks: cover, deprivation, answers, checks, actions, provenance, sign-off."""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from hia_service.domain.geography.access import TRAVEL_ANSWER_KEY, TravelChange
from hia_service.domain.geography.users import stored_users
from hia_service.domain.rating_explained import explain

from .answers import NOT_ANSWERED, answer_text, is_rows, is_shown, questions, row_table
from .blocks import Block, Bullets, Facts, Group, Heading, Para, SignatureSpace, Table, Verification
from .deprivation import deprivation_blocks, map_source_line, travel_blocks, users_blocks
from .snapshot import generated_at, snapshot_profile
from .summary import summary_blocks
from .wording import (
    RATING_LABELS,
    RATING_LONG_LABELS,
    STATUS_LABELS,
    document_label,
    long_date,
    rating_summary,
    reason_text,
)

# The action plan's columns when the framework does not list the fields of its "actions" question.
ACTION_FIELDS = (
    {"id": "action", "label": "Action", "type": "long_text"},
    {"id": "owner", "label": "Owner", "type": "person"},
    {"id": "due", "label": "Due date", "type": "date"},
    {"id": "measure", "label": "Measure of success", "type": "long_text"},
)


GROUP_COLUMNS = {
    "impact": "Likely impact",
    "mechanism": "What changes",
    "evidence": "Evidence",
    "mitigation": "What we will do",
}


def assessment_blocks(
    snapshot: Mapping[str, Any], *, chart_png: bytes | None, map_png: bytes | None
) -> list[Block]:
    """Everything the PDF and the Word copy say, in order."""
    blocks = summary_blocks(snapshot)
    deprivation = deprivation_blocks(
        snapshot_profile(snapshot),
        chart_png=chart_png,
        map_png=map_png,
        lsoa_deciles=snapshot.get("lsoa_deciles"),
        map_source=_map_source(snapshot),
        site_radius_km=_site_radius_km(snapshot),
    )
    travel = travel_blocks(TravelChange.from_json((snapshot.get("answers") or {}).get(TRAVEL_ANSWER_KEY)))
    users = users_blocks(snapshot_profile(snapshot), stored_users(snapshot.get("answers") or {}))
    blocks += (
        deprivation[:-1] + data_gap_blocks(snapshot) + users + travel + deprivation[-1:]
    )  # before its page break
    blocks += cumulative_blocks(snapshot.get("cumulative"))
    blocks += rating_blocks(snapshot.get("rating"), snapshot.get("answers"))
    blocks += duty_blocks(snapshot)
    blocks += answer_blocks(snapshot)
    blocks += local_group_blocks(snapshot)
    blocks += quality_blocks(snapshot)
    blocks += action_plan_blocks(snapshot)
    blocks += provenance_blocks(snapshot)
    blocks += review_blocks(snapshot.get("review"))
    blocks += signoff_blocks(snapshot)
    return blocks


def _map_source(snapshot: Mapping[str, Any]) -> str:
    """The map's source line: the release of the index recorded with the version, and the year of the
    Ordnance Survey data the attribution names (the record's own year when it names none)."""
    prov = snapshot.get("provenance") or {}
    found = re.search(r"database right (\d{4})", str(prov.get("attribution") or ""))
    year = int(found[1]) if found else generated_at(snapshot).year
    return map_source_line(prov.get("release"), prov.get("release_label"), year)


def _site_radius_km(snapshot: Mapping[str, Any]) -> float | None:
    """The radius of a radius area (the map marks its site), from the area the profile records."""
    area = (snapshot.get("profile") or {}).get("area") or {}
    radius = area.get("radius_km") if area.get("type") == "point_radius" else None
    return float(radius) if isinstance(radius, int | float) else None


def data_gap_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    """How complete a profiled patient list is: the unknown shares NHS England's s13SA statement asks for."""
    gaps = snapshot.get("data_gaps") or ()
    if not gaps:
        return []
    intro = (
        "NHS England's statement on information on health inequalities asks for breakdowns by deprivation, "
        "ethnicity, age and sex with the share recorded as unknown. For the patient list used here:"
    )
    return [
        Heading("How complete the patient list is", level=2),
        Para(intro),
        Bullets(tuple(str(g.get("sentence") or g.get("id")) for g in gaps)),
    ]


DUTIES_INTRO = (
    "This assessment is the record that the organisation paid due regard to these duties before the "
    "decision. Which of them apply depends on the kind of NHS body, as each one says."
)


def duty_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    """The legal duties the framework names, by title: what a reader of the record needs to know it answers.

    All of them: the framework does not say which kinds of organisation each applies to, only in words."""
    duties = snapshot["framework"].get("duties") or ()
    if not duties:
        return []
    titles = tuple(str(d.get("title") or d.get("id")) for d in duties)
    return [Heading("Duties this assessment answers", level=2), Para(DUTIES_INTRO), Bullets(titles)]


def rating_blocks(rating: Mapping[str, Any] | None, answers: Mapping[str, Any] | None = None) -> list[Block]:
    if not rating or not rating.get("dimensions"):
        return []
    rows = tuple(
        (
            str(d["label"]),
            RATING_LABELS.get(d["rating"], d["rating"]),
            "\n".join(reason_text(r) for r in d.get("reasons") or ()) or "—",
        )
        for d in rating["dimensions"]
    )
    overall = RATING_LABELS.get(rating["overall"], rating["overall"])
    return [
        Heading("How the rating was worked out"),
        Para(f"Overall rating: {overall}. {rating_summary(rating)}".strip()),
        *inherent_residual_blocks(rating),
        Table(("Area of impact", "Rating", "Why"), rows, widths=(0.28, 0.12, 0.60)),
        *explanation_blocks(rating, answers),
    ]


def inherent_residual_blocks(rating: Mapping[str, Any]) -> list[Block]:
    """The rating before the action plan (inherent) and after it (residual), when the scoring stored both
    (ratings from before scoring rules knew about mitigation have neither)."""
    inherent, residual = rating.get("inherent"), rating.get("residual")
    if not inherent or not residual:
        return []
    rows = (
        ("Before the action plan (inherent rating)", _long_rating(inherent, rating.get("inherent_label"))),
        ("After the action plan (residual rating)", _long_rating(residual, rating.get("residual_label"))),
    )
    return [Facts(rows)]


def _long_rating(level: str, label: Any) -> str:
    return str(label or RATING_LONG_LABELS.get(level, level))


CUMULATIVE_INTRO = (
    "Other assessments by the organisation from the past year that cover some of the same neighbourhoods, "
    "as they stood when this record was made. Changes that affect the same people add up."
)


def cumulative_blocks(cumulative: Mapping[str, Any] | None) -> list[Block]:
    """The cumulative-impact overlap: other assessments of the same areas and the groups several harm."""
    if cumulative is None:
        return []  # no area chosen, or a record made before the overlap was part of it
    heading = Heading("Other assessments covering the same neighbourhoods", level=2)
    overlaps = cumulative.get("overlaps") or ()
    if not overlaps:
        return [
            heading,
            Para("No other assessment from the past year covers any of the same neighbourhoods."),
        ]
    rows = tuple(
        (
            f"{o['reference']}: {o['title']}",
            STATUS_LABELS.get(
                str(o.get("status")), str(o.get("status") or "—").replace("_", " ").capitalize()
            ),
            RATING_LABELS.get(str(o.get("rating")), "Not rated"),
            f"{o['shared']} ({round(float(o.get('share_of_this') or 0) * 100)}% of this area)",
        )
        for o in overlaps
    )
    blocks: list[Block] = [
        heading,
        Para(CUMULATIVE_INTRO),
        Table(
            ("Assessment", "Status", "Rating", "Neighbourhoods shared"), rows, widths=(0.46, 0.18, 0.12, 0.24)
        ),
    ]
    repeated = cumulative.get("repeated") or ()
    if repeated:
        blocks += [
            Para("Groups that more than one of these assessments expects to be harmed:"),
            Bullets(tuple(f"{r['label']}: {', '.join(r['references'])}" for r in repeated)),
        ]
    return blocks


def review_blocks(review: Mapping[str, Any] | None) -> list[Block]:
    """The reviewer's decision on this version, its conditions of approval and the comments they recorded."""
    if not review:
        return []
    approved = review.get("decision") == "approved"
    decision = "Approved" if approved else "Returned to the author"
    who = f" by {review['reviewer']}" if review.get("reviewer") else ""
    when = f" on {long_date(review['date'])}" if review.get("date") else ""
    blocks: list[Block] = [Heading("The reviewer's decision"), Para(f"{decision}{who}{when}.")]
    if approved:
        blocks += conditions_blocks(review)
    comments = review.get("comments") or ()
    if not comments:
        return [*blocks, Para("The reviewer recorded no comments on this version.")]
    rows = tuple((str(c.get("section") or "General"), str(c.get("text") or "")) for c in comments)
    return [
        *blocks,
        Para("Comments the reviewer recorded on this version:"),
        Table(("Section", "Comment"), rows, widths=(0.3, 0.7)),
    ]


def conditions_blocks(review: Mapping[str, Any]) -> list[Block]:
    """The conditions the approval was given on, a paragraph per line; a board reader is told plainly when
    there were none. A record made before conditions could be set (no such key) says nothing about them."""
    if "conditions" not in review:
        return []
    lines = [line.strip() for line in str(review["conditions"] or "").splitlines() if line.strip()]
    paragraphs = [Para(line) for line in lines] or [Para("No conditions were set.")]
    return [Heading("Conditions of approval", level=2), *paragraphs]


def explanation_blocks(rating: Mapping[str, Any], answers: Mapping[str, Any] | None) -> list[Block]:
    """Which facts set the rating, under which rule, and what would change it (issue 19, item 8)."""
    explanation = explain(rating, answers)
    if explanation is None:
        return []
    blocks: list[Block] = [Heading("What led to the rating, and what would change it", level=2)]
    if explanation.facts:
        blocks.append(Bullets(tuple(f"{f.part}: {f.text}" for f in explanation.facts)))
    blocks += [Para(line) for line in explanation.change]
    return blocks


def answer_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    """Each section's answers. Questions asked about each group (Age, Disability, ...) become one table
    per section, a row per group, so a board member can scan them."""
    answers = snapshot["answers"]
    blocks: list[Block] = []
    for section in snapshot["framework"]["sections"]:
        if not is_shown(section, answers):
            continue  # left out by screening, or a pack for another kind of proposal
        asked = [q for q in section.get("questions") or () if not q.get("group") and is_shown(q, answers)]
        grouped = [q for q in section.get("questions") or () if q.get("group")]
        if not asked and not grouped:
            continue
        blocks.append(Heading(section["title"]))
        for question in asked:
            blocks += [
                Heading(question["label"], level=3),
                _answer_block(question, answers.get(question["id"])),
            ]
        if grouped:
            blocks.append(group_table(grouped, answers))
    return blocks


def group_table(grouped: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> Table:
    """Rows: groups; columns: the questions asked about every group (impact, evidence, mitigation)."""
    cells: dict[str, dict[str, str]] = {}
    labels: dict[str, str] = {}
    for question in grouped:
        group = question["group"]
        key = question["id"].removeprefix(group["id"] + ".")
        labels[group["id"]] = str(group.get("label") or group["id"])
        shown = is_shown(question, answers)
        cells.setdefault(group["id"], {})[key] = (
            answer_text(question, answers.get(question["id"])) if shown else "—"
        )
    keys = list(dict.fromkeys(key for row in cells.values() for key in row))
    header = ("Group", *(GROUP_COLUMNS.get(key, key.replace("_", " ").capitalize()) for key in keys))
    rows = tuple((labels[gid], *(row.get(key, "—") for key in keys)) for gid, row in cells.items())
    rest = (1 - 0.18 - 0.12) / max(len(keys) - 1, 1)
    widths = (0.18, *(0.12 if key == "impact" else rest for key in keys))
    return Table(header, rows, widths if len(keys) > 1 else (0.4, 0.6))


def local_group_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    """The organisation's own groups, asked about on top of the national framework (when it has any)."""
    local = snapshot.get("local") or {}
    groups = local.get("groups") or ()
    if not groups:
        return []
    rows = tuple((str(g["label"]), str(g["impact"]), str(g.get("notes") or "—")) for g in groups)
    return [
        Heading("Local groups"),
        Para(
            f"Groups {snapshot['organisation']['name']} asks about on top of the national framework "
            f"(local version {local.get('version')})."
        ),
        Table(("Group", "Likely impact", "Notes"), rows, widths=(0.35, 0.15, 0.50)),
    ]


def quality_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    warnings = snapshot["quality"]
    heading = Heading("Quality checks")
    if not warnings:
        return [heading, Para("The assessment passed every quality check.")]
    titles = {s["id"]: s["title"] for s in snapshot["framework"]["sections"]}
    items = tuple(
        f"{titles[w['section_id']]}: {w['message']}" if w.get("section_id") in titles else str(w["message"])
        for w in warnings
    )
    # The messages speak to the author ("Change the rating…"): the board reads them as what was found.
    count = f"{len(items)} quality check{'s' if len(items) != 1 else ''}"
    intro = Para(
        f"When this version was submitted, {count} raised a warning. They are written as they were shown to "
        "the author, as what to look at again; the reviewer saw them before deciding:"
    )
    return [heading, intro, Bullets(items)]


def action_plan_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    heading = Heading("Action plan")
    question, actions = _action_plan(snapshot)
    if not actions:
        return [heading, Para("No actions have been recorded.", style="unanswered")]
    header, rows, widths = row_table({"fields": ACTION_FIELDS, **question}, actions)
    return [heading, Table(header, rows, widths)]


def provenance_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    prov = snapshot["provenance"]
    framework = snapshot["framework"]
    rows = (
        ("Deprivation data", f"{prov.get('release_label', 'Not recorded')} ({prov.get('release', '?')})"),
        (
            "Framework",
            f"{framework.get('title', 'Assessment framework')}, version {framework.get('version', '?')}",
        ),
        ("Scoring rules", f"version {prov.get('scoring_version', 'not recorded')}"),
        ("Reference data checksum", prov.get("reference_checksum") or "Not recorded"),
    )
    blocks: list[Block] = [Heading("Where the data comes from"), Facts(rows)]
    if prov.get("attribution"):
        blocks.append(Para(prov["attribution"], style="small"))
    return blocks


def signoff_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    rows = tuple(
        (s.get("role", ""), s.get("name") or "Not yet", s.get("job_title") or "", long_date(s.get("date")))
        for s in snapshot["signoff"]
    )
    approved = snapshot["status"] == "approved" and not snapshot["training"]
    note = (
        f"This record, {document_label(snapshot)}, carries the organisation's digital signature."
        if approved
        else "This is a practice assessment, made in training: it is never reviewed, approved or signed."
        if snapshot["training"]
        else "This version has not been approved, so it has not been signed."
    )
    table = Table(("Role", "Name", "Job title", "Date"), rows, widths=(0.16, 0.28, 0.34, 0.22))
    panel = (
        f"Digitally signed by {snapshot['organisation']['name']}",
        f"Record {document_label(snapshot)}",
        "The date and time of signing, and whether anything has changed since, are in the signature "
        "details of your PDF reader.",
    )
    signature = SignatureSpace(will_be_signed=approved, note=note, panel=panel if approved else ())
    return [Group((Heading("Sign-off"), table, signature, Verification(snapshot["verify_url"])))]


def _answer_block(question: Mapping[str, Any], value: Any) -> Block:
    if question.get("type") == "profile":
        return Para("Shown in 'How deprived are the areas affected?' above.", style="small")
    if question.get("type") == "actions":
        return Para("Shown in full in the action plan below.", style="small")
    if is_rows(question, value):
        if not value:
            return Para(NOT_ANSWERED, style="unanswered")
        header, rows, widths = row_table(question, value)
        return Table(header, rows, widths)
    text = answer_text(question, value)
    return Para(text, style="unanswered" if text == NOT_ANSWERED else "answer")


def _action_plan(snapshot: Mapping[str, Any]) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
    for _, question in questions(snapshot):
        if question.get("type") == "actions":
            return question, snapshot["answers"].get(question["id"]) or ()
    return {"id": "actions.plan"}, snapshot["answers"].get("actions.plan") or ()
