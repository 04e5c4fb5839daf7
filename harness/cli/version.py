"""The kit's version, as the command line shows it and saved results record it."""

from importlib import metadata


def kit_version() -> str:
    try:
        return metadata.version("ld-sink-harness")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"
