"""Review rounds: round N+1 of a branch knows round N.

The prior round of the same branch (same base, any head) is found in the store; each of its
findings is carried through ``git diff prior_head..`` into the current code and classified
(addressed, partially addressed, unaddressed, obsolete, dismissed) with the evidence; commit
messages citing findings are checked; this round's findings are linked to the prior ones, the
prior-round suggestion gate applied, dismissed findings held back, open ones carried over.

Pure over (prior ``Review``, ``RoundFacts``): ``classify``, ``link``, ``gate``, ``dismiss``,
``apply``, ``citations``, ``mapping``, ``history``, ``prompt``. Git and the store are read only in
``git_facts`` and ``session`` (the engine's two calls: ``begin_round`` and ``finish_round``).
"""
