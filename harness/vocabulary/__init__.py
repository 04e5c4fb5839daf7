"""The scenario vocabulary and how scenarios are read and written.

Pure (no YAML, pandas or SDK): :mod:`.values` (states, error kinds, the
ranges every target can hold), :mod:`.item_fields` (items, and the fields of
the SDKs' flag and segment JSON), :mod:`.steps` (every step kind, declared
once), :mod:`.step_list` (a scenario's steps, plain writes kept as rows),
:mod:`.model` (settings, expectations, the :class:`~.model.Scenario`),
:mod:`.durations`, :mod:`.items` (item specs expanded into flag and segment
JSON).

Reading and writing: :mod:`.yaml_reader` (YAML with line marks),
:mod:`.schema` (the JSON Schema and located validation), :mod:`.loader`
(files and data into the model), :mod:`.builder` (the same vocabulary in
Python) and :mod:`.render` (back to YAML).
"""
