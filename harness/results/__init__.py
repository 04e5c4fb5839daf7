"""What a run returns: :class:`~.result.Result` and its DataFrames (:mod:`.frames`)."""
