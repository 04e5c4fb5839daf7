"""What a person looks at: :mod:`.plot` (timeline pictures), :mod:`.widgets`
(the notebook explorer) and :mod:`.report` (the report folder). Need the
``viz`` extra (matplotlib, ipywidgets)."""
