from hia_service.documents.blocks import (
    Bullets,
    CoverFacts,
    Figure,
    Group,
    Heading,
    Para,
    RatingTag,
    SignatureSpace,
    Table,
)
from hia_service.documents.content import assessment_blocks
from hia_service.documents.summary import cover_facts, key_impacts


def _blocks(snapshot):
    return list(_flatten(assessment_blocks(snapshot, chart_png=b"chart", map_png=b"map")))


def _flatten(blocks):
    for block in blocks:
        yield from _flatten(block.blocks) if isinstance(block, Group) else [block]


def _table(blocks, first_header, nth=0):
    return [b for b in blocks if isinstance(b, Table) and b.header[0] == first_header][nth]


def test_key_impacts_come_from_impact_answers_negative_first(snapshot):
    rows = key_impacts(snapshot)
    assert [(who, impact) for who, impact, _ in rows] == [
        ("Access to services", "Negative"),
        ("Age", "Negative"),
        ("People experiencing homelessness", "Negative"),
        ("Disability", "Not known yet"),
        ("Carers", "Positive"),
    ]
    assert rows[1][2].startswith("Extend community nursing visits")


def test_the_cover_tabulates_concerns_and_lists_positive_impacts(snapshot):
    blocks = _blocks(snapshot)
    concerns = _table(blocks, "Who")
    assert [row[0] for row in concerns.rows] == [
        "Access to services",
        "Age",
        "People experiencing homelessness",
        "Disability",
    ]
    assert Para("Positive impacts for: Carers.") in blocks


def test_an_impact_without_a_mitigation_says_so(snapshot):
    del snapshot["answers"]["inclusion.homelessness.mitigation"]
    assert ("People experiencing homelessness", "Negative", "None recorded") in key_impacts(snapshot)


def test_explicit_key_impacts_override_the_answers(snapshot):
    snapshot["key_impacts"] = [{"who": "Carers", "impact": "Negative", "mitigation": "Carers' passes"}]
    assert key_impacts(snapshot) == [("Carers", "Negative", "Carers' passes")]


def test_cover_facts_come_from_the_frameworks_questions(snapshot):
    facts = cover_facts(snapshot)
    assert facts["forum"] == "Board of Directors (meeting in public)"
    assert facts["decision_date"] == "10 December 2026"
    assert facts["recommendation"] == "Proceed with mitigations."
    assert facts["rationale"].startswith("Approve the closure on condition")


def test_an_explicit_cover_overrides_the_answers(snapshot):
    snapshot["cover"] = {"forum": "ICB Board", "decision_date": "2027-01-14"}
    facts = cover_facts(snapshot)
    assert (facts["forum"], facts["decision_date"]) == ("ICB Board", "14 January 2027")


def test_the_cover_sheet_comes_first(snapshot):
    blocks = _blocks(snapshot)
    assert blocks[0] == Heading(snapshot["title"], level=0)
    cover = next(b for b in blocks if isinstance(b, CoverFacts))
    assert ("Reference", "HIA-2026-0042 v3") in cover.rows
    assert cover.verify_url == snapshot["verify_url"]
    rating = next(b for b in blocks if isinstance(b, RatingTag))
    assert rating.label == "High risk of widening inequalities"
    assert rating.summary.startswith("Most people affected live in the most deprived areas")


def test_every_question_asked_appears_with_its_answer(snapshot):
    blocks = _blocks(snapshot)
    headings = [b.text for b in blocks if isinstance(b, Heading) and b.level == 3]
    assert "Who uses the service now, or will use it?" in headings
    assert (
        Para(
            "Patients and people who use the service\nCarers and families\nCommunity groups and the public",
            "answer",
        )
        in blocks
    )


def test_group_questions_become_one_table_per_section(snapshot):
    table = _table(_blocks(snapshot), "Group", nth=1)  # protected characteristics
    assert table.header == ("Group", "Likely impact", "Evidence", "What we will do")
    assert [row[:2] for row in table.rows] == [
        ("Age", "Negative"),
        ("Disability", "Not known yet"),
        ("Sex", "Neutral"),
    ]
    assert table.rows[2][3] == "—"  # a neutral impact is not asked how it will be reduced
    assert table.rows[0][3].startswith("Extend community nursing visits")


