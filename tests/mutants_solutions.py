"""Mutants of the reference solutions (negsim/solutions): each breaks one definition, and
the test stating it must fail. Listed by tests/mutants.py."""

from __future__ import annotations

AX = "tests/solutions/test_axiomatic.py::"
VOTE = "tests/solutions/test_voting.py::"
EU = "tests/solutions/test_expected_utility.py::"

MUTANTS = [
    ("Nash ignores the disagreement point", "negsim/solutions/axiomatic.py",
     "problem.base - problem.disagreement,\n                      alpha=power)",
     "problem.base - 0 * problem.disagreement + 1.0,\n                      alpha=power)",
     AX + "test_nash_on_one_issue_splits_the_surplus"),
    ("the weighted Nash solution ignores its weights", "negsim/solutions/barrier.py",
     "alpha = problem.alpha / problem.alpha.sum(axis=1, keepdims=True)",
     "alpha = np.ones_like(problem.alpha) / problem.alpha.shape[1]",
     AX + "test_weighted_nash_gives_each_side_its_share_of_the_surplus"),
    ("Kalai-Smorodinsky measures gains from 0, not from the disagreement point",
     "negsim/solutions/axiomatic.py",
     "return np.where(found.exists[:, None], problem.base - problem.disagreement + best, np.nan)",
     "return np.where(found.exists[:, None], problem.base + best, np.nan)",
     AX + "test_kalai_smorodinsky_on_one_issue_with_a_red_line"),
    ("solutions may leave a red line", "negsim/solutions/problem.py",
     "low = np.maximum(np.asarray(red_low).max(axis=1), 0.0)",
     "low = np.maximum(np.asarray(red_low).min(axis=1), 0.0)",
     AX + "test_a_red_line_binds_every_solution"),
    ("the range counts a tie with the value of war as better", "negsim/solutions/axiomatic.py",
     "return np.nan_to_num(self.margin, nan=-np.inf) > RANGE_TOL",
     "return np.nan_to_num(self.margin, nan=-np.inf) > -0.1",
     AX + "test_no_range_gives_no_solution"),
    ("the compromise forgets salience", "negsim/solutions/voting.py",
     "weight = capability * np.asarray(salience, float)",
     "weight = capability * np.ones_like(np.asarray(salience, float))",
     VOTE + "test_known_values"),
    ("the median takes the lower end of a tie", "negsim/solutions/voting.py",
     "return (pick(lower) + pick(upper)) / 2", "return pick(lower)",
     VOTE + "test_known_values"),
    ("the expected utility model takes the target's salience as the challenger's",
     "negsim/solutions/expected_utility.py",
     "    sj = s[:, None, :]\n", "    sj = s[:, :, None]\n",
     EU + "test_a_first_round_by_hand"),
    ("a compromise moves the whole way", "negsim/solutions/expected_utility.py",
     "share = np.where(compromise, -ei / ej, 1.0)", "share = np.where(compromise, 1.0, 1.0)",
     EU + "test_a_first_round_by_hand"),
    ("risk exponents run the wrong way", "negsim/solutions/expected_utility.py",
     "return (1 - R / 3) / (1 + R / 3)", "return (1 + R / 3) / (1 - R / 3)",
     EU + "test_a_first_round_by_hand " + EU + "test_risk_exponents_lie_between_a_half_and_two"),
]
