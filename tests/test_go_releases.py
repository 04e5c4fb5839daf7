"""Go SDK releases as targets: the shipped list, the proxy's answers, builds per release, runs on two releases."""

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

import harness
from harness.drivers import expand_targets, register_target, release_target, unregister_target
from harness.drivers.go import GO, GO_FAMILY, GO_V6, GoFamily, GoTarget
from harness.drivers.go import build, family, probe
from harness.drivers.go.build import V6, V7, binary_path, build_all
from harness.drivers.go.probe import Answer, go_download, parse_download, refusal
from harness.drivers.releases import Version

ROOT = Path(__file__).resolve().parent.parent
OUT_OF_ORDER = ROOT / "scenarios" / "versioning" / "out_of_order.yaml"
V6_MODULE, V7_MODULE = V6.module, V7.module

GO_READY = "go" in harness.targets()
needs_go = pytest.mark.skipif(not GO_READY, reason=GO.availability().reason or "the go target is not ready")


@pytest.fixture
def fake_go(monkeypatch):
    """A Go toolchain that is there, for the tests that never call it."""
    monkeypatch.setattr(family, "go_toolchain", lambda: ("go", "go1.26.8"))


def answering(refused: dict[str, str]):
    """A stand-in for the proxy: every release served but those in ``refused`` (version -> reason)."""
    asked: list[list[str]] = []

    def ask(names):
        names = list(names)
        asked.append(names)
        return {name: Answer(False, refused[name.rpartition("@")[2]]) if name.rpartition("@")[2] in refused
                else Answer(True) for name in names}
    return ask, asked


# ----------------------------------------------------------------------------- the shipped list


def test_the_go_family_lists_every_v6_and_v7_release_oldest_first_and_asks_about_all_at_once(fake_go):
    ask, asked = answering({"v7.12.0": "its source archive is refused by the Go module proxy (403)"})
    releases = GoFamily("go", (6, 7), ask=ask).releases()
    versions = [str(release.version) for release in releases]
    assert versions[0] == "v6.0.0" and versions[-1] == "v7.14.6" and len(versions) == 40
    assert [r.version.numbers for r in releases] == sorted(r.version.numbers for r in releases)
    assert {"v6.2.1", "v7.0.0", "v7.13.4"} <= set(versions) and not any(v.startswith("v5") for v in versions)
    (refused,) = [release for release in releases if not release.served]
    assert str(refused.version) == "v7.12.0" and refused.reason.startswith("its source archive is refused")
    assert len(asked) == 1 and asked[0][0] == f"{V6_MODULE}@v6.0.0" and asked[0][-1] == f"{V7_MODULE}@v7.14.6"


def test_go_v6_covers_only_the_v6_releases(fake_go):
    ask, _ = answering({})
    versions = [str(release.version) for release in GoFamily("go-v6", (6,), ask=ask).releases()]
    assert versions == ["v6.0.0", "v6.0.1", "v6.0.2", "v6.0.3", "v6.1.0", "v6.1.1", "v6.2.0", "v6.2.1"]


def test_a_family_keeps_definite_answers_and_asks_again_after_a_passing_failure(fake_go):
    calls = []

    def ask(names):
        names = list(names)
        calls.append(names)
        passing = len(calls) == 1
        return {name: Answer(False, "could not ask the Go module proxy: no network", definite=False) if passing
                else Answer(True) for name in names}
    go_v6 = GoFamily("go-v6", (6,), ask=ask)
    assert not any(release.served for release in go_v6.releases())
    assert all(release.served for release in go_v6.releases()) and len(calls) == 2
    go_v6.releases()
    assert len(calls) == 2  # now every answer is definite


def test_without_go_every_release_says_so_in_the_go_targets_words(monkeypatch):
    build.go_toolchain.cache_clear()
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    try:
        releases = GoFamily("go", (6, 7), ask=lambda names: pytest.fail("no Go, so nobody to ask")).releases()
        reasons = {release.reason for release in releases}
        assert reasons == {GO.availability().reason} == {"needs Go 1.25+ on PATH (testing/synctest); no 'go' found"}
        assert not any(release.served for release in releases)
        target = GoFamily("go", (6, 7)).release_target(Version.parse("v7.5.0"))
        assert target.availability().reason == GO.availability().reason
    finally:
        monkeypatch.undo()
        build.go_toolchain.cache_clear()


