"""The seven-sins risk score, computed by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.methodology import scoring

pytestmark = pytest.mark.no_app


@pytest.mark.parametrize("answers, expected", [
    (["no", "no", "no"], 0),
    (["yes", "yes", "yes"], 100),
    (["yes", "partly", "no"], 50),  # 3 of 6 points
    (["partly", "no", "no"], 17),  # 1 of 6 = 16.67
    (["yes", "yes", "partly"], 83),  # 5 of 6 = 83.33
    (["partly", "partly"], 50),
    (["yes", "no", "no", "no"], 25),  # 2 of 8
    (["partly", "no", "no", "no", "no", "no", "no", "no"], 6),  # 1 of 16 = 6.25
])
def test_a_sin_scores_its_points_as_a_share_of_the_maximum(answers, expected):
    assert scoring.sin_score(answers) == expected


def test_halves_round_up():
    assert scoring.sin_score(["yes", "no", "no", "no", "no", "no", "no", "no"]) == 13  # 2 of 16 = 12.5


@pytest.mark.parametrize("score, level", [(0, "green"), (24, "green"), (25, "amber"), (49, "amber"), (50, "red"),
                                          (100, "red")])
def test_levels(score, level):
    assert scoring.level_of(score) == level


def test_the_overall_score_averages_the_exact_sin_scores():
    # 50 + 16.67 + 83.33 + 0 × 4 = 150, over seven sins = 21.43
    result = scoring.assess({"a": ["yes", "partly", "no"], "b": ["partly", "no", "no"], "c": ["yes", "yes", "partly"],
                             "d": ["no"] * 3, "e": ["no"] * 3, "f": ["no"] * 3, "g": ["no"] * 3})
    assert result.scores == {"a": 50, "b": 17, "c": 83, "d": 0, "e": 0, "f": 0, "g": 0}
    assert result.levels["a"] == "red" and result.levels["b"] == "green"
    assert result.overall == 21
    assert result.level == "amber"  # green by its score, raised because a sin is red


def test_the_overall_level_follows_the_score_when_no_sin_is_red():
    result = scoring.assess({"a": ["partly", "partly", "no"], "b": ["no", "no", "no"]})  # 33.3 and 0
    assert (result.overall, result.level) == (17, "green")
    result = scoring.assess({"a": ["partly", "partly", "no"], "b": ["partly", "no", "no"]})  # 33.3 and 16.7
    assert (result.overall, result.level) == (25, "amber")


def test_unknown_answers_and_empty_sins_are_refused():
    with pytest.raises(ValueError):
        scoring.sin_score(["maybe"])
    with pytest.raises(ValueError):
        scoring.sin_score([])


ANSWER = st.sampled_from(["yes", "partly", "no"])
SIN = st.lists(ANSWER, min_size=1, max_size=6)


@given(st.dictionaries(st.sampled_from("abcdefg"), SIN, min_size=1))
def test_scores_stay_between_0_and_100_and_the_overall_between_the_sins(answers):
    result = scoring.assess(answers)
    assert all(0 <= score <= 100 for score in result.scores.values())
    assert min(result.scores.values()) - 1 <= result.overall <= max(result.scores.values()) + 1
    if "red" in result.levels.values():
        assert result.level in ("amber", "red")


@given(SIN, st.data())
def test_a_warning_sign_becoming_worse_never_lowers_the_score(answers, data):
    index = data.draw(st.integers(min_value=0, max_value=len(answers) - 1))
    worse = {"no": "partly", "partly": "yes", "yes": "yes"}
    changed = [*answers[:index], worse[answers[index]], *answers[index + 1:]]
    assert scoring.sin_score(changed) >= scoring.sin_score(answers)
