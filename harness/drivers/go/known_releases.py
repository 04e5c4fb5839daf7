"""Every release of the Go SDK v6 and v7 there is, oldest first.

Taken from the ``## [X.Y.Z]`` headings of the SDK's CHANGELOG in
github.com/launchdarkly/go-server-sdk/v7@v7.14.6 (v7.0.0 on, and v6.0.0 to v6.1.1)
and /v6@v6.2.1 (adds v6.2.0 and v6.2.1). The Go module proxy's own list
(``go list -m -versions``) cannot be used instead: here it lists only v7.14.6
for v7 and is refused (403) for v6. Whether each release is served here is
asked of the proxy (:mod:`.probe`); a release newer than v7.14.6 joins by a
line here.
"""

from __future__ import annotations

MODULES = {6: "github.com/launchdarkly/go-server-sdk/v6", 7: "github.com/launchdarkly/go-server-sdk/v7"}

RELEASES = (
    "v6.0.0", "v6.0.1", "v6.0.2", "v6.0.3", "v6.1.0", "v6.1.1", "v6.2.0", "v6.2.1",
    "v7.0.0", "v7.0.1", "v7.1.0", "v7.1.1", "v7.2.0", "v7.3.0", "v7.4.0", "v7.4.1", "v7.5.0",
    "v7.6.0", "v7.6.1", "v7.6.2", "v7.7.0", "v7.8.0", "v7.9.0", "v7.10.0", "v7.10.1", "v7.10.2",
    "v7.11.0", "v7.12.0", "v7.13.0", "v7.13.1", "v7.13.2", "v7.13.3", "v7.13.4",
    "v7.14.0", "v7.14.1", "v7.14.2", "v7.14.3", "v7.14.4", "v7.14.5", "v7.14.6",
)
