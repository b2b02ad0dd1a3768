"""The web API through Starlette's test client: every endpoint, bad parameters, unknown
scenarios, and paths outside the given files refused."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from negsim.scenario import load_scenario
from negsim.scenario.overrides import domain_of, settable, settable_refs, with_values
from negsim.scenario.yamldoc import read_yaml
from negsim.simulation import simulate
from negsim.trace import trace
from negsim.web.app import create_app
from tests.conftest import BASELINE, DATA, SCENARIOS, SEEDS

CEASEFIRE = SCENARIOS / "ceasefire_first.yaml"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app([BASELINE, CEASEFIRE])) as c:
        yield c


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def error_of(response, status: int, kind: str | None = None) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert message and "Traceback" not in message
    if kind is not None:  # what the page puts back: settings, another field, nothing
        assert response.json()["kind"] == kind, response.json()
    return message


# --- the page and its files --------------------------------------------------------------

def test_page_is_served_with_its_own_script_and_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<script src="/static/app.js"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN, works offline
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for name in ("app.js", "style.css", "favicon.svg"):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200 and asset.content
        assert b"http://" not in asset.content.replace(b"http://www.w3.org/2000/svg", b"")
        assert asset.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
    "/static/%2e%2e/%2e%2e/scenarios/baseline.yaml", "/static//etc/passwd", "/app.py",
    "/scenarios/baseline.yaml", "/api/scenarios/..%2F..%2Fseeds%2Fevidence",
])
def test_paths_outside_the_package_and_the_given_files_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"negsim" not in response.content or b"error" in response.content
    assert b"def create_app" not in response.content and b"issues:" not in response.content


def test_only_get_is_allowed(client):
    assert client.post("/api/scenarios/baseline/trace").status_code == 405


# --- scenarios ---------------------------------------------------------------------------

def test_listing_names_the_given_files_only(client):
    body = client.get("/api/scenarios").json()
    assert [s["id"] for s in body["scenarios"]] == ["baseline", "ceasefire_first"]
    assert body["default"] == "baseline"
    assert body["min_page_runs"] <= body["page_runs"] <= body["max_page_runs"]


def test_a_scenario_describes_every_settable_parameter_with_a_usable_slider(client, baseline):
    info = client.get("/api/scenarios/baseline").json()
    assert info["title"] == baseline.title and info["seed"] == str(baseline.montecarlo.seed)
    assert [p["path"] for p in info["parameters"]] == settable(baseline)
    assert [i["id"] for i in info["issues"]] == list(baseline.issues)
    for issue in info["issues"]:
        assert issue["zero"] and issue["one"]
    required = {a["id"] for a in info["actors"] if a["required"]}
    assert required == {a for a, x in baseline.actors.items() if x.signatory or x.veto}


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_uncertain_parameter_war_cost_belief_and_patience_has_a_key_slider(path):
    from negsim.web.catalogue import describe

    scenario = load_scenario(path)
    data = read_yaml(path).data
    for p, ref in zip(describe(path.stem, scenario)["parameters"], settable_refs(scenario),
                      strict=True):
        tail = p["path"].split(".")
        wanted = p["uncertain"] or tail[-1] in ("war_cost", "patience") or "beliefs" in tail
        assert p["key"] == wanted, p["path"]
        assert p["min"] < p["max"] and p["step"] > 0, p
        assert p["min"] <= p["value"] <= p["max"], p
        domain = domain_of(scenario, ref.path)
        assert domain.contains(p["min"]) and domain.contains(p["max"]), p
        assert (p["domain"]["lo"], p["domain"]["integer"]) == (
            domain.lo if domain.lo > -1e300 else None, domain.integer)
        # both ends of a key slider are values the scenario accepts (other sliders may reach
        # values that a rule tying parameters together refuses, such as an ideal outside
        # the actor's own red lines; the page then puts the value back)
        if p["key"]:
            for end in (p["min"], p["max"]):
                with_values(data, {p["path"]: end}, str(path), path.parent)
        # a value of 0 slides over the scale of its kind, not the whole domain
        if p["value"] == 0 and "beliefs" in tail:
            assert p["max"] - p["min"] < 0.5, p


def test_sliders_of_effects_stay_in_the_values_their_op_allows():
    from negsim.web.catalogue import describe

    path = SCENARIOS / "aid_for_commitment.yaml"
    scenario = load_scenario(path)
    data = read_yaml(path).data
    effects = [p for p in describe("x", scenario)["parameters"] if ".effects." in p["path"]]
    assert any("scale" in p["label"] for p in effects)
    for p in effects:
        for end in (p["min"], p["max"]):
            with_values(data, {p["path"]: end}, str(path), path.parent)


def test_unknown_scenarios_are_404_with_the_known_ones_named(client):
    for sid in ("nope", "baseline.yaml", "scenario.schema", "%2e%2e"):
        message = error_of(client.get(f"/api/scenarios/{sid}/trace"), 404)
        assert "baseline" in message and "ceasefire_first" in message
    error_of(client.get("/api/scenarios/../trace"), 404)


def test_evidence_gives_the_quote_and_document_of_a_parameter(client, baseline):
    body = client.get("/api/scenarios/baseline/evidence",
                      params={"path": "actors.russia.war_cost"}).json()
    registry = baseline.registry
    quoted = [r for r in body["rows"] if r["quote"]]
    assert quoted, body
    for row in quoted:
        item = registry.evidence[row["evidence_id"]]
        assert row["quote"] == item.quote and row["document"] == item.document
        assert row["document_title"] == registry.documents[item.document].title
    assert error_of(client.get("/api/scenarios/baseline/evidence"), 400)
    for path in ("actors.russia.nothing", "protocol.max_rounds"):  # the window cites nothing
        assert "no evidence for" in error_of(client.get(
            "/api/scenarios/baseline/evidence", params={"path": path}), 400)
    assert "unknown query parameter" in error_of(client.get(
        "/api/scenarios/baseline/evidence", params={"path": "protocol.horizon", "x": "1"}), 400)


# --- the negotiation view ----------------------------------------------------------------

def test_trace_is_the_mesa_trace_of_the_same_run(client, baseline):
    body = client.get("/api/scenarios/baseline/trace", params={"run": 3, "seed": 7}).json()
    expected = trace(baseline, 7, 3)
    assert body["rounds"] == expected["rounds"] and body["outcome"] == expected["outcome"]
    default = client.get("/api/scenarios/baseline/trace").json()
    assert default["seed"] == baseline.montecarlo.seed and default["run"] == 0


def test_trace_applies_the_settings(client):
    settings = {"actors.russia.war_cost": 0.03, "protocol.max_rounds": 40}
    body = client.get("/api/scenarios/baseline/trace",
                      params={"seed": 1, "set": [f"{k}={v}" for k, v in settings.items()]}).json()
    edited = with_values(read_yaml(BASELINE).data, settings, str(BASELINE), BASELINE.parent)
    assert body["rounds"] == trace(edited, 1, 0)["rounds"]
    assert body["settings"] == settings and len(body["rounds"]) <= 40


@pytest.mark.parametrize("query, words", [
    ({"run": "-1"}, "run must be in"),
    ({"run": "abc"}, "run must be a whole number"),
    ({"run": "1.5"}, "whole number"),
    ({"run": ["1", "2"]}, "given 2 times"),
    ({"seed": str(2**64)}, "seed must be in"),
    ({"seed": "9" * 100}, "got a 100-digit number"),
    ({"seed": "--5"}, "whole number"),
    ({"seed": "²"}, "whole number"),
    ({"run": "٣"}, "whole number"),
    ({"runs": "100"}, "unknown query parameter 'runs'"),
    ({"set": "actors.russia.war_cost"}, "path=value"),
    ({"set": "actors.russia.war_costs=0.1"}, "unknown parameter"),
    ({"set": "../../etc/passwd=1"}, "unknown parameter"),
    ({"set": "actors.russia.war_cost=nan"}, "finite"),
    ({"set": "actors.russia.war_cost=1e999"}, "finite"),
    ({"set": "actors.russia.war_cost=cheap"}, "must be a number"),
    ({"set": ["actors.russia.war_cost=0.1", "actors.russia.war_cost=0.2"]}, "set twice"),
    ({"set": "actors.russia.war_cost=2"}, "actors.russia.war_cost: must be ≤ 1"),
    ({"set": "protocol.max_rounds=2.5"}, "whole numbers"),
    ({"set": "actors.russia.ideal.territory=-0.5"}, "actors.russia.ideal.territory"),
    ({"set": "actors.russia.ideal.nato=0"}, "red line"),  # a rule tying parameters together
    ({"set": "protocol.max_rounds=3000"}, "the page plays at most 1,000 rounds"),
])
def test_bad_trace_parameters_get_a_clear_message_and_the_server_goes_on(client, query, words):
    kind = "settings" if "set" in query and "page plays" not in words else "request"
    message = error_of(client.get("/api/scenarios/baseline/trace", params=query), 400, kind)
    assert words in message
    assert client.get("/api/scenarios/baseline/trace").status_code == 200


# --- the distribution view ---------------------------------------------------------------

def test_distribution_is_the_summary_of_negsim_run(client, baseline):
    body = client.get("/api/scenarios/baseline/distribution",
                      params={"runs": 300, "seed": 5}).json()
    expected = simulate(baseline, runs=300, seed=5, keep_runs=False).summary()
    assert body["summary"]["agreement"] == expected["agreement"]
    assert body["summary"]["issues"] == expected["issues"]
    assert body["figures"] == ["agreement", "deals", "rounds", "utilities"]
    changed = client.get("/api/scenarios/baseline/distribution",
                         params={"runs": 300, "seed": 5, "set": "protocol.horizon=30"}).json()
    assert changed["summary"]["scenario"] == "baseline"  # the legends say "(1 set)"


def test_settings_move_the_distribution_with_common_random_numbers(client):
    base = {"runs": 300, "seed": 5}
    before = client.get("/api/scenarios/baseline/distribution", params=base).json()
    after = client.get("/api/scenarios/baseline/distribution",
                       params={**base, "set": "protocol.max_rounds=60"}).json()
    assert after["settings"] == {"protocol.max_rounds": 60}
    assert after["summary"]["agreement"] != before["summary"]["agreement"]
    again = client.get("/api/scenarios/baseline/distribution", params=base).json()
    assert again == before


def test_figures_are_pngs_of_the_job_and_agenda_scenarios_have_stages(client):
    params = {"runs": 200, "seed": 2}
    for name in ("agreement", "deals", "rounds", "utilities"):
        png = client.get(f"/api/scenarios/baseline/figures/{name}.png", params=params)
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
    assert "baseline has" not in error_of(
        client.get("/api/scenarios/baseline/figures/stages.png", params=params), 404)
    staged = client.get("/api/scenarios/ceasefire_first/distribution", params=params).json()
    assert "stages" in staged["figures"]
    png = client.get("/api/scenarios/ceasefire_first/figures/stages.png", params=params)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("query, words", [
    ({"runs": "99"}, "runs must be in [100, 10,000]"),
    ({"runs": "10001"}, "runs must be in"),
    ({"runs": "1e4"}, "whole number"),
    ({"run": "3"}, "unknown query parameter 'run'"),
    ({"set": "montecarlo.runs=5"}, "unknown parameter"),
    ({"runs": "10000", "set": "protocol.max_rounds=500"}, "too large for the page"),
    ({"runs": "100", "set": "protocol.max_rounds=1001"}, "the page plays at most 1,000"),
])
def test_bad_distribution_parameters_get_a_clear_message(client, query, words):
    assert words in error_of(client.get("/api/scenarios/baseline/distribution", params=query),
                             400)
    assert words in error_of(client.get("/api/scenarios/baseline/figures/agreement.png",
                                        params=query), 400)


def test_an_internal_failure_is_one_line_and_the_server_keeps_serving(monkeypatch):
    import negsim.simulation

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    with TestClient(create_app([BASELINE]), raise_server_exceptions=False) as c:
        monkeypatch.setattr(negsim.simulation, "simulate", broken)
        message = error_of(c.get("/api/scenarios/baseline/distribution"), 500)
        assert "disk on fire" in message and "goes on" in message
        monkeypatch.undo()
        assert c.get("/api/scenarios/baseline/distribution", params={"runs": 100}).status_code \
            == 200


# --- files that change on disk -----------------------------------------------------------

def test_an_edited_file_is_read_again_and_an_invalid_one_is_reported(tmp_path):
    path = tmp_path / "sink.yaml"
    registry = (SEEDS / "evidence.yaml").resolve()
    path.write_text((DATA / "kitchen_sink.yaml").read_text().replace(
        "../../seeds/evidence.yaml", str(registry)))
    with TestClient(create_app([path])) as c:
        sid = c.get("/api/scenarios").json()["default"]
        title = c.get(f"/api/scenarios/{sid}").json()["title"]
        text = path.read_text()
        path.write_text(text.replace(f'title: "{title}"', "title: Edited on disk", 1))
        assert c.get(f"/api/scenarios/{sid}").json()["title"] == "Edited on disk"
        path.write_text(text.replace("issues:", "issues: [", 1))
        message = error_of(c.get(f"/api/scenarios/{sid}/trace"), 400, "file")
        assert str(path) in message or "sink.yaml" in message
        path.write_text(text)
        assert c.get(f"/api/scenarios/{sid}/trace").status_code == 200


# --- who may ask -------------------------------------------------------------------------

def test_other_host_names_and_other_sites_pages_are_refused():
    from negsim.web.app import LOOPBACK

    with TestClient(create_app([BASELINE], hosts=LOOPBACK), base_url="http://127.0.0.1:8765") \
            as c:
        assert c.get("/api/scenarios").status_code == 200
        assert c.get("/api/scenarios", headers={"host": "localhost:8765"}).status_code == 200
        rebound = c.get("/api/scenarios", headers={"host": "attacker.example:8765"})
        assert "answers to 127.0.0.1" in error_of(rebound, 421)
        assert rebound.headers["content-security-policy"]
        for headers in ({"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"},
                        {"origin": "http://localhost:3000"}, {"origin": "https://evil.example"}):
            cross = c.get("/api/scenarios/baseline/distribution", headers=headers)
            assert "other sites" in error_of(cross, 403), headers
        for headers in ({"sec-fetch-site": "same-origin"}, {"sec-fetch-site": "none"},
                        {"origin": "http://127.0.0.1:8765"}):
            assert c.get("/api/scenarios", headers=headers).status_code == 200, headers


def test_a_missing_file_is_reported_and_the_others_still_load(tmp_path):
    path = tmp_path / "gone.yaml"
    path.write_text((DATA / "kitchen_sink.yaml").read_text().replace(
        "../../seeds/evidence.yaml", str((SEEDS / "evidence.yaml").resolve())))
    with TestClient(create_app([BASELINE, path])) as c:
        path.unlink()
        listing = c.get("/api/scenarios").json()["scenarios"]
        assert listing[0]["id"] == "baseline" and "error" not in listing[0]
        assert "cannot read" in listing[1]["error"]
        assert "cannot read" in error_of(c.get(f"/api/scenarios/{listing[1]['id']}"), 400)
        assert c.get("/api/scenarios/baseline").status_code == 200


# --- one job at a time, and none for a client that left ----------------------------------

class FakeRequest:
    def __init__(self, gone: bool):
        self.gone = gone

    async def is_disconnected(self) -> bool:
        return self.gone


def test_a_request_whose_client_left_is_dropped_before_computing():
    import asyncio

    from negsim.web.app import ClientGone, Slot

    calls = []

    async def main():
        slot = Slot()
        assert await slot.run(FakeRequest(False), calls.append, 1) is None
        with pytest.raises(ClientGone):
            await slot.run(FakeRequest(True), calls.append, 2)

    asyncio.run(main())
    assert calls == [1]


def test_too_many_waiting_requests_are_told_the_server_is_busy():
    import asyncio

    from starlette.exceptions import HTTPException

    from negsim.web.app import MAX_WAITING, ClientGone, Slot

    async def main():
        slot = Slot()
        await slot._lock.acquire()  # a long job holds the slot
        pages = [FakeRequest(False) for _ in range(MAX_WAITING)]
        waiting = [asyncio.create_task(slot.run(page, lambda: "done")) for page in pages]
        await asyncio.sleep(0.01)
        with pytest.raises(HTTPException) as busy:
            await slot.run(FakeRequest(False), lambda: "late")
        assert busy.value.status_code == 503
        pages[0].gone = pages[1].gone = True  # two pages went away: room for one more
        late = asyncio.create_task(slot.run(FakeRequest(False), lambda: "late"))
        await asyncio.sleep(0.01)
        slot._lock.release()
        results = await asyncio.gather(*waiting, late, return_exceptions=True)
        assert [type(r) for r in results[:2]] == [ClientGone, ClientGone]
        assert results[2:] == ["done"] * (MAX_WAITING - 2) + ["late"]

    asyncio.run(main())