def test_questions_the_wizard_did_not_ask_are_left_out(snapshot):
    snapshot["answers"]["who.staff_affected"] = "no"
    assert "Which staff, and how?" not in [b.text for b in _blocks(snapshot) if isinstance(b, Heading)]


def test_unanswered_questions_say_not_answered(snapshot):
    del snapshot["answers"]["proposal.lead"]
    assert Para("Not answered", "unanswered") in _blocks(snapshot)


def test_table_questions_become_tables(snapshot):
    gaps = _table(_blocks(snapshot), "Gap")
    assert gaps.header == ("Gap", "Plan", "Owner", "Due date")
    assert gaps.rows[0][3] == "1 December 2026"


def test_the_action_plan_is_a_table_with_the_frameworks_columns(snapshot):
    plan = _table(_blocks(snapshot), "Action")
    assert plan.header == ("Action", "Owner", "Due date", "Measure of success")
    assert plan.rows[2][1:3] == ("Inclusion Health Lead", "31 January 2027")


def test_quality_warnings_name_their_section(snapshot):
    bullets = [b for b in _blocks(snapshot) if isinstance(b, Bullets)]
    warning = (
        "Involving people: The feedback does not say whether people who are homeless were asked directly."
    )
    assert any(warning in b.items for b in bullets)


def test_no_quality_warnings_is_said_plainly(snapshot):
    snapshot["quality"] = []
    assert Para("The assessment passed every quality check.") in _blocks(snapshot)


def test_figures_carry_alt_text(snapshot):
    figures = [b for b in _blocks(snapshot) if isinstance(b, Figure)]
    assert [f.png for f in figures] == [b"chart", b"map"]
    assert "Decile 1 (most deprived): 24% against 10%" in figures[0].alt_text


def test_the_map_says_in_words_how_deprived_its_areas_are_and_a_table_follows(snapshot):
    blocks = _blocks(snapshot)
    figure = next(b for b in blocks if isinstance(b, Figure) and b.png == b"map")
    assert figure.alt_text.startswith("Map of the 6 neighbourhoods (LSOAs) affected")
    assert "2 of them are among the most deprived 10% of neighbourhoods in England" in figure.alt_text
    assert "3 among the most deprived 20%, and 1 among the least deprived 20%" in figure.alt_text
    credit, places, table = blocks[blocks.index(figure) + 1 : blocks.index(figure) + 4]
    assert isinstance(credit, Para) and credit.text.startswith("Contains OS data © Crown copyright")
    assert places == Para("The area covers neighbourhoods in one local authority, Northshire.")
    assert isinstance(table, Table) and table.header[1] == "Neighbourhoods on the map"
    assert table.rows[0] == ("1 (most deprived 10%)", "2", "33%")
    assert [row[0].split()[0] for row in table.rows] == ["1", "2", "3", "6", "9"]


def test_the_deprivation_section_compares_with_the_nation_and_wider_areas(snapshot):
    blocks = _blocks(snapshot)
    assert _table(blocks, "Deprivation decile").header[-1] == "Share of England"
    areas = _table(blocks, "Area").rows
    assert areas == (
        ("People affected", "41%"),
        ("England", "20%"),
        ("NHS Northshire and Dale Integrated Care Board", "23%"),
        ("Northshire", "26%"),
    )
    assert _table(blocks, "Domain of deprivation").rows[0] == ("Income", "0.19", "43%")


def test_unmatched_postcodes_are_explained(snapshot):
    notes = next(b for b in _blocks(snapshot) if isinstance(b, Bullets))
    assert notes.items[-1] == (
        "1 entry could not be matched to a neighbourhood and is not counted: "
        "NT99 9** (not a current postcode)."
    )


def test_a_profile_without_population_figures_still_says_what_it_can(snapshot):
    profile = snapshot["profile"]
    profile["population"] = profile["population_by_decile"] = None
    profile["baseline"]["nation"]["name"] = "Wales"
    blocks = assessment_blocks(snapshot, chart_png=None, map_png=None)
    assert not any(isinstance(b, Table) and b.header[0] == "Deprivation decile" for b in blocks)
    intro = next(b for b in blocks if isinstance(b, Para) and b.text.startswith("The proposal affects"))
    assert intro.text.startswith("The proposal affects 32 neighbourhoods")
    assert "most deprived tenth of neighbourhoods in Wales" in intro.text


