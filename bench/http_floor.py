"""HTTP req/s and latency of `sms-mock serve` beside its baselines, in alternating rounds.

The task GET is loaded on four servers in turn, round after round: `sms-mock serve`, the same
with `--state-file`, the floor and the peer (moto_server's DescribeTable, when it installed);
the token issue on the emulator, the floor and the peer (moto's STS GetSessionToken), and the
task action on the emulator and the floor. Each ratio is the median of its rounds' ratios, each
round's two figures measured minutes apart at most.

Named http_floor, not http: a bench/http.py would shadow the standard library's `http` for any
script run from inside bench/.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import moto_peer
from bench.calls import Call, Load, load, token_for
from bench.common import (
    ACTION_BODY,
    ACTION_TASK,
    CONNECTIONS,
    GET_CALL,
    JSON_TYPE,
    MAX_REQUESTS,
    ROUNDS,
    SECONDS,
    SEED_TASK,
    THREADS,
    TOKEN_BODY,
    WARMUP_SECONDS,
    log,
    median,
)
from bench.procs import Served, ServerFailed, floor_command, request, serve_command, serving
from bench.report import HttpRow, Report

GET_TARGET = 0.95
STATE_FILE_TARGET = 0.9
POST_TARGET = 0.9
MOTO_TARGET = 6.0
STATE_FILE_CALL = f"{GET_CALL}, --state-file"
SERVER_LAYER = f"{GET_CALL}: the floor's app, emulator's server"
TOKEN_CALL = "POST /v3/auth/tokens"
ACTION_CALL = "POST /v3/tasks/{id}/action"
MOTO_BASELINE = "moto_server DescribeTable"
MOTO_TOKEN_PEER = "moto_server STS GetSessionToken"
PROFILED_CALLS = 500


@dataclass
class Side:
    """One server and the call it is loaded with."""

    name: str
    served: Served
    call: Call
    # The emulator whose token the call carries, issued afresh before each measurement: the
    # token issue's own load issues thousands, and IAM keeps a user's newest 1,000.
    token_from: int | None = None

    def fresh_call(self) -> Call:
        if self.token_from is None:
            return self.call
        token = token_for(self.token_from)[0]
        return replace(self.call, headers={**self.call.headers, "X-Auth-Token": token})


def _state_file_bytes(folder: Path) -> int:
    """The state file and its WAL and shared-memory files, together."""
    return sum(p.stat().st_size for p in folder.glob("state.db*") if p.is_file())


@contextmanager
def _moto(stack: ExitStack) -> Iterator[tuple[Served | None, str]]:
    """moto_server, or None and why not."""
    why = moto_peer.missing()
    if why is not None:
        yield None, why
        return
    try:
        served = stack.enter_context(moto_peer.moto_serving())
    except (ServerFailed, OSError) as exc:
        yield None, f"moto_server did not start: {exc}"[:300]
        return
    yield served, ""


def measure_http(report: Report) -> None:
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        emulator = stack.enter_context(serving(serve_command()))
        state_dir = tmp / "state"
        state_dir.mkdir()
        stateful = stack.enter_context(
            serving(serve_command("--state-file", str(state_dir / "state.db")))
        )
        token, token_doc = token_for(emulator.port)
        auth = {"X-Auth-Token": token}
        stateful_auth = {"X-Auth-Token": token_for(stateful.port)[0]}
        task_path = f"/v3/tasks/{SEED_TASK}"
        status, _, task_bytes = request(emulator.port, "GET", task_path, None, auth)
        if status != 200:
            raise RuntimeError(f"GET task: {status}")
        stateful_bytes = request(stateful.port, "GET", task_path, None, stateful_auth)[2]
        task_file, token_file = tmp / "task.json", tmp / "token.json"
        task_file.write_bytes(task_bytes)
        token_file.write_text(json.dumps(token_doc))
        floor = stack.enter_context(serving(floor_command(task_file, token_file)))
        floor_bytes = request(floor.port, "GET", task_path)[2]
        # The floor's app under the emulator's own server: the server layer's share, alone.
        floor_served = stack.enter_context(
            serving(floor_command(task_file, token_file, "--emulator-server"))
        )
        same = {True: "the same", False: "NOT the same"}
        report.notes.append(
            f"The floor's task answer is {same[floor_bytes == task_bytes]} "
            f"{len(task_bytes):,} bytes as the emulator's; the --state-file emulator's is "
            f"{same[stateful_bytes == task_bytes]}."
        )
        moto, moto_why = stack.enter_context(_moto(stack))
        get = Call(GET_CALL, "GET", task_path, auth, None, 200)
        groups: dict[str, list[Side]] = {
            GET_CALL: [
                Side("emulator", emulator, get, emulator.port),
                Side(
                    "state file",
                    stateful,
                    Call(GET_CALL, "GET", task_path, stateful_auth, None, 200),
                    stateful.port,
                ),
                Side("floor", floor, get),
                Side("floor, emulator's server", floor_served, get),
            ],
            TOKEN_CALL: [
                Side(
                    side,
                    server,
                    Call(TOKEN_CALL, "POST", "/v3/auth/tokens", JSON_TYPE, TOKEN_BODY, 201),
                )
                for side, server in (("emulator", emulator), ("floor", floor))
            ],
            ACTION_CALL: [
                Side(
                    side,
                    server,
                    Call(
                        ACTION_CALL,
                        "POST",
                        f"/v3/tasks/{ACTION_TASK}/action",
                        {**JSON_TYPE, **auth},
                        ACTION_BODY,
                        200,
                    ),
                    emulator.port if side == "emulator" else None,
                )
                for side, server in (("emulator", emulator), ("floor", floor))
            ],
        }
        if moto is not None:
            groups[GET_CALL].append(Side("moto", moto, moto_peer.describe_call()))
            groups[TOKEN_CALL].append(Side("moto", moto, moto_peer.session_token_call()))
        written_before = _state_file_bytes(state_dir)
        runs = _rounds(groups)
        written = _state_file_bytes(state_dir) - written_before
    report.http_method = (
        f"Servers are subprocesses on 127.0.0.1. The emulator runs `sms-mock serve --port 0 "
        f"--clock manual --threads {THREADS}` (its IAM listener on a second free port, not "
        f"loaded), and the same with `--state-file` in a temporary folder; the floor is a bare "
        f"Flask app under waitress with the same threads, whose one route per call answers the "
        f"emulator's own answer (the same bytes, status and token header) with `json.dumps` "
        f"of a dict per request and no other work; the peer is moto_server (the `bench` extra) "
        f"answering DynamoDB's DescribeTable of one table, and STS's GetSessionToken beside the "
        f"token issue (the peer column). {CONNECTIONS} keep-alive connections "
        f"from `bench.load`, each measurement bounded by {MAX_REQUESTS:,} requests or "
        f"{SECONDS} s, after a warm-up of {WARMUP_SECONDS} s a side. {ROUNDS} rounds: in each, "
        f"the task GET on emulator, --state-file emulator, floor, the floor's app under the "
        f"emulator's own server (`make_server`, a diagnostic without target) and moto in turn "
        f"(reversed every other round), then the token issue on emulator, floor and moto, and "
        f"the action on emulator and floor. The GET reads the seed page's task "
        f"(`{SEED_TASK}`); the action is `network_check` on the READY `{ACTION_TASK}`, "
        f"accepted every time; the emulator's GET and action carry a token issued just before "
        f"each measurement (the token issue's load issues thousands for the same user, and IAM "
        f"keeps a user's newest 1,000). Each call with a target is also run in process as WSGI, "
        f"emulator and floor, and profiled with cProfile ({PROFILED_CALLS} calls): what the "
        f"Targets missed section shows."
    )
    gets = runs[GET_CALL]
    report.http.append(_row(GET_CALL, "floor", gets["emulator"], gets["floor"], GET_TARGET))
    report.http.append(
        _row(STATE_FILE_CALL, "floor", gets["state file"], gets["floor"], STATE_FILE_TARGET)
    )
    layer = _row(SERVER_LAYER, "floor", gets["floor, emulator's server"], gets["floor"], None)
    report.http.append(layer)
    report.note(
        f"The floor's app under the emulator's own server (`make_server`: its channel class, "
        f"connection limit, channel timeout and second listener) answered {layer.ratio:.2f} of "
        f"the floor's req/s under a plain waitress `create_server`: what the server layer "
        f"alone costs the emulator's rate, with no emulator code in the app. No target: it "
        f"says where a GET ratio's gap lies.",
        f"{GET_CALL} / floor",
    )
    for name in (TOKEN_CALL, ACTION_CALL):
        report.http.append(
            _row(name, "floor", runs[name]["emulator"], runs[name]["floor"], POST_TARGET)
        )
    if moto is not None:
        row = _row(GET_CALL, MOTO_BASELINE, gets["emulator"], gets["moto"], MOTO_TARGET)
        row.measured = report.http[0].measured  # the same runs: counted once in the totals
        report.http.append(row)
        # The peer column: moto's call beside the task GET (the row above's runs) and beside
        # the token issue (STS GetSessionToken, in the token issue's rounds).
        tokens = runs[TOKEN_CALL]
        sts = _row(TOKEN_CALL, MOTO_TOKEN_PEER, tokens["emulator"], tokens["moto"], None)
        _set_peer(report.http[0], row)
        _set_peer(report.http[3], sts)
        report.note(
            f"The peer column: moto's answer to the same load beside the emulator's, where moto "
            f"has a call of the same kind, and the emulator's req/s over moto's (the median of "
            f"the rounds; no target but the task GET's row against moto below). Beside the token "
            f"issue, moto's STS `GetSessionToken` (`POST /`, a form body, temporary credentials "
            f"in XML), in the token issue's rounds: moto {sts.base['rps']:,.0f} req/s "
            f"(p50 {sts.base['p50_ms']:.2f} ms), the emulator {sts.ratio:.2f} times as many; "
            f"the token issue's rounds against moto: "
            + ", ".join(f"{r:.2f}" for r in sorted(sts.rounds))
            + "."
        )
        floor_over_moto = median(
            [f.rps / m.rps for f, m in zip(gets["floor"], gets["moto"], strict=True)]
        )
        report.note(
            f"The peer: moto {moto_peer.version()} as `moto_server` runs it (werkzeug's threaded "
            f"server, a thread a connection), one table created first, answering `POST /` "
            f"DescribeTable in the same rounds as the emulator's task GET; the ratio is the "
            f"emulator's req/s over moto's. In the same rounds the floor, a bare Flask route "
            f"under waitress with the emulator's threads, doing no work, answered "
            f"{floor_over_moto:.2f} times moto's req/s: that is as far as any emulator under "
            f"this server and load generator could get on this machine.",
            row.key,
        )
    else:
        report.http.append(
            HttpRow(GET_CALL, MOTO_BASELINE, target=MOTO_TARGET, not_measured=moto_why)
        )
    state_requests = sum(r.requests for r in gets["state file"])
    report.note(
        f"With --state-file, the state file, its WAL and shared memory together grew by "
        f"{written:,} bytes over the {state_requests:,} GETs of the rounds (a read writes "
        f"nothing).",
        f"{STATE_FILE_CALL} / floor",
    )
    _profile_calls(report, task_bytes, token_doc)


def _rounds(groups: dict[str, list[Side]]) -> dict[str, dict[str, list[Load]]]:
    log("HTTP: warming up")
    for sides in groups.values():
        for side in sides:
            load(side.served.url, side.fresh_call(), WARMUP_SECONDS)
    runs: dict[str, dict[str, list[Load]]] = {name: {} for name in groups}
    for round_no in range(ROUNDS):
        log(f"HTTP: round {round_no + 1} of {ROUNDS}")
        for name, sides in groups.items():
            # A B C D, then D C B A: no side always runs just after another's warm caches.
            for side in sides if round_no % 2 == 0 else list(reversed(sides)):
                measured = load(side.served.url, side.fresh_call())
                runs[name].setdefault(side.name, []).append(measured)
    return runs


def _row(
    name: str, baseline: str, measured: list[Load], base: list[Load], target: float | None
) -> HttpRow:
    ratios = [m.rps / b.rps for m, b in zip(measured, base, strict=True)]
    row = HttpRow(name, baseline, _summary(measured), _summary(base), median(ratios), target)
    row.rounds = ratios
    return row


def _set_peer(row: HttpRow, peer: HttpRow) -> None:
    """`row`'s peer column: `peer`'s baseline (moto's call), measured beside the same runs."""
    row.peer, row.peer_side, row.peer_ratio = peer.baseline, peer.base, peer.ratio


def _summary(runs: list[Load]) -> dict[str, float]:
    return {
        "rps": median([r.rps for r in runs]),
        "p50_ms": median([r.p50_ms for r in runs]),
        "p99_ms": median([r.p99_ms for r in runs]),
        "requests": sum(r.requests for r in runs),
        "failures": sum(r.failures for r in runs),
    }


def _profile_calls(report: Report, task_bytes: bytes, token_doc: dict[str, Any]) -> None:
    """Each call with a target in process, emulator and floor: what a missed ratio's note
    shows. The emulator is built as `serve` builds it (the manual clock; a state file in a
    temporary folder for that row)."""
    log("HTTP: the calls in process, profiled")
    # Imported here, not on top: the fixture's first run must import the emulator itself.
    from bench.floor import create_floor
    from bench.profiling import environ_for, per_call_us, profile_call
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config

    floor = create_floor(json.loads(task_bytes), token_doc, "floor-token")
    with tempfile.TemporaryDirectory() as tmp:
        apps = {
            "emulator": create_app(Config(clock="manual")),
            "state file": create_app(Config(clock="manual", state_file=Path(tmp, "state.db"))),
        }
        try:

            def auth(side: str) -> dict[str, str]:
                # A token issued for each case: the token issue's own case issues thousands,
                # and IAM keeps a user's newest 1,000 (an older token answers 401).
                answer = (
                    apps[side]
                    .test_client()
                    .post("/v3/auth/tokens", data=TOKEN_BODY, headers=JSON_TYPE)
                )
                return {"X-Auth-Token": answer.headers["X-Subject-Token"]}

            task = f"/v3/tasks/{SEED_TASK}"
            action = f"/v3/tasks/{ACTION_TASK}/action"
            cases = [
                (f"{GET_CALL} / floor", "emulator", "GET", task, {}, None, 200),
                (f"{STATE_FILE_CALL} / floor", "state file", "GET", task, {}, None, 200),
                (
                    f"{TOKEN_CALL} / floor",
                    "emulator",
                    "POST",
                    "/v3/auth/tokens",
                    JSON_TYPE,
                    TOKEN_BODY,
                    201,
                ),
                (f"{ACTION_CALL} / floor", "emulator", "POST", action, JSON_TYPE, ACTION_BODY, 200),
            ]
            for key, side, method, path, headers, body, expect in cases:
                sent = {**headers, **auth(side)} if method == "GET" or path == action else headers
                us, profile = profile_call(
                    apps[side],
                    environ_for(method, path, sent, body),
                    PROFILED_CALLS,
                    f"The emulator's `{method} {path}`"
                    + (" with --state-file" if side == "state file" else ""),
                    expect,
                )
                floor_us = per_call_us(
                    floor, environ_for(method, path, headers, body), PROFILED_CALLS, expect
                )
                which = " with a state file" if side == "state file" else ""
                report.note(
                    f"{key.split(' / ')[0]} in process as WSGI (no server, no network, best "
                    f"of 5 x {PROFILED_CALLS}): the emulator{which} {us:.0f} us a call, the "
                    f"floor's route {floor_us:.0f} us; {us - floor_us:+.0f} us a call is the "
                    f"emulator's own work.",
                    key,
                )
                report.profile(profile, key)
                if key == f"{GET_CALL} / floor":
                    report.profile(profile, f"{GET_CALL} / {MOTO_BASELINE}")
        finally:
            apps["state file"].extensions["sms_mock"].close()
