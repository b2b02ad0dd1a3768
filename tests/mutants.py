"""Break each rule of the model on purpose and check that its property test notices.

Run with ``python -m tests.mutants`` (or ``make mutants``). Each mutant is one textual
change to the package, applied to a copy of the source tree; the tests that state the
broken rule run against that copy and must fail. Prints one line per mutant and exits 1
if any mutant survives.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (what is broken, file, original text, broken text, tests that must fail)
MUTANTS = [
    ("the time-dependent demand rises over time", "negsim/model/tactics.py",
     "return floor_ + (best - floor_) * (1.0 - share)",
     "return floor_ + (best - floor_) * share",
     "tests/abm/test_dynamics.py::test_an_event_changes_parameters_exactly_in_its_active_rounds "
     "tests/abm/test_model.py::test_a_deal_exactly_at_the_threshold_in_the_last_round"),
    ("the demand falls below the floor", "negsim/model/tactics.py",
     "return floor_ + (best - floor_)", "return 0.9 * floor_ + (best - floor_)",
     "tests/abm/test_dynamics.py::test_an_event_changes_parameters_exactly_in_its_active_rounds "
     "tests/abm/test_model.py::test_generated_traces_obey_the_rules"),
    ("the reciprocal demand ignores the floor", "negsim/model/tactics.py",
     "clip(previous - rate * received, floor_, best)",
     "clip(previous - rate * received, 0.0, best)",
     "tests/abm/test_dynamics.py::test_a_reciprocal_actor_returns_the_concession_it_receives"),
    ("the proposer overspends its budget", "negsim/model/rules.py",
     "budget = (own_best - np.asarray(own_demand))",
     "budget = (own_best + 0.2 - np.asarray(own_demand))",
     "tests/model/test_rules.py::test_the_proposers_offer_meets_its_own_demand_inside_its_red_lines"),
    ("the proposer spends another actor's budget", "negsim/model/rules.py",
     "own_demand = np.take_along_axis(demand_, proposer[None], axis=0)[0]",
     "own_demand = demand_[-1]",
     "tests/model/test_rules.py::"
     "test_the_proposers_offer_meets_its_own_demand_inside_its_red_lines "
     "tests/model/test_rules.py::test_a_batch_of_proposers_makes_each_runs_own_offer"),
    ("offers ignore the proposer's red lines", "negsim/model/rules.py",
     "return clip(own_ideal + share * direction, low, high)",
     "return own_ideal + share * direction",
     "tests/model/test_rules.py::test_the_proposers_offer_meets_its_own_demand_inside_its_red_lines"),
    ("logrolling concedes on the worst issues first", "negsim/model/rules.py",
     "order = np.lexsort((ranks, -ratio), axis=0)", "order = np.lexsort((ranks, ratio), axis=0)",
     "tests/model/test_rules.py::test_logrolling_concedes_where_the_others_gain_most_per_unit_of_cost"),
    ("actors accept below their threshold", "negsim/model/rules.py",
     "return (utility_ >= threshold_ - EPS) & inside",
     "return (utility_ >= threshold_ - 0.05) & inside",
     "tests/model/test_rules.py::test_individual_rationality"),
    ("actors accept outside their red lines", "negsim/model/rules.py",
     "return (utility_ >= threshold_ - EPS) & inside", "return utility_ >= threshold_ - EPS",
     "tests/model/test_rules.py::test_individual_rationality "
     "tests/model/test_rules.py::test_acceptance_is_monotone"),
    ("an offer exactly at the threshold is refused", "negsim/model/rules.py",
     "return (utility_ >= threshold_ - EPS) & inside",
     "return (utility_ > threshold_ + EPS) & inside",
     "tests/model/test_rules.py::test_individual_rationality"),
    ("a deal without every required actor", "negsim/model/rules.py",
     "return np.all(~required_ | accepted | proposer, axis=0)",
     "return np.mean(~required_ | accepted | proposer, axis=0) > 0.5",
     "tests/model/test_rules.py::test_deal_iff_every_required_actor_accepts_and_vetoes_bind_only_when_moved"),
    ("vetoes bind even when their issues do not move", "negsim/model/rules.py",
     "return lead(signatory, hits) | (hits > 0.0)",
     "return lead(signatory, hits) | lead(np.any(veto, axis=-1), hits)",
     "tests/model/test_rules.py::test_deal_iff_every_required_actor_accepts_and_vetoes_bind_only_when_moved"),
    ("the mediator's text leaves its red lines", "negsim/model/text.py",
     "text = clip(base + direction, low, high)", "text = base + direction",
     "tests/abm/test_model.py::test_generated_traces_obey_the_rules "
     "tests/model/test_text.py::"
     "test_the_mediator_never_puts_forward_a_text_below_its_floor_when_its_last_one_met_it"),
    ("the blocker is the least opposed", "negsim/model/rules.py",
     "shortfall = np.where(candidate, threshold_ - utility_, -np.inf)",
     "shortfall = np.where(candidate, utility_ - threshold_, -np.inf)",
     "tests/model/test_rules.py::test_the_blocker_rejects_and_is_most_opposed "
     "tests/abm/test_dynamics.py::test_blocker_ranks_breaches_then_shortfall_then_id"),
    ("hardliners concede", "negsim/model/tactics.py",
     "reciprocal = timed\n"
     "    return np.where(strategy == RECIPROCAL, reciprocal,\n"
     "                    np.where(strategy == HARDLINER, best, timed))",
     "reciprocal = timed\n"
     "    return np.where(strategy == RECIPROCAL, reciprocal,\n"
     "                    np.where(strategy == HARDLINER, 0.5 * best, timed))",
     "tests/abm/test_model.py::test_two_hardliners_agree_iff_the_cost_of_one_more_round_covers_the_gap"),
    ("hardliners accept less than everything", "negsim/model/tactics.py",
     "reciprocal_demand(demand_, floor_, rate, received, best)\n"
     "    strategy = lead(strategy, timed)\n"
     "    return np.where(strategy == RECIPROCAL, reciprocal,\n"
     "                    np.where(strategy == HARDLINER, best, timed))",
     "reciprocal_demand(demand_, floor_, rate, received, best)\n"
     "    strategy = lead(strategy, timed)\n"
     "    return np.where(strategy == RECIPROCAL, reciprocal,\n"
     "                    np.where(strategy == HARDLINER, 0.5 * best, timed))",
     "tests/abm/test_model.py::test_two_hardliners_agree_iff_the_cost_of_one_more_round_covers_the_gap"),
    ("thresholds exceed what identical preferences give", "negsim/model/tactics.py",
     "return np.maximum(floor_, waiting)", "return np.maximum(floor_, waiting) + 0.01",
     "tests/abm/test_model.py::test_identical_preferences_agree_in_round_zero"),
    ("ties follow file order instead of ids", "negsim/model/layout.py",
     "issue_rank=_ranks(issues)", "issue_rank=np.arange(len(issues))",
     "tests/abm/test_model.py::"
     "test_reversing_the_file_order_changes_nothing_even_with_tied_issues"),
    ("streams keyed by file position instead of ids", "negsim/sampling.py",
     'base = ("actors", aid)', 'base = ("actors", str(a))',
     "tests/abm/test_model.py::test_reordering_actors_and_issues_in_the_file_changes_nothing"),
    ("two parameters share a stream", "negsim/sampling.py",
     'dotted = ".".join(map(str, path))',
     'dotted = ".".join(map(str, path[-1:]))',
     "tests/test_sampling.py::test_each_parameter_draws_from_its_own_stream"),
    ("saliences are not normalised", "negsim/sampling.py",
     "salience = np.where(total > 0, salience / np.where(total > 0, total, 1.0), 1.0 / K)",
     "salience = np.where(total > 0, salience, 1.0 / K)",
     "tests/abm/test_model.py::test_scaling_an_actors_saliences_changes_nothing"),
    ("draws ignore the seed", "negsim/sampling.py",
     "np.random.SeedSequence(seed, spawn_key=(stream_key(path), block))",
     "np.random.SeedSequence(0, spawn_key=(stream_key(path), block))",
     "tests/abm/test_model.py::test_different_seeds_give_different_runs "
     "tests/test_sampling.py::test_same_seed_same_draws_and_different_seeds_differ"),
    ("draws come from fresh entropy", "negsim/sampling.py",
     "np.random.SeedSequence(seed, spawn_key=(stream_key(path), block))",
     "np.random.SeedSequence(None, spawn_key=(stream_key(path), block))",
     "tests/abm/test_model.py::test_same_seed_same_outcomes"),
    ("the model keeps negotiating after a deal", "negsim/abm/model.py",
     "        if self.ended:\n            return\n", "",
     "tests/abm/test_model.py::TestNegotiationSession"),
    ("the deal differs from the last offer", "negsim/abm/model.py",
     "self.agreed, self.deal, self.deal_round = True, offer, t",
     "self.agreed, self.deal, self.deal_round = True, offer * 0.999, t",
     "tests/abm/test_model.py::TestNegotiationSession"),
    ("talks run one round too many", "negsim/abm/model.py",
     "if self.round == layout.max_rounds:", "if self.round == layout.max_rounds + 1:",
     "tests/abm/test_model.py::TestNegotiationSession"),
    ("event effects are ignored", "negsim/model/events.py",
     "target[where] = np.where(on, changed, current)",
     "target[where] = current",
     "tests/abm/test_dynamics.py::test_an_event_changes_parameters_exactly_in_its_active_rounds "
     "tests/abm/test_dynamics.py::"
     "test_events_on_patience_and_beliefs_change_them_exactly_in_their_active_rounds"),
    ("events start a round late", "negsim/model/events.py",
     "events = fires & (start <= t) & (t < end)",
     "events = fires & (start < t) & (t < end)",
     "tests/abm/test_dynamics.py::test_an_event_changes_parameters_exactly_in_its_active_rounds"),
    ("events last a round too long", "negsim/model/events.py",
     "events = fires & (start <= t) & (t < end)",
     "events = fires & (start <= t) & (t <= end)",
     "tests/abm/test_dynamics.py::test_an_event_changes_parameters_exactly_in_its_active_rounds"),
    ("the mediator never walks away", "negsim/abm/model.py",
     "if now.mediator_exit:", "if False:",
     "tests/abm/test_dynamics.py::test_the_mediator_walks_away_at_the_start_of_its_round"),
    ("the value of war forgets the war to come", "negsim/model/war.py",
     "return utility - war_cost * horizon", "return utility - war_cost",
     "tests/abm/test_dynamics.py::"
     "test_the_value_of_war_is_the_utility_of_the_expected_front_less_the_war_to_come"),
    ("the front never moves", "negsim/model/rules.py",
     "return clip(no_deal + drift + volatility * noise, 0.0, 1.0)", "return no_deal",
     "tests/abm/test_dynamics.py::test_the_front_moves_by_drift_and_noise"),
    ("the final utility forgets where the front stands", "negsim/abm/model.py",
     "_, self.final_utility = value_of_war(t, now, self.front, p.status_quo,",
     "_, self.final_utility = value_of_war(t, now, p.status_quo, p.status_quo,",
     "tests/abm/test_dynamics.py::"
     "test_without_a_deal_the_no_deal_point_is_q_of_T_and_utility_the_value_of_war"),
    ("the no-deal point is reported as the status quo", "negsim/abm/__init__.py",
     "outcomes.no_deal[row] = model.no_deal", "outcomes.no_deal[row] = model.params.status_quo",
     "tests/abm/test_dynamics.py::"
     "test_without_a_deal_the_no_deal_point_is_q_of_T_and_utility_the_value_of_war"),
    ("rejections are never counted", "negsim/model/rules.py",
     "return rejections + (required_ & ~accepted & ~proposer)", "return rejections + 0",
     "tests/model/test_rules.py::"
     "test_rejections_count_the_required_actors_who_rejected_except_the_proposer"),
    ("veto holders are left out of the target", "negsim/model/layout.py",
     "return self.signatory | self.veto.any(axis=1)", "return self.signatory.copy()",
     "tests/abm/test_dynamics.py::"
     "test_veto_holders_weigh_in_the_target_and_are_required_only_off_the_status_quo"),
    ("vetoes compare with the moving front", "negsim/abm/model.py",
     "offer, p.status_quo,", "offer, self.no_deal,",
     "tests/abm/test_dynamics.py::"
     "test_a_veto_binds_against_the_status_quo_even_after_the_front_moves"),
    ("reciprocity compares different proposers", "negsim/model/rules.py",
     "earlier = actor_sum(np.where(proposer[None], last_from, 0.0), axis=1)",
     "earlier = np.min(np.where(np.isnan(last_from), np.inf, last_from), axis=1)",
     "tests/abm/test_dynamics.py::test_a_reciprocal_actor_does_not_concede_when_nobody_does"),
    ("reciprocity never remembers", "negsim/model/rules.py",
     "remembered = np.where(proposer[None], utility_[:, None], last_from)",
     "remembered = last_from",
     "tests/abm/test_dynamics.py::test_a_reciprocal_actor_returns_the_concession_it_receives"),
    ("a worse offer counts as a concession", "negsim/model/rules.py",
     "np.maximum(new_utility - last_utility, 0.0)", "np.abs(new_utility - last_utility)",
     "tests/abm/test_dynamics.py::test_a_reciprocal_actor_returns_the_concession_it_receives"),
    ("the proposer order is never random", "negsim/sampling.py",
     "if layout.random_order:", "if False:",
     "tests/abm/test_dynamics.py::"
     "test_random_proposer_order_is_a_permutation_of_the_signatories_per_run"),
    ("the random order follows the file", "negsim/sampling.py",
     "by_id = order[np.argsort(layout.actor_rank[order])]", "by_id = order",
     "tests/abm/test_dynamics.py::"
     "test_random_proposer_order_is_a_permutation_of_the_signatories_per_run"),
    ("blocker ties go to the last id", "negsim/model/rules.py",
     "pick = np.argmin(np.where(widest, rank, np.iinfo(np.int64).max), axis=0)",
     "pick = np.argmax(np.where(widest, rank, -1), axis=0)",
     "tests/abm/test_dynamics.py::test_blocker_ranks_breaches_then_shortfall_then_id"),
    ("red-line breaches do not come first", "negsim/model/rules.py",
     "candidate = np.where(breaching.any(axis=0), breaching, rejecting)",
     "candidate = rejecting",
     "tests/abm/test_dynamics.py::test_blocker_ranks_breaches_then_shortfall_then_id"),
]


def check(name: str, file: str, original: str, broken: str, tests: str, scratch: Path) -> bool:
    """Apply one mutant to a fresh copy of the tree; True when its tests fail (pytest exit 1).
    Any other non-zero exit (a test name that does not exist, a collection error) stops the
    run: it would otherwise pass for a caught mutant."""
    tree = scratch / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".hypothesis", ".pytest_cache", "__pycache__", "results"))
    path = tree / file
    text = path.read_text()
    if text.count(original) != 1:
        raise SystemExit(f"mutant {name!r}: the original text is not found exactly once")
    path.write_text(text.replace(original, broken))
    env = dict(os.environ, PYTHONPATH=str(tree))
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                             *tests.split()], cwd=tree, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 2-5: an error, not a failing test
        raise SystemExit(f"mutant {name!r}: pytest could not run its tests "
                         f"(exit {result.returncode}):\n{result.stdout[-2000:]}")
    return result.returncode == 1


def all_mutants() -> list:
    """The mutants of this module, of the version-2 rules (tests/mutants_v2.py) and of the
    reference solutions (tests/mutants_solutions.py)."""
    from tests.mutants_solutions import MUTANTS as SOLUTIONS
    from tests.mutants_v2 import MUTANTS as MODEL_V2

    return MUTANTS + MODEL_V2 + SOLUTIONS


def main() -> int:
    survivors = 0
    mutants = all_mutants()
    with tempfile.TemporaryDirectory() as scratch:
        for name, file, original, broken, tests in mutants:
            caught = check(name, file, original, broken, tests, Path(scratch))
            survivors += not caught
            print(f"{'caught  ' if caught else 'SURVIVED'}  {name}", flush=True)
    print(f"{len(mutants) - survivors} of {len(mutants)} mutants caught")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
