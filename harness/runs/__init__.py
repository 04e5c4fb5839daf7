"""Running scenarios on targets: :mod:`.runner` (one or many runs) and :mod:`.diff` (comparing targets)."""