@pytest.mark.parametrize("name, message", [
    ("go@v5.0.0", "go@v5.0.0: the Go targets run go-server-sdk v6 and v7"),
    ("go@v7.99.0", "go@v7.99.0: no such release; known: v7.0.0, v7.0.1, v7.1.0"),
    ("go@v6.3.0", "go@v6.3.0: no such release; known: v6.0.0, v6.0.1"),
    ("go-v6@v7.5.0", "go-v6@v7.5.0: go-v6 runs go-server-sdk v6; go@v7.5.0 picks the module by its major"),
    ("go@7.5.0", "go@7.5.0: Go releases are written with a v, as Go writes them: go@v7.5.0"),
])
def test_a_version_that_is_no_v6_or_v7_release_is_a_usage_error(name, message):
    with pytest.raises(harness.UsageError) as raised:
        release_target(name)
    assert str(raised.value).startswith(message)


def test_a_release_builds_its_majors_go_files_with_a_go_mod_requiring_only_that_release():
    files = V7.at("v7.5.0").files()
    # the release, and the major's Redis integration (which asks for no newer SDK: MVS keeps the release)
    assert files["go.mod"].decode() == ("module harness/godriver\n\ngo 1.25\n\nrequire (\n\t" + V7_MODULE + " v7.5.0\n"
                                        "\tgithub.com/launchdarkly/go-server-sdk-redis-redigo/v3 v3.0.0\n"
                                        "\tgithub.com/gomodule/redigo v1.8.2\n)\n")
    assert "go.sum" not in files and files["sdk.go"] == V7.files()["sdk.go"]
    assert {name for name in files if name.endswith(".go")} == {name for name in V7.files() if name.endswith(".go")}
    assert V7.at("v7.14.6") == V7 and V6.at("v6.2.1") == V6  # the pinned releases keep the committed files
    assert V6.at("v6.1.0").version == "v6.1.0" and V6.version == "v6.2.1"
    with pytest.raises(harness.HarnessError, match="'v7.5.0' is not a release of .*/v6"):
        V6.at("v7.5.0")


# ----------------------------------------------------------------------------- the proxy's answers

SERVED = json.dumps({"Path": V6_MODULE, "Version": "v6.0.0", "Sum": "h1:HxGYvpjNGVnEf0xxdMp4bHVi/AccEgny9V1ksWvT/BI=",
                     "GoModSum": "h1:qNU5R3S0VYLbKwTYnLk69Wq51ogFFPmA83S00E++CVg="}, indent="\t")
# Captured from `go mod download -json` (Go 1.26.8, proxy.golang.org), one per way of refusing.
SUMDB_404 = (f"{V6_MODULE}@v6.0.1: verifying go.mod: {V6_MODULE}@v6.0.1/go.mod: reading "
             f"https://proxy.golang.org/sumdb/sum.golang.org/lookup/{V6_MODULE}@v6.0.1: 404 Not Found")
INFO_403 = (f"{V6_MODULE}@v6.0.2: reading https://proxy.golang.org/{V6_MODULE}/@v/v6.0.2.info: 403 Forbidden\n"
            "\tserver response: This module version is not available.")
ZIP_403 = (f"{V7_MODULE}@v7.12.0: reading https://proxy.golang.org/{V7_MODULE}/@v/v7.12.0.zip: 403 Forbidden\n"
           "\tserver response: This module version is not available.")
NO_HOST = (f"{V6_MODULE}@v6.0.3: Get \"https://nonexistent.invalid/{V6_MODULE}/@v/v6.0.3.info\": dial tcp: "
           "lookup nonexistent.invalid on 10.255.255.53:53: no such host")
PROXY_OFF = "module lookup disabled by GOPROXY=off"