def test_without_a_profile_the_deprivation_section_says_why(snapshot):
    snapshot["profile"] = None
    blocks = _blocks(snapshot)
    assert Para("No area was given, so the deprivation profile could not be worked out.") in blocks
    assert not any(isinstance(b, Figure) for b in blocks)


def test_only_approved_real_records_get_a_signature_space(snapshot):
    def signature(s):
        return next(b for b in _blocks(s) if isinstance(b, SignatureSpace))

    assert signature(snapshot).will_be_signed
    snapshot["training"] = True
    assert not signature(snapshot).will_be_signed
    snapshot["training"], snapshot["status"] = False, "returned"
    assert not signature(snapshot).will_be_signed


def test_a_section_left_out_by_screening_is_not_printed(snapshot):
    section = snapshot["framework"]["sections"][-1]
    section["condition"] = [{"question": "screening.depth", "values": ["not_required"], "negate": True}]
    snapshot["answers"]["screening.depth"] = "not_required"
    assert section["title"] not in [b.text for b in _blocks(snapshot) if isinstance(b, Heading)]
    snapshot["answers"]["screening.depth"] = "full"
    assert section["title"] in [b.text for b in _blocks(snapshot) if isinstance(b, Heading)]


def test_patient_list_gaps_are_reported_with_the_profile(snapshot):
    snapshot["data_gaps"] = [
        {"id": "ethnicity", "sentence": "35 of 203 records (17%) have no ethnicity recorded"},
        {"id": "sex", "sentence": "9 of 203 records (4%) have no sex recorded"},
    ]
    blocks = _blocks(snapshot)
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert "How complete the patient list is" in headings
    # with the deprivation profile, before the rating
    assert headings.index("How complete the patient list is") < headings.index(
        "How the rating was worked out"
    )
    bullets = next(b for b in blocks if isinstance(b, Bullets) and "ethnicity" in " ".join(b.items))
    assert bullets.items == tuple(g["sentence"] for g in snapshot["data_gaps"])


def test_no_patient_list_no_completeness_heading(snapshot):
    snapshot.pop("data_gaps", None)
    assert "How complete the patient list is" not in [
        b.text for b in _blocks(snapshot) if isinstance(b, Heading)
    ]


def test_a_record_of_no_assessment_needed_says_so_on_the_cover(snapshot):
    snapshot["answers"]["screening.depth"] = "not_required"
    snapshot["answers"]["not_required.reasons"] = (
        "An internal filing change that no patient or member of staff meets."
    )
    cover = cover_facts(snapshot)
    assert cover["recommendation"] == "Screening found that an impact assessment is not required."
    assert cover["rationale"] == "An internal filing change that no patient or member of staff meets."


def test_the_duties_the_framework_names_are_listed(snapshot):
    snapshot["framework"]["duties"] = [
        {
            "id": "psed",
            "title": "Public sector equality duty",
            "text": "Due regard to ...",
            "guidance_links": [],
        },
        {"id": "consultation", "title": "Fair consultation", "text": "Gunning ...", "guidance_links": []},
    ]
    blocks = _blocks(snapshot)
    heading = blocks.index(Heading("Duties this assessment answers", level=2))
    assert blocks[heading + 2] == Bullets(("Public sector equality duty", "Fair consultation"))
    assert heading < blocks.index(Heading("Quality checks"))


def test_no_duties_no_block(snapshot):
    snapshot["framework"].pop("duties", None)
    assert Heading("Duties this assessment answers", level=2) not in _blocks(snapshot)


def test_the_rating_is_explained_after_its_table(snapshot):
    blocks = _blocks(snapshot)
    heading = blocks.index(Heading("What led to the rating, and what would change it", level=2))
    assert isinstance(blocks[heading - 1], Table) and blocks[heading - 1].header[0] == "Area of impact"
    facts = blocks[heading + 1]
    assert isinstance(facts, Bullets) and facts.items[0].startswith("Deprivation (Core20): ")
    # Deprivation is rated high and actions cannot lower it (the scoring marks it not mitigable).
    assert blocks[heading + 2] == Para(
        "Actions in the plan cannot lower it: it would be medium only if what is said above about "
        "Deprivation (Core20) changed, for example with evidence or a different answer."
    )


