"""What each quality check says, in one place so the wording can be reviewed together (see quality.py).

Each message says what to do in plain English; {placeholders} are filled in by the check that raises it.
"""

from __future__ import annotations

MESSAGES = {
    "geography.incomplete": (
        'Complete "The area affected" so the deprivation profile of the people affected can be used'
    ),
    "no_evidence": "Give the evidence for the {word} impact on {group}",
    "no_mitigation.negative": "Say how you will reduce the impact on {group}, or why no action is needed",
    "no_mitigation.unknown": "Say how you will find out the impact on {group}, or why that is not needed",
    "pc.all_neutral_no_evidence": (
        "Every protected characteristic is marked neutral with no evidence. Give the evidence for this, "
        "starting with the characteristics most likely to be affected"
    ),
    "engagement.missing": "Say whether you involved people affected by the proposal",
    "engagement.no_feedback": "Record what the people you involved told you",
    "engagement.no_changes": "Record what changed as a result of what people told you",
    "engagement.not_justified": "Explain why involving people affected was not proportionate",
    "engagement.information_only": (
        "You told people about the proposal ('{text}'), but a letter, leaflet, message or notice is "
        "information, not involvement. Involve them while the proposal can still change: ask them what they "
        "think at a meeting, workshop, focus group or drop-in session, in a survey or interviews, or through "
        "Healthwatch or a patient panel. Then record what they told you and what changed"
    ),
    "decision_date.missing": (
        "Enter the decision date, so reviewers can see the assessment comes before the decision"
    ),
    "decision_date.passed": (
        "The decision date, {date}, has passed. Due regard must be paid before a decision is taken, not after"
    ),
    "gaps.missing": "Say whether there are gaps in the evidence",
    "gaps.unknown_impacts": (
        "You said there are no gaps in the evidence, but the impact on {count} is not known yet. "
        "Name those gaps and how you will close them"
    ),
    "gaps.none_named": "Name the gaps in the evidence and how you will close them",
    "gaps.no_plan": "Give a plan to close gap {n}{quoted}",
    "actions.none": (
        "You found negative impacts but the action plan is empty. Add the actions that will reduce them, "
        "each with an owner and a due date"
    ),
    "actions.no_owner": "Give an owner for action {n}{quoted}",
    "actions.no_due_date": "Give a due date for action {n}{quoted}",
    "no_mechanism": (
        "Say whether the {word} impact on {group} is on their access to services, their experience of "
        "care or their health outcomes"
    ),
    "intersection.missing": (
        "Say whether people who belong to more than one group, such as older disabled people in deprived "
        "rural areas, could be affected differently"
    ),
    "intersection.overlooked": (
        "You found negative or unknown impacts on {groups}. People who belong to more than one of these "
        "groups may be affected most: say how the proposal affects them together"
    ),
    "intersection.single_group": (
        "Combination {n}{quoted} names only one group. Name each group it combines, for example "
        "'older people, disabled people, people in rural areas'"
    ),
    "data_gap": (
        "{gap}. NHS England's statement on information on health inequalities asks for this to be reported: "
        "record it as a gap in the evidence, with a plan to close it"
    ),
    "duty_rating_contradicts_harm": (
        "You rated the proposal as one that {rating} reducing inequalities in {what}, but you recorded harm "
        "to {what} for these groups: {groups}. Change the rating, or say in its evidence how both can be true"
    ),
    "claim_no_evidence": (
        "You said the impact on {group} is {word}. Give the evidence for this: a governance panel treats an "
        "answer with nothing behind it as not assessed"
    ),
    "section_all_neutral_no_evidence": (
        "Every group in '{section}' is marked neutral with no evidence. Give the evidence for this, starting "
        "with the groups most likely to be affected"
    ),
    "claim_not_assessed": (
        "You said the impact on {group} is {word}, but the evidence ('{text}') gives no figure and no "
        "source, so the rating counts this answer as not assessed. Say what data, a survey or the people "
        "you involved show for this group, and where that comes from"
    ),
    "monitoring.totals_only": (
        "You {claim}, but your indicators count totals only, such as '{indicator}'. A total cannot show "
        "who the change reaches. Say how you will know: split your indicators by deprivation decile and by "
        "the groups you expect it to help, such as ethnicity, age or disability"
    ),
    "generic_evidence": (
        "The evidence for {group} ('{text}') does not say anything about {group}. Give the data, research or "
        "what people told you"
    ),
    "evidence_pasted": (
        "The same evidence is given for {count} groups ({groups}), word for word or with only the group's "
        "name changed. Say what the evidence shows for each group"
    ),
    "proceed_despite_harm": (
        "You found negative impacts on {groups} but recommend going ahead with no action for them in the "
        "action plan. Add actions that reduce the harm, or explain why the harm is justified"
    ),
    "proposal.kind_understated": (
        "The title or summary says the service will close, move or run from fewer sites, but the "
        'kind of proposal is "{kind}". Choose "Closing or reducing a service" or "Moving a service to '
        'another site", so the assessment checks who will travel further and how'
    ),
    "proposal.eligibility_understated": (
        "The title or summary narrows who can use the service (documents asked for, tighter criteria, "
        'discharge after a missed appointment), but the kind of proposal is "{kind}". Choose "Changing '
        'who can use a service, or how they are referred", so the assessment asks about the people most '
        "likely to be turned away"
    ),
    "proposal.access_understated": (
        "The title or summary speaks of {word}, but you answered that patients will use every service as "
        "they do today. What a service costs and whether people can understand it decide who can use it: "
        'answer "Yes, or I am not sure" unless nobody\'s access changes'
    ),
    "access_not_engaged": (
        "This proposal changes how people get to the service, but the people affected were not involved. "
        "Involve the patients, carers and communities who use it before the decision"
    ),
    "access_not_engaged_affected": (
        "This proposal changes how people get to the service, but you only involved {who}. Involve the "
        "patients, carers and communities who use it before the decision"
    ),
    "access.no_sites": (
        "The service is closing or moving, but the postcodes of the site people use now and the site they "
        "will use instead are not both given. Add them so the assessment shows who will travel further"
    ),
    "digital.no_offline_route": (
        "People without the internet will not be able to use this service. Keep a route that does not need "
        "the internet, or say why the harm is justified"
    ),
    "intersection.no_rows": (
        "You said people in more than one group could be affected differently. Name each combination and "
        "say how it is affected"
    ),
    "intersection.row_unanswered": (
        "Say how combination {n}{quoted} is affected, and whether for better or worse"
    ),
    "workforce.no_equality_data": (
        "This decision affects staff, but no workforce equality data is mentioned. Use your Workforce Race "
        "Equality Standard (WRES), Workforce Disability Equality Standard (WDES) and Equality Delivery "
        "System (EDS 2022) data"
    ),
    "actions.owner_placeholder": (
        "Action {n}{quoted} is owned by '{owner}'. Name the role that will do it: an action without an owner "
        "is not a mitigation"
    ),
    "actions.due_passed": (
        "Action {n}{quoted} was due on {date}, before this assessment was finished. Give a date still to "
        "come, or record it as done"
    ),
    "review_date.missing": "Set a date to review this assessment",
    "review_date.before_decision": (
        "The review date must be after the decision date, when the effects of the change can be seen"
    ),
}