@pytest.mark.parametrize("error, reason, definite", [
    (SUMDB_404, "the checksum database has no entry for it", True),
    (INFO_403, "not served by the Go module proxy (403)", True),
    (ZIP_403, "its source archive is refused by the Go module proxy (403)", True),
    (NO_HOST, 'could not ask the Go module proxy: Get "https://nonexistent.invalid/', False),
    (PROXY_OFF, "could not ask the Go module proxy: module lookup disabled by GOPROXY=off", False),
])
def test_each_way_of_refusing_gets_its_one_line_reason(error, reason, definite):
    answer = refusal(error)
    assert not answer.served and answer.reason.startswith(reason) and "\n" not in answer.reason
    assert answer.definite is definite


def test_the_download_output_is_read_object_by_object():
    refused = json.dumps({"Path": V7_MODULE, "Version": "v7.12.0", "Error": ZIP_403, "GoModSum": "h1:x"}, indent="\t")
    asked = [f"{V6_MODULE}@v6.0.0", f"{V7_MODULE}@v7.12.0", f"{V7_MODULE}@v7.13.2"]
    answers = parse_download(SERVED + "\n" + refused + "\n", asked, stderr="go: something broke\n")
    assert answers[asked[0]] == Answer(True)
    assert answers[asked[1]].reason == "its source archive is refused by the Go module proxy (403)"
    assert answers[asked[2]] == Answer(False, "could not ask the Go module proxy: go: something broke", definite=False)
    assert parse_download("not json at all", asked[:1])[asked[0]].reason.startswith("could not ask")


