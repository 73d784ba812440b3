"""Local BigQuery and GCS emulators for the contract suite, started by the tests themselves.

Both listen on 127.0.0.1 only, on free ports, and come from their own environment
(``scripts/emulators.sh`` installs it under ``build/emulators``; ``NBAPROPS_EMULATORS``
names another folder).  A test that needs one is skipped with the reason when it is absent.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
EMULATORS = Path(os.environ.get("NBAPROPS_EMULATORS", ROOT / "build" / "emulators"))
PROJECT = "nbaprops-test"
BUCKET = "nbaprops-test"
START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binary(name: str) -> Path:
    exe = EMULATORS / "bin" / name
    if not exe.exists():
        pytest.skip(f"{name} not installed in {EMULATORS}: run scripts/emulators.sh")
    return exe


@contextmanager
def _serve(cmd: list[str], ready_url: str, log: Path) -> Iterator[None]:
    """Start `cmd`, wait until `ready_url` answers, stop it on exit."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{cmd[0]} exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=2.0).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{cmd[0]} did not answer on {ready_url} in {START_TIMEOUT_S:.0f} s")
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def bigquery_emulator(workdir: Path) -> Iterator[str]:
    """A bqemulator on a free port; yields its REST endpoint."""
    exe = _binary("bqemulator")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    cmd = [str(exe), "start", "--rest-host", "127.0.0.1", "--rest-port", str(port)]
    cmd += ["--grpc-host", "127.0.0.1", "--grpc-port", str(_free_port()), "--project", PROJECT]
    cmd += ["--log-level", "warning"]
    with _serve(cmd, f"{endpoint}/bigquery/v2/projects/{PROJECT}/datasets", workdir / "bqemulator.log"):
        yield endpoint


@contextmanager
def gcs_emulator(workdir: Path) -> Iterator[str]:
    """A gcp-storage-emulator (in memory) on a free port with one bucket; yields its endpoint."""
    exe = _binary("gcp-storage-emulator")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    cmd = [str(exe), "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory"]
    cmd += ["--default-bucket", BUCKET, "-q"]
    with _serve(cmd, f"{endpoint}/storage/v1/b", workdir / "gcs-emulator.log"):
        yield endpoint
