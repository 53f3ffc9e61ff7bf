"""Access rules for adoption feedback.

Members give feedback (an administrator who is not a member may not); project managers,
executive sponsors and administrators read the results; project managers manage survey links and
turn comments into tasks; anyone with an open survey link may answer without signing in."""

from tests.access.matrix import FORBIDDEN, MANAGERS, MEMBERS, MEMBERS_ONLY, PUBLIC, Rule, expect, foreign
from tests.change_factories import make_link, make_member_answer, make_response, make_stage

RESULTS_READERS = expect(staff=FORBIDDEN)
RATINGS = {"awareness": "4", "desire": "3", "knowledge": "2", "ability": "5", "reinforcement": "4"}

RULES = [
    Rule("feedback.index", "/projects/{project}/feedback", MEMBERS),
    Rule("feedback.give", "/projects/{project}/feedback/give", MEMBERS_ONLY),
    Rule("feedback.give", "/projects/{project}/feedback/give", MEMBERS_ONLY, method="POST",
         data={**RATINGS, "stage_id": "", "comment": "系统有点慢"}),
    Rule("feedback.results", "/projects/{project}/feedback/results", RESULTS_READERS),
    Rule("feedback.results", "/projects/{project}/feedback/results?stage={feedback_stage}&period=12",
         RESULTS_READERS),
    Rule("feedback.links", "/projects/{project}/feedback/links", MANAGERS),
    Rule("feedback.links", "/projects/{project}/feedback/links", MANAGERS, method="POST",
         data={"stage_id": "", "label": "华东区"}),
    Rule("feedback.close_link", "/projects/{project}/feedback/links/{link}/close", MANAGERS, method="POST"),
    Rule("feedback.close_link", "/projects/{project}/feedback/links/{foreign_link}/close", foreign(MANAGERS),
         method="POST"),
    Rule("feedback.reopen_link", "/projects/{project}/feedback/links/{link}/reopen", MANAGERS, method="POST"),
    Rule("feedback.reopen_link", "/projects/{project}/feedback/links/{foreign_link}/reopen", foreign(MANAGERS),
         method="POST"),
    Rule("feedback.comment_to_task", "/projects/{project}/feedback/responses/{response}/task", MANAGERS,
         method="POST"),
    Rule("feedback.comment_to_task", "/projects/{project}/feedback/responses/{foreign_response}/task",
         foreign(MANAGERS), method="POST"),
    Rule("feedback.survey", "/s/{survey_token}", PUBLIC),
    Rule("feedback.survey", "/s/{survey_token}", PUBLIC, method="POST", data={**RATINGS, "comment": "很好用"}),
]


def setup(world):
    project, other = world.project, world.other_project
    stage = make_stage(project, name="第一批推广")
    link = make_link(project, stage=stage)
    foreign_link = make_link(other)
    ratings = [(4, 3, 2, 5, 4), (5, 4, 3, 4, 4), (3, 3, 2, 4, 3), (4, 4, 3, 4, 5), (5, 5, 4, 5, 4), (2, 3, 2, 3, 3)]
    responses = [make_member_answer(project, r, stage=stage, team="客服", language="zh",
                                    comment=f"第{i}条意见：培训不够")
                 for i, r in enumerate(ratings, start=1)]
    foreign_response = make_response(other, comment="乙方意见")
    world.ids.update(feedback_stage=stage.id, link=link.id, foreign_link=foreign_link.id,
                     response=responses[0].id, foreign_response=foreign_response.id, survey_token=link.token)
