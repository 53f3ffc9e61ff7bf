"""Demo adoption feedback for the three demo projects: six weeks of answers from the members and
through survey links, in each project's language (plus a few in others), comments, an open survey
link for the pilot and a closed one from the kick-off. Idempotent: a project that already has
answers or links is left alone."""

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from planner.change.models import ChangeTask
from planner.db import utcnow
from planner.extensions import db
from planner.feedback.models import DIMENSIONS, Channel, FeedbackResponse, SurveyLink, week_start
from planner.projects.models import ProjectMember
from planner.rollout.demo import ensure_stages

ORDER = 61
WEEKS = 6

# Mean rating per dimension in the first and the last week (ADKAR order). Knowledge starts as a
# barrier and recovers after the training; reinforcement stays one.
MEANS = {
    "en": [(3.9, 4.3), (3.3, 3.9), (2.6, 3.5), (2.9, 3.6), (2.7, 2.9)],
    "es": [(3.7, 4.2), (3.0, 3.7), (2.7, 3.4), (2.8, 3.4), (2.6, 3.0)],
    "zh": [(4.0, 4.4), (3.5, 4.0), (2.5, 3.3), (2.8, 3.5), (2.8, 3.1)],
}

LINK_LABELS = {
    "en": ("Pilot agents, all shifts", "Kick-off survey"),
    "es": ("Equipo piloto, todos los turnos", "Encuesta de arranque"),
    "zh": ("试点全体客服", "项目启动调查"),
}

# (weeks ago, comment, language, team) — answered through the pilot link unless the team is None,
# in which case a signed-in member wrote it.
COMMENTS = {
    "en": [
        (5, "I still don't really see why we can't keep the spreadsheets. They work for us.", "en", ""),
        (4, "The training was too quick. I'd like a second session on the case screens.", "en", "Customer service"),
        (3, "Same shipper shows up twice when I search by name. Which one do I use?", "en", "Customer service"),
        (2, "Mucho mejor que el sistema anterior, pero necesito la formación en español.", "es", "Sales"),
        (1, "Nobody has replied to the issues we raised two weeks ago. <b>Is anyone reading this?</b>", "en", ""),
        (0, "Having the delivery history on one screen saves me a lot of calls. Thanks!", "en", "Customer service"),
    ],
    "es": [
        (5, "No me han explicado qué gano yo con el cambio.", "es", ""),
        (4, "La ficha del cliente tarda mucho en abrir por las mañanas.", "es", "Atención al cliente"),
        (3, "Falta una guía rápida para los presupuestos.", "es", "Ventas"),
        (2, "The mobile view is hard to use on the road.", "en", "Ventas"),
        (1, "Ya puedo ver el historial completo sin preguntar a nadie, ¡genial!", "es", "Atención al cliente"),
        (0, "Seguimos sin saber cuándo se apaga el programa antiguo.", "es", ""),
    ],
    "zh": [
        (5, "还不太清楚新系统对我们售后有什么好处。", "zh", ""),
        (4, "培训时间太短，很多功能没来得及练习。", "zh", "售后服务"),
        (3, "同一个客户有两条记录，不知道该用哪一条。", "zh", "售后服务"),
        (2, "The quote screen is fine, but the Chinese labels are cut off on my laptop.", "en", "销售"),
        (1, "反馈的问题两周了还没有回复，希望能及时跟进。", "zh", ""),
        (0, "报修记录都在一个页面上，接电话快多了，谢谢！", "zh", "售后服务"),
    ],
}

# Which comment (index above) each project already turned into a task, and the task's title.
FOLLOW_UPS = {
    "en": (2, "Reply to pilot feedback about duplicate tickets"),
    "es": (1, "Responder a los comentarios del piloto sobre la lentitud"),
    "zh": (2, "回复试点员工关于重复工单的反馈"),
}


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.8))))


def _ratings(rng, language, progress: float) -> dict:
    return {d.value: _rating(rng, first + (last - first) * progress)
            for d, (first, last) in zip(DIMENSIONS, MEANS[language], strict=True)}


