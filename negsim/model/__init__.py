"""The bargaining model: the agent rules both engines share, events, and a scenario's fixed
layout as arrays (docs/model.md states the rules as equations)."""
