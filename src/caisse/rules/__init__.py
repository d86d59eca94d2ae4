"""Legislation as code: the contribution and benefit rules of the self-employed, exact to the cent, explained.

No database and no clock here: every function takes its dates and amounts as arguments. Parameters are dated,
sourced YAML files in ``parameters/`` (see docs/rules.md). Entry points:

- :mod:`caisse.rules.contributions`: ``contribution``, ``provisional``, ``regularisation``, ``quarterly_vector``;
- :mod:`caisse.rules.surcharges`: ``late_payment_surcharges``, ``unjustified_reduction_surcharge``;
- :mod:`caisse.rules.company`: ``company_contribution``;
- :mod:`caisse.rules.benefits`: ``bridging_right``, ``maternity``, ``birth_leave``, ``bereavement_leave``,
  ``carer_leave``;
- :mod:`caisse.rules.batch`: the CSV batch of the simulator;
- :mod:`caisse.rules.params`: ``load()`` the parameters, look a value up by name and date.
"""