def test_answers_are_remembered_on_disk_and_a_warm_listing_asks_nobody(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(probe, "proxy_settings", lambda: (("GOPROXY", "https://proxy.example"),))
    names = [f"{V7_MODULE}@v7.0.0", f"{V7_MODULE}@v7.12.0", f"{V7_MODULE}@v7.13.2"]
    told = {names[0]: Answer(True), names[1]: refusal(ZIP_403), names[2]: refusal(NO_HOST)}
    asked = []
    first = probe.probe(names, download=lambda wanted: asked.append(wanted) or {n: told[n] for n in wanted})
    assert first == told and asked == [names]
    assert probe.cache_file().parent == tmp_path / "ld-sink-harness" / "go-driver"
    again = probe.probe(names, download=lambda wanted: asked.append(wanted) or {n: told[n] for n in wanted})
    assert asked[1:] == [[names[2]]]  # only the passing failure is asked about again
    assert again[names[1]] == Answer(False, "its source archive is refused by the Go module proxy (403)")
    monkeypatch.setattr(probe, "proxy_settings", lambda: (("GOPROXY", "https://another.example"),))
    probe.probe(names[:1], download=lambda wanted: asked.append(wanted) or {n: told[n] for n in wanted})
    assert asked[2:] == [names[:1]]  # another proxy, other answers


# ----------------------------------------------------------------------------- real Go, real proxy


@needs_go
def test_one_real_probe_tells_served_from_each_kind_of_refusal():
    names = [f"{V7_MODULE}@v7.0.0", f"{V6_MODULE}@v6.0.1", f"{V6_MODULE}@v6.0.2", f"{V7_MODULE}@v7.12.0"]
    answers = go_download(names)
    assert [answers[name].reason for name in names] == [
        "", "the checksum database has no entry for it", "not served by the Go module proxy (403)",
        "its source archive is refused by the Go module proxy (403)"]


@needs_go
def test_the_plain_targets_keep_their_binary_and_the_pinned_release_shares_it():
    go, version = build.go_toolchain()
    for target, folder, pinned in ((GO, "v7", "v7.14.6"), (GO_V6, "v6", "v6.2.1")):
        digest = hashlib.sha256()  # the cache key as it was before releases: the committed files and Go's version
        driver = ROOT / "harness" / "drivers" / "go" / "driver"
        for sub in ("common", folder):
            for path in sorted((driver / sub).iterdir(), key=lambda p: p.name):
                if path.name.endswith((".go", ".mod", ".sum")):
                    digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(version.encode())
        before = build.cache_root() / f"{folder}-{pinned}-{version}-{digest.hexdigest()[:16]}" / "driver.test"
        assert binary_path(target.flavour) == before
        assert release_target(f"{target.name}@{pinned}").flavour == target.flavour


@pytest.fixture(scope="module")
def two_releases():
    """v7.0.0 and v6.0.0, built side by side (a matrix warming its releases)."""
    if not GO_READY:
        pytest.skip("the go target is not ready")
    return GO_FAMILY.build([Version.parse("v7.0.0"), Version.parse("v6.0.0")], jobs=2, progress=False)


@needs_go
def test_two_releases_build_side_by_side_and_each_says_its_release(two_releases):
    assert two_releases == {Version.parse("v7.0.0"): "", Version.parse("v6.0.0"): ""}
    for name, module, release in (("go@v7.0.0", V7_MODULE, "v7.0.0"), ("go@v6.0.0", V6_MODULE, "v6.0.0")):
        binary = binary_path(release_target(name).flavour)
        assert f"-{release}-" in binary.parent.name and binary != binary_path(V7) and binary != binary_path(V6)
        started = subprocess.run([str(binary), "-test.run=^TestDriver$", "-test.timeout=0"], input=b"",
                                 capture_output=True, timeout=60)
        hello = json.loads(started.stdout.splitlines()[0])
        assert (hello["sdk"], hello["version"]) == (module, release)  # the version stamped in at build time


@needs_go
@pytest.mark.parametrize("name", ["go@v7.0.0", "go-v6@v6.0.0", "go@v6.0.0"])
def test_a_catalogue_scenario_runs_and_passes_on_a_release(two_releases, name):
    result = harness.run(OUT_OF_ORDER, name)
    assert result.ok, result.failures
    assert result.target == name and len(result.ops) > 0
    assert release_target(name).availability().version.startswith(f"{V7_MODULE if '@v7' in name else V6_MODULE}@v")


@needs_go
@pytest.mark.parametrize("name, reason", [
    ("go@v7.12.0", "its source archive is refused by the Go module proxy (403)"),
    ("go-v6@v6.0.2", "not served by the Go module proxy (403)"),
])
def test_a_refused_release_is_not_ready_with_its_reason(name, reason):
    available = release_target(name).availability()
    assert not available.ready and available.reason == reason
    with pytest.raises(harness.UsageError, match=re.escape(f"cannot run here: {reason}")):
        harness.run(OUT_OF_ORDER, name)
    family_name = name.partition("@")[0]
    assert name not in expand_targets([f"{family_name}@v6.0.0.."])  # a range passes it by


@needs_go
def test_a_range_runs_over_the_served_releases():
    assert expand_targets(["go-v6@v6.0.0.."]) == ["go-v6@v6.0.0", "go-v6@v6.1.0", "go-v6@v6.1.1", "go-v6@v6.2.1"]
    assert expand_targets(["go@v7.13.0..v7.14.1"]) == ["go@v7.13.0", "go@v7.13.4", "go@v7.14.1"]


@needs_go
def test_a_release_that_fails_to_build_is_a_failed_run_then_not_ready(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # nothing built here yet
    monkeypatch.setenv("GOCACHE", str(tmp_path / "gocache"))
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "modules"))  # no module to be had ...
    monkeypatch.setenv("GOPROXY", "off")                         # ... and nowhere to fetch one
    target = GoTarget("go-unbuildable", V7.at("v7.1.0"), "v7.1.0 with no module cache and no proxy")
    register_target(target)
    try:
        assert target.availability().ready
        result = harness.run(OUT_OF_ORDER, "go-unbuildable")
        assert not result.ok and result.driver_failure is not None
        line = result.driver_failure.actual
        assert "\n" not in line
        assert "building the Go driver for github.com/launchdarkly/go-server-sdk/v7@v7.1.0 failed" in line
        assert "module lookup disabled by GOPROXY=off" in line and "build.log" in line
        available = target.availability()
        assert not available.ready and available.reason in line
        with pytest.raises(harness.UsageError, match="cannot run here: building the Go driver"):
            harness.run(OUT_OF_ORDER, "go-unbuildable")
        (again,) = build_all([target.flavour], progress=False).values()
        assert str(again) == available.reason  # remembered: not built again in this process
    finally:
        unregister_target("go-unbuildable")
        subprocess.run(["chmod", "-R", "u+w", str(tmp_path)], check=False)  # Go's module cache is read-only