def _moment(rng, weeks_ago: int, now: datetime) -> datetime:
    monday = week_start(now) - timedelta(weeks=weeks_ago)
    moment = datetime.combine(monday + timedelta(days=rng.randint(0, 4)), time(rng.randint(8, 17),
                              rng.randint(0, 59)), tzinfo=UTC)
    return min(moment, now - timedelta(minutes=rng.randint(5, 50)))


def load(ctx) -> None:
    now = utcnow()
    users_by_id = {user.id: user for user in ctx.users.values()}
    for language, project in ctx.projects.items():
        has_any = db.session.scalar(select(FeedbackResponse.id).where(FeedbackResponse.project_id == project.id)
                                    .limit(1)) or db.session.scalar(
            select(SurveyLink.id).where(SurveyLink.project_id == project.id).limit(1))
        if has_any:
            continue
        rng = random.Random(f"rollout-demo-{language}")  # noqa: S311 - demo data, not security
        stages = ensure_stages(project, language)
        pilot = stages[0]
        pm = ctx.users["pm@example.com"]
        open_label, closed_label = LINK_LABELS[language]
        pilot_link = SurveyLink(project_id=project.id, stage_id=pilot.id, token=SurveyLink.new_token(),
                                label=open_label, created_by_id=pm.id, created_at=now - timedelta(weeks=WEEKS - 2))
        kickoff_link = SurveyLink(project_id=project.id, token=SurveyLink.new_token(), label=closed_label,
                                  created_by_id=pm.id, created_at=now - timedelta(weeks=WEEKS),
                                  closed_at=now - timedelta(weeks=WEEKS - 2))
        db.session.add_all([pilot_link, kickoff_link])
        db.session.flush()
        members = db.session.scalars(select(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.is_manager.is_(False),
            ProjectMember.is_sponsor.is_(False))).all()
        teams = sorted({m.team for m in members if m.team})
        responses = []
        for weeks_ago in range(WEEKS - 1, -1, -1):
            progress = (WEEKS - 1 - weeks_ago) / (WEEKS - 1)
            early = weeks_ago >= WEEKS - 2
            link = kickoff_link if early else pilot_link
            for member in members:
                user = users_by_id.get(member.user_id)
                answered_in = (user.language if user else None) or language
                moment = _moment(rng, weeks_ago, now)
                responses.append(FeedbackResponse(
                    project_id=project.id, stage_id=None if early else pilot.id, respondent_id=member.user_id,
                    channel=Channel.MEMBER, language=answered_in, team=member.team, submitted_at=moment,
                    week_start=week_start(moment), **_ratings(rng, language, progress)))
            for _n in range(rng.randint(3, 5)):
                moment = _moment(rng, weeks_ago, now)
                responses.append(FeedbackResponse(
                    project_id=project.id, stage_id=link.stage_id, link_id=link.id, channel=Channel.LINK,
                    language=language, team=rng.choice(teams + [""]), submitted_at=moment,
                    week_start=week_start(moment), **_ratings(rng, language, progress)))
        commented = []
        for weeks_ago, comment, answered_in, team in COMMENTS[language]:
            moment = _moment(rng, weeks_ago, now)
            early = weeks_ago >= WEEKS - 2
            link = kickoff_link if early else pilot_link
            response = FeedbackResponse(
                project_id=project.id, stage_id=link.stage_id, link_id=link.id, channel=Channel.LINK,
                language=answered_in, team=team, comment=comment, submitted_at=moment,
                week_start=week_start(moment), **_ratings(rng, language, (WEEKS - 1 - weeks_ago) / (WEEKS - 1)))
            responses.append(response)
            commented.append(response)
        db.session.add_all(responses)
        db.session.flush()
        index, title = FOLLOW_UPS[language]
        task = db.session.scalar(select(ChangeTask).where(ChangeTask.project_id == project.id,
                                                          ChangeTask.title == title))
        if task is not None and task.source_response_id is None:
            task.source_response_id = commented[index].id
        ctx.note(f"feedback {language}")
