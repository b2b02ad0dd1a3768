"""Mutants of the version-2 rules (beliefs, value of war, floor, tactics, threshold, hazard,
the mediator's single text) and of the engines' use of them, in the format of
tests/mutants.py: (what is broken, file, original text, broken text, tests that must fail).

``python -m tests.mutants`` (``make mutants``) runs these with the list of tests/mutants.py:
each mutant is applied to a copy of the tree and its tests must fail there.
"""

from __future__ import annotations

B = "tests/model/test_beliefs.py::"
W = "tests/model/test_war.py::"
TA = "tests/model/test_tactics.py::"
H = "tests/model/test_hazard.py::"
TX = "tests/model/test_text.py::"
TH = "tests/model/test_theory.py::"
EQ = "tests/engine/test_v2_equivalence.py::"
AG = "tests/model/test_agenda.py::"
EV = "tests/model/test_events.py::"
CO = "tests/engine/test_compiled.py::"
LA = "tests/engine/test_lanes.py::"

MUTANTS = [
    # --- beliefs ------------------------------------------------------------------------------
    ("beliefs ignore the prior weight", "negsim/model/beliefs.py",
     "(prior_weight * prior_mean + moved) / (prior_weight + t)",
     "(prior_mean + moved) / (1.0 + t)",
     B + "test_the_estimate_is_the_weighted_mean_of_prior_and_experience "
     + B + "test_with_equal_weights_the_gap_is_the_prior_gap_shrunk_by_n_over_n_plus_t "
     + TH + "test_1_belief_gap_shrinks_as_n_over_n_plus_t_and_estimates_converge"),
    ("beliefs never learn from the front", "negsim/model/beliefs.py",
     "(prior_weight * prior_mean + moved) / (prior_weight + t)",
     "(prior_weight * prior_mean + 0.0 * moved) / (prior_weight + t)",
     B + "test_estimates_converge_to_the_realised_drift_while_the_front_is_unclipped "
     + TH + "test_1_belief_gap_shrinks_as_n_over_n_plus_t_and_estimates_converge"),
    ("beliefs count one round of fighting too many", "negsim/model/beliefs.py",
     "/ (prior_weight + t)", "/ (prior_weight + t + 1)",
     B + "test_before_any_fighting_every_actor_believes_its_prior "
     + B + "test_the_estimate_is_the_weighted_mean_of_prior_and_experience"),
    ("the default belief is a drift of 0", "negsim/sampling.py",
     "belief_drift[:, a, k] = drift[:, k]", "belief_drift[:, a, k] = 0.0 * drift[:, k]",
     TH + "test_1_without_a_stated_belief_an_actor_believes_the_runs_drift_with_weight_52 "
     + TH + "test_3_shared_correct_beliefs_and_costly_war_give_a_deal_in_round_zero"),
    ("the default belief weighs one round, not 52", "negsim/sampling.py",
     "belief_weight[:, a, k] = DEFAULT_BELIEF_WEIGHT", "belief_weight[:, a, k] = 1.0",
     TH + "test_1_without_a_stated_belief_an_actor_believes_the_runs_drift_with_weight_52"),
    # --- value of war and floor ---------------------------------------------------------------
    ("the expected front forgets the horizon", "negsim/model/war.py",
     "return clip(front + horizon * estimate, 0.0, 1.0)",
     "return clip(front + estimate, 0.0, 1.0)",
     W + "test_the_value_of_war_is_the_utility_of_the_expected_front_less_the_cost "
     + W + "test_a_hand_computed_value_of_war "
     + TH + "test_3_shared_correct_beliefs_and_costly_war_give_a_deal_in_round_zero"),
    ("the war costs one round, not H", "negsim/model/war.py",
     "return utility - war_cost * horizon", "return utility - war_cost",
     W + "test_the_value_of_war_falls_with_the_cost_of_war "
     + W + "test_a_hand_computed_value_of_war"),
    ("the expected front leaves [0, 1]", "negsim/model/war.py",
     "return clip(front + horizon * estimate, 0.0, 1.0)",
     "return front + horizon * estimate",
     W + "test_the_expected_front_stays_in_the_unit_interval_and_off_the_front_stays_put "
     + W + "test_the_value_of_war_is_the_utility_of_the_expected_front_less_the_cost"),
    ("a side that expects to gain values war less", "negsim/model/war.py",
     "return war_value(own_utility(expected, ideal, weight, work), war_cost,",
     "return war_value(2.0 - own_utility(expected, ideal, weight, work), war_cost,",
     W + "test_a_side_whose_belief_moves_the_front_its_way_values_war_more "
     + TH + "test_6_the_territory_deal_does_not_fall_as_the_drift_toward_one_rises_run_by_run"),
    ("the floor ignores the value of war", "negsim/model/war.py",
     "return np.maximum(reservation, war_value)",
     "return np.asarray(reservation) + 0.0 * war_value",
     W + "test_the_floor_is_the_larger_of_reservation_and_value_of_war "
     + W + "test_each_round_values_war_at_that_rounds_front_and_beliefs "
     + TH + "test_3_shared_correct_beliefs_and_costly_war_give_a_deal_in_round_zero"),
    ("the floor ignores the reservation", "negsim/model/war.py",
     "return np.maximum(reservation, war_value)", "return war_value + 0.0 * reservation",
     W + "test_the_floor_is_the_larger_of_reservation_and_value_of_war "
     + TH + "test_7_when_the_acceptance_sets_share_no_point_no_deal_comes"),
    ("the war is valued at the status quo, not at the front", "negsim/model/assessment.py",
     "return estimate, war.value_of_war(front, estimate,",
     "return estimate, war.value_of_war(start, estimate,",
     W + "test_each_round_values_war_at_that_rounds_front_and_beliefs"),
    # --- demands --------------------------------------------------------------------------------
    ("concession time is a round late", "negsim/model/tactics.py",
     "(t + 1.0) / (patience + 1.0)",
     "(t + 0.0) / (patience + 1.0)",
     TA + "test_concession_time_counts_rounds_to_patience_and_then_stays_at_one "
     + TH + "test_9_a_worked_example_of_the_literature_comparison"),
    ("concession time runs past 1", "negsim/model/tactics.py",
     "return np.minimum(1.0, (t + 1.0) / (patience + 1.0))",
     "return (t + 1.0) / (patience + 1.0)",
     TA + "test_concession_time_counts_rounds_to_patience_and_then_stays_at_one "
     + TA + "test_the_time_dependent_demand_falls_from_near_one_to_the_floor_by_round_P"),
    ("the time-dependent demand rises over time", "negsim/model/tactics.py",
     "floor_ + (best - floor_) * (1.0 - share)",
     "floor_ + (best - floor_) * share",
     TA + "test_the_time_dependent_demand_falls_from_near_one_to_the_floor_by_round_P"),
    ("the time-dependent demand ignores the floor", "negsim/model/tactics.py",
     "floor_ + (best - floor_) * (1.0 - share)",
     "best * (1.0 - share) + 0.0 * floor_",
     TA + "test_the_time_dependent_demand_falls_from_near_one_to_the_floor_by_round_P "
     + TH + "test_3_shared_correct_beliefs_and_costly_war_give_a_deal_in_round_zero"),
    ("patience is ignored (concession over a fixed year)", "negsim/model/tactics.py",
     "    tau = concession_time(t, patience)\n", "    tau = concession_time(t, 52.0)\n",
     TA + "test_the_time_dependent_demand_falls_from_near_one_to_the_floor_by_round_P "
     + TH + "test_3_shared_correct_beliefs_and_costly_war_give_a_deal_in_round_zero "
     + TH + "test_9_bilateral_time_dependent_talks_agree_when_and_where_the_literature_does"),
    ("the next demand is this round's demand", "negsim/model/tactics.py",
     "timed = time_dependent_demand(t + 1, floor_, exponent, patience, best)",
     "timed = time_dependent_demand(t, floor_, exponent, patience, best)",
     TA + "test_demand_and_next_demand_dispatch_by_strategy "
     + TH + "test_9_a_worked_example_of_the_literature_comparison "
     + TH + "test_9_bilateral_time_dependent_talks_agree_when_and_where_the_literature_does"),
    ("the threshold looks a round back instead of ahead", "negsim/model/assessment.py",
     "upcoming = tactics.next_demand(t, strategy,",
     "upcoming = tactics.next_demand(t - 1, strategy,",
     TH + "test_9_a_worked_example_of_the_literature_comparison "
     + TH + "test_9_bilateral_time_dependent_talks_agree_when_and_where_the_literature_does"),
    ("the reciprocal demand is not floored", "negsim/model/tactics.py",
     "return clip(previous - rate * received, floor_, best)",
     "return clip(previous - rate * received, 0.0, best)",
     TA + "test_the_reciprocal_demand_is_floored_at_the_floor_and_never_rises"),
    ("the hardliner concedes like a time-dependent actor", "negsim/model/tactics.py",
     "        reciprocal = timed\n    return np.where(strategy == RECIPROCAL, reciprocal,"
     "\n                    np.where(strategy == HARDLINER, best, timed))\n\n\ndef next_demand",
     "        reciprocal = timed\n    return np.where(strategy == RECIPROCAL, reciprocal,"
     "\n                    np.where(strategy == HARDLINER, timed, timed))\n\n\ndef next_demand",
     TA + "test_the_hardliner_always_demands_everything"),
    # --- threshold ------------------------------------------------------------------------------
    ("the threshold ignores the hazard", "negsim/model/tactics.py",
     "waiting = (1.0 - hazard) * next_demand_ + hazard * war_value - war_cost",
     "waiting = next_demand_ + 0.0 * hazard - war_cost",
     TA + "test_the_threshold_falls_as_the_hazard_rises_when_demand_exceeds_the_value_of_war "
     + TA + "test_a_hand_computed_threshold "
     + TH + "test_8_where_the_mediator_stays_deals_do_not_come_later_as_the_known_exit_risk_rises"),
    ("a break-off is worth everything (the hazard raises the threshold)",
     "negsim/model/tactics.py",
     "waiting = (1.0 - hazard) * next_demand_ + hazard * war_value - war_cost",
     "waiting = (1.0 - hazard) * next_demand_ + hazard * 1.0 - war_cost",
     TA + "test_the_threshold_falls_as_the_hazard_rises_when_demand_exceeds_the_value_of_war "
     + TA + "test_a_hand_computed_threshold"),
    ("the threshold ignores the cost of one more round", "negsim/model/tactics.py",
     "waiting = (1.0 - hazard) * next_demand_ + hazard * war_value - war_cost",
     "waiting = (1.0 - hazard) * next_demand_ + hazard * war_value - 0.0 * war_cost",
     TA + "test_the_threshold_falls_with_the_cost_of_one_more_round "
     + TA + "test_a_hand_computed_threshold"),
    ("the threshold may fall below the floor", "negsim/model/tactics.py",
     "return np.maximum(floor_, waiting)", "return waiting + 0.0 * floor_",
     TA + "test_the_threshold_is_never_below_the_floor_and_is_the_value_of_waiting "
     + TA + "test_a_hand_computed_threshold"),
    ("the vector engine ignores the hazard", "negsim/engine/vector.py",
     "p.hazard[t], best)", "0.0 * p.hazard[t], best)",
     EQ + "test_engines_agree_bit_for_bit_on_targeted_version_2_scenarios "
     + TH + "test_8_where_the_mediator_stays_deals_do_not_come_later_as_the_known_exit_risk_rises"),
    # --- hazard ---------------------------------------------------------------------------------
    ("the hazard looks at the wrong round", "negsim/model/hazard.py",
     "pi * pmf[None, 1:]", "pi * pmf[None, :-1]",
     H + "test_a_fixed_round_exit_is_a_threat_only_in_the_round_before_it "
     + H + "test_a_uniform_round_exit_by_hand"),
    ("the hazard is not conditioned on the talks still being on", "negsim/model/hazard.py",
     "alive = 1.0 - pi * before[None]", "alive = 1.0 + 0.0 * before[None]",
     H + "test_a_uniform_round_exit_by_hand"),
    ("threats combine by their maximum", "negsim/model/hazard.py",
     "survive = survive * (1.0 - h)", "survive = np.minimum(survive, 1.0 - h)",
     H + "test_two_threats_combine_as_independent_risks "
     + H + "test_a_hand_computed_combination"),
    ("unknown threats enter the hazard", "negsim/scenario/schema.py",
     "return self.exits and self.known and self.round is not None",
     "return self.exits and self.round is not None",
     H + "test_without_known_threats_the_hazard_is_zero "
     + TH + "test_8_an_unknown_threat_changes_nothing_before_it_fires"),
    ("the hazard ignores the drawn exit probability", "negsim/sampling.py",
     "threats.append(hazard.exit_hazard(probability, round_pmf(event.round, T)))",
     "threats.append(hazard.exit_hazard(0 * probability + 1, round_pmf(event.round, T)))",
     H + "test_a_drawn_exit_probability_gives_each_run_its_own_hazard "
     + H + "test_a_sampled_batch_carries_the_hazard_of_the_threats_it_knows_of"),
    # --- the single text ------------------------------------------------------------------------
    ("the redraft moves away from the rejecters", "negsim/model/text.py",
     "toward = np.sign(ideal - onto)", "toward = np.sign(onto - ideal)",
     TX + "test_a_lone_rejecters_utility_does_not_fall_after_a_redraft "
     + TH + "test_7_a_lone_holdouts_utility_rises_with_each_redraft_while_it_falls_short"),
    ("the redraft step overshoots the rejecter's ideal", "negsim/model/text.py",
     "step = np.minimum(abs(weight * toward) * scale, abs(ideal - onto))",
     "step = abs(weight * toward) * scale + 0.0 * onto",
     TX + "test_the_step_stops_at_the_rejecters_ideal "
     + TX + "test_a_hand_computed_redraft"),
    ("the redraft ignores the shortfall's size", "negsim/model/text.py",
     "return select(norm > 0.0, np.maximum(shortfall, 0.0) / norm, 0.0)",
     "return select(norm > 0.0, 0.1 * (shortfall > 0.0) / norm, 0.0)",
     TX + "test_one_full_step_closes_a_lone_rejecters_shortfall_when_it_stops_short_of_its_ideal "
     + TX + "test_a_hand_computed_redraft"),
    ("a red-line rejection does not move the text onto the line", "negsim/model/text.py",
     "onto = clip(x, low, high)", "onto = x + 0.0 * low",
     TX + "test_a_red_line_rejection_moves_the_text_onto_the_red_line"),
    ("the shortfall is measured before the red-line move", "negsim/model/text.py",
     "shortfall = threshold - own_utility(onto, ideal, weight)",
     "shortfall = threshold - own_utility(x + 0.0 * onto, ideal, weight)",
     TX + "test_a_full_step_brings_a_lone_rejecter_to_its_threshold_red_lines_included"),
    ("eta is ignored", "negsim/model/text.py",
     "return np.asarray(step_size) * actor_sum(np.where(",
     "return 0.0 * np.asarray(step_size) + actor_sum(np.where(",
     TX + "test_eta_scales_the_step "
     + TH + "test_7_when_the_acceptance_sets_share_a_point_and_stay_fixed_a_deal_comes_in_"
     "bounded_time"),
    ("rejecters pull equally, not by capability", "negsim/model/text.py",
     "pull = np.where(rejected, capability, 0.0)", "pull = np.where(rejected, 1.0, 0.0)",
     TX + "test_rejecters_pull_in_proportion_to_capability_and_nobody_else_pulls"),
    ("the mediator ignores its floor when it redrafts", "negsim/model/text.py",
     "ok = _meets(text, mediator_ideal, mediator_weight, mediator_floor)",
     "ok = _meets(text, mediator_ideal, mediator_weight, -np.inf)",
     TX + "test_the_mediator_never_puts_forward_a_text_below_its_floor_when_its_last_one_met_it "
     + TX + "test_a_hand_computed_shortening"),
    ("the mediator puts forward its last trial when no step meets its floor",
     "negsim/model/text.py",
     "return np.where(ok, text, base)", "return text",
     TX + "test_a_hand_computed_shortening"),
    ("the mediator shortens its step by quarters, skipping the largest step that works",
     "negsim/model/text.py",
     "lam = np.where(ok, lam, lam / 2.0)", "lam = np.where(ok, lam, lam / 4.0)",
     TX + "test_a_hand_computed_shortening "
     + TX + "test_the_mediator_never_puts_forward_a_text_below_its_floor_when_its_last_one_met_it"),
    ("the first text ignores the bias", "negsim/model/text.py",
     "return (1.0 - bias) * g + bias * mediator_ideal",
     "return g + 0.0 * bias * mediator_ideal",
     TX + "test_the_first_text_mixes_target_and_mediator_and_respects_the_mediators_floor"),
    ("the first text is not checked against the mediator's floor", "negsim/model/text.py",
     "    return constrain(mediator_ideal, opening - mediator_ideal, mediator_ideal, "
     "mediator_weight,\n                     mediator_floor, low, high)",
     "    return clip(opening, low, high)",
     TX + "test_the_first_text_mixes_target_and_mediator_and_respects_the_mediators_floor"),
    ("the Mesa engine's mediator ignores its step", "negsim/abm/model.py",
     "rejected,\n                now.capability, p.step)",
     "rejected,\n                now.capability, 1.0)",
     EQ + "test_engines_agree_bit_for_bit_on_targeted_version_2_scenarios"),
    # --- agenda and state-triggered events (issue "Agenda") ------------------------------------
    ("a partial deal ignores the war it leaves", "negsim/model/agenda.py",
     "return own_utility(points, ideal, weight, work) - stage.penalty",
     "return own_utility(points, ideal, weight, work)",
     AG + "test_a_partial_deal_is_worth_its_settlement_plus_the_war_it_leaves_by_hand "
     + AG + "test_a_side_that_expects_the_front_to_move_its_way_rejects_a_pure_freeze"),
    ("settled issues come back to the table", "negsim/model/agenda.py",
     "return np.isnan(settled) & (lead(stage_of_issue, settled) <= current)",
     "return lead(stage_of_issue, settled) <= current",
     AG + "test_the_table_holds_the_open_issues_of_the_current_stage_and_of_skipped_ones "
     + AG + "test_stages_pass_only_with_every_required_yes_and_their_issues_never_move_again"),
    ("a proposer always stands by its own pure freeze", "negsim/model/agenda.py",
     "return is_proposer & (value_ >= floor_ - EPS)", "return is_proposer",
     AG + "test_under_alternating_offers_the_side_that_expects_to_gain_never_agrees_a_pure_freeze"),
    ("a ceasefire freezes the front a round late", "negsim/model/agenda.py",
     "return (np.where(deal, after.drift, now.drift),",
     "return (np.where(False, after.drift, now.drift),",
     AG + "test_after_a_full_freeze_the_front_stays_at_the_front_of_the_agreement"),
    ("actors do not know the ceasefire they signed", "negsim/model/events.py",
     "        if spec.event >= n_events and spec.kind == \"front\" and spec.attr == \"drift\":",
     "        if False:",
     AG + "test_an_agreed_stages_effect_on_the_drift_is_known_to_every_actor_and_an_events_is_not"),
    ("a run of rejections is never broken", "negsim/model/rules.py",
     "return np.where(required_ & ~accepted & ~proposer, streak + 1, 0)",
     "return np.where(required_ & ~accepted & ~proposer, streak + 1, streak)",
     EV + "test_an_accepting_round_resets_the_run_of_rejections_but_not_the_count"),
    ("state-triggered events start a round early", "negsim/model/events.py",
     "start[e] = np.where(newly, t, start[e])", "start[e] = np.where(newly, t - 1, start[e])",
     EV + "test_an_event_starts_once_at_the_first_round_its_condition_holds_where_it_fires "
     + EV + "test_rejections_count_from_the_round_after_the_nth"),
    ("end conditions are ignored", "negsim/model/events.py",
     "end[e] = np.where(stop, t, end[e])", "end[e] = end[e]",
     EV + "test_an_event_ends_at_the_first_round_once_started_whose_start_finds_its_end"),
    # --- the compiled engine's own loops (negsim/engine/kernel.py) ---------------------------
    ("the compiled loop adds an actor's utility in another order", "negsim/engine/kernel.py",
     "    for k in range(1, x.shape[0]):\n        total += issue_utility(x[k], ideal[a, k], "
     "weight[a, k])",
     "    for k in range(x.shape[0] - 1, 0, -1):\n        total += issue_utility(x[k], "
     "ideal[a, k], weight[a, k])",
     CO + "test_every_scenario_plays_the_same_runs_on_both_batch_engines"),
    ("the compiled mediator never shortens a step below its floor", "negsim/engine/kernel.py",
     "    for _ in range(SHORTEN_STEPS):", "    for _ in range(0):",
     CO + "test_the_targeted_scenarios_play_the_same_on_all_three_engines"),
    ("a stage agreed in the compiled loop leaves the front moving", "negsim/engine/kernel.py",
     "                if partial:  # the war as the stage agreed leaves it",
     "                if False:  # the war as the stage agreed leaves it",
     CO + "test_the_staged_scenarios_play_the_same_on_all_three_engines"),
    ("the compiled loop forgets who accepted a stage", "negsim/engine/kernel.py",
     "                    accepted_stage[a, stage] = True",
     "                    accepted_stage[a, stage] = False",
     CO + "test_the_staged_scenarios_play_the_same_on_all_three_engines"),
    # --- the compiled engine's lane loop (negsim/engine/lanes.py) -----------------------------
    ("the lanes forget that the window closed on a run", "negsim/engine/lanes.py",
     "                o_censored[i] = True", "                o_censored[i] = False",
     LA + "test_runs_cut_off_by_the_window_record_the_war_as_it_stands"),
    ("the lanes never shorten the mediator's step", "negsim/engine/lanes.py",
     "            if not ok[w] and run[w] >= 0 and not done[w]:",
     "            if False:",
     LA + "test_the_mediator_shortens_its_steps_in_the_lanes_too"),
    ("a lane skips a run when it takes the next", "negsim/engine/lanes.py",
     "                          event_end, effect_value, still, state)\n"
     "                    following += 1",
     "                          event_end, effect_value, still, state)\n"
     "                    following += 2",
     LA + "test_any_number_of_runs_fills_and_empties_the_lanes"),
    ("the lanes' blocker ignores red-line breaches", "negsim/engine/lanes.py",
     "if rejected[a, w] and (not breaching[w] or not inside[a, w]) and (",
     "if rejected[a, w] and (",
     LA + "test_generated_scenarios_play_the_same_in_lanes"),
    ("the lanes' redraft pulls toward those who accepted too", "negsim/engine/lanes.py",
     "                        if rejected[a, w] else 0.0",
     "                        if True else 0.0",
     LA + "test_every_scenario_the_lanes_play"),
    ("the mediator never walks away in the lanes", "negsim/engine/lanes.py",
     "leaving[w] = leaving[w] or act[w]", "leaving[w] = leaving[w]",
     LA + "test_events_change_the_parameters_and_the_mediator_walks_away_in_the_lanes"),
    ("events do not change beliefs in the lanes", "negsim/engine/lanes.py",
     "table[j, k, w] = effect(table[j, k, w], op, value[f, w], low, high)",
     "table[j, k, w] = table[j, k, w]",
     LA + "test_events_change_the_parameters_and_the_mediator_walks_away_in_the_lanes"),
    ("the lanes read a threshold a round late", "negsim/engine/lanes.py",
     "                tau = concession_time(t[w] + 1, x_pat[a, w])",
     "                tau = concession_time(t[w], x_pat[a, w])",
     LA + "test_any_number_of_runs_fills_and_empties_the_lanes"),
]