def _ask_for_people(snapshot):
    """The snapshot's framework as framework 1.3 has it: the proposal page asks who is responsible."""
    section = snapshot["framework"]["sections"][0]
    section["questions"] += [
        {"id": "proposal.sro", "type": "person", "label": "Who is the senior responsible owner?"},
        {"id": "proposal.decision_maker", "type": "person", "label": "Who will make the decision?"},
    ]
    snapshot["answers"]["proposal.sro"] = "Dr Amir Khan, Medical Director"
    snapshot["answers"]["proposal.decision_maker"] = "Jane Smith, Chief Executive"
    snapshot["author"] = {"name": "Sam Patel", "job_title": "Service manager, urgent care"}
    return snapshot


def test_the_cover_names_the_people_responsible(snapshot):
    cover = next(b for b in _blocks(_ask_for_people(snapshot)) if isinstance(b, CoverFacts))
    rows = dict(cover.rows)
    assert rows["Prepared by"] == "Sam Patel, Service manager, urgent care"
    assert rows["Senior responsible owner"] == "Dr Amir Khan, Medical Director"
    assert rows["Decision-maker"] == "Jane Smith, Chief Executive"
    assert rows["Decision to be made by"] == "Board of Directors (meeting in public)"
    assert rows["Decision"] == "To be recorded after the decision"
    labels = [label for label, _ in cover.rows]
    assert labels.index("Prepared by") < labels.index("Senior responsible owner") < labels.index("Decision")


def test_a_person_not_given_says_so_and_earlier_frameworks_print_no_people_rows(snapshot):
    asked = _ask_for_people(snapshot)
    del asked["answers"]["proposal.decision_maker"]
    rows = dict(next(b for b in _blocks(asked) if isinstance(b, CoverFacts)).rows)
    assert rows["Decision-maker"] == "Not given"
    older = next(b for b in _blocks(_without_people(asked)) if isinstance(b, CoverFacts))
    assert not {"Senior responsible owner", "Decision-maker"} & {label for label, _ in older.rows}


def _without_people(snapshot):
    section = snapshot["framework"]["sections"][0]
    section["questions"] = [
        q for q in section["questions"] if q["id"] not in ("proposal.sro", "proposal.decision_maker")
    ]
    return snapshot


def test_the_services_users_are_set_beside_the_area(snapshot):
    from hia_service.domain.geography.users import USERS_ANSWER_KEY

    snapshot["answers"][USERS_ANSWER_KEY] = {
        "name": "the service's users",
        "population_by_decile": [5, 5, 10, 10, 10, 10, 10, 10, 15, 15],
    }
    blocks = _blocks(snapshot)
    heading = blocks.index(Heading("The people who use the service", level=2))
    sentence, table = blocks[heading + 1], blocks[heading + 2]
    assert sentence.text.startswith("10% of the service's users live in the most deprived fifth")
    assert table.header[1:] == ("People in the area affected", "The service's users")
    assert table.rows[0][0] == "Most deprived fifth (Core20)" and table.rows[0][2] == "10%"


def test_no_users_list_no_users_section(snapshot):
    assert Heading("The people who use the service", level=2) not in _blocks(snapshot)


def _cover_rows(snapshot):
    return dict(next(b for b in _blocks(snapshot) if isinstance(b, CoverFacts)).rows)


def test_an_approval_on_conditions_says_so_on_the_cover(snapshot):
    """A board member who reads only page 1 must not take a conditional approval for an unconditional one."""
    condition = "Approved on condition that the Grange Park outreach clinic opens before the move."
    snapshot["review"] = {"decision": "approved", "reviewer": "Dr Helen Marsh", "conditions": condition}
    assert _cover_rows(snapshot)["Conditions of approval"] == condition
    snapshot["review"]["conditions"] = "x" * 400
    shown = _cover_rows(snapshot)["Conditions of approval"]
    assert len(shown) < 400 and shown.endswith('(in full under "The reviewer\'s decision")')
    snapshot["review"]["conditions"] = ""
    assert _cover_rows(snapshot)["Conditions of approval"] == "None"
    del snapshot["review"]["conditions"]  # a record from before conditions could be set
    assert "Conditions of approval" not in _cover_rows(snapshot)
