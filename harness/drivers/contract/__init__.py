"""The ``contract`` target: an executable model of the documented sink contract.

:mod:`.model` holds the sink and lists the rules (pure), with the store in
:mod:`.store`, who depends on whom in :mod:`.dependencies` and outage logging in
:mod:`.outage`; :mod:`.evaluation` is a small flag evaluator for the kit's
items, and :mod:`.target` plays a scenario on them.
"""
