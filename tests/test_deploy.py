"""The deploy kit (deploy/): every setting named in .env.example, a hardened systemd unit, and the
container image built and run with a passing healthcheck where a Docker daemon answers."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.settings import NAMES
from tests.conftest import REPO
from tests.test_operations import _free_port

DEPLOY = REPO / "deploy"


def test_env_example_names_every_setting():
    named = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", (DEPLOY / ".env.example").read_text(encoding="utf-8"), re.MULTILINE))
    assert set(NAMES) - named == set()
    assert named - set(NAMES) == set()


def test_a_copied_env_example_blanks_nothing_the_image_or_the_unit_sets():
    """README: `cp deploy/.env.example deploy/.env` (compose's env_file overrides the image's ENV) or
    to /etc/faktabot/faktabot.env (systemd's EnvironmentFile= overrides Environment=). An active
    `HEALTH_PORT=` line blanked the image's and the unit's 8080: no /health, an unhealthy container."""
    active = set(re.findall(r"^([A-Z][A-Z_]+)=", (DEPLOY / ".env.example").read_text(encoding="utf-8"), re.MULTILINE))
    stage = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").rsplit("\nFROM ", 1)[1]
    image = set(re.findall(r"\b([A-Z][A-Z_]+)=", re.sub(r"\\\n\s*", " ", stage).split("\nENV ", 1)[1].split("\n")[0]))
    unit = set(re.findall(r"^Environment=([A-Z][A-Z_]+)=", (DEPLOY / "faktabot.service").read_text(encoding="utf-8"),
                          re.MULTILINE))
    assert "HEALTH_PORT" in image and "HEALTH_PORT" in unit
    assert active & (image | unit) == set()


def test_the_systemd_unit_is_hardened_and_takes_secrets_as_credentials():
    unit = (DEPLOY / "faktabot.service").read_text(encoding="utf-8")
    for line in ("DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=faktabot",
                 "LoadCredential=slack_bot_token:", "SLACK_BOT_TOKEN_FILE=%d/slack_bot_token"):
        assert line in unit, line


def test_the_dockerfile_runs_as_a_user_with_a_volume_and_a_healthcheck():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER faktabot$", dockerfile, re.MULTILINE) and "VOLUME" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "-slim" in dockerfile


# The image's base, as compose.yaml takes it: PYTHON_IMAGE names a registry mirror's copy where
# Docker Hub cannot be reached.
BASE_IMAGE = os.environ.get("PYTHON_IMAGE", "python:3.11-slim")


def _docker_answers() -> str | None:
    """None when a Docker daemon answers and has (or can pull) the base image, else why not."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        return f"no Docker daemon answers `docker info`: {info.stderr.strip()[:120]}"
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True).returncode == 0:
        return None
    pull = subprocess.run(["docker", "pull", BASE_IMAGE], capture_output=True, text=True, timeout=300)
    return None if pull.returncode == 0 else (f"the base image {BASE_IMAGE} is not here and cannot be pulled "
                                              f"(set PYTHON_IMAGE to a mirror's copy): {pull.stderr.strip()[:120]}")


DOCKER_MISSING = _docker_answers()


@pytest.mark.skipif(DOCKER_MISSING is not None, reason=str(DOCKER_MISSING))
def test_the_image_builds_and_runs_with_a_passing_healthcheck():
    tag, name = f"faktabot-test:{uuid.uuid4().hex[:8]}", f"faktabot-test-{uuid.uuid4().hex[:8]}"
    # --network host: the build's pip reaches PyPI however the daemon's bridge is set up.
    subprocess.run(["docker", "build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}",
                    "-f", str(DEPLOY / "Dockerfile"), "-t", tag, str(REPO)], check=True, timeout=1800)
    try:
        subprocess.run(["docker", "run", "-d", "--name", name, "--health-interval", "5s", "--health-start-period",
                        "180s", tag], check=True, timeout=120)
        deadline, state = time.monotonic() + 300, ""
        while time.monotonic() < deadline:
            state = subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}", name], capture_output=True,
                                   text=True).stdout.strip()
            if state in ("healthy", "unhealthy"):
                break
            time.sleep(3)
        assert state == "healthy", subprocess.run(["docker", "logs", name], capture_output=True, text=True).stderr
        # SIGTERM: the service stops well inside Docker's 10 s grace period.
        started = time.monotonic()
        subprocess.run(["docker", "stop", "-t", "10", name], check=True, capture_output=True, timeout=60)
        assert time.monotonic() - started < 5
        exit_code = subprocess.run(["docker", "inspect", "-f", "{{.State.ExitCode}}", name], capture_output=True,
                                   text=True).stdout.strip()
        assert exit_code == "0", subprocess.run(["docker", "logs", name], capture_output=True, text=True).stderr
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)


def _final_stage(dockerfile: str) -> str:
    return dockerfile.rsplit("\nFROM ", 1)[1]


def _instruction(stage: str, name: str) -> str:
    """One instruction of the stage with its continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", stage)
    return next(line[len(name) + 1:].strip() for line in joined.splitlines() if line.startswith(name + " "))


def test_the_images_start_command_and_healthcheck_work_without_docker(tmp_path):
    """Where no Docker daemon answers, run the final stage's own ENV, CMD and HEALTHCHECK lines against
    the installed package in an empty folder standing in for the volume: the first start builds the
    store and the healthcheck passes once the scheduler beats."""
    stage = _final_stage((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    env_line = _instruction(stage, "ENV")
    image_env = dict(re.findall(r"(\w+)=(\S+)", env_line))
    command = json.loads(_instruction(stage, "CMD"))
    probe = _instruction(stage, "HEALTHCHECK").split(" CMD ", 1)[1]
    assert command[:2] == ["sh", "-c"] and probe.startswith("python -c ")

    volume = tmp_path / "data"
    volume.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_", "JOBINDSATS_"))}
    env.update({k: v.replace("/data", str(volume)) for k, v in image_env.items()})
    env.update(HEALTH_PORT=str(port), HOST="127.0.0.1", STATBANK_API_URL="http://127.0.0.1:9/v1/",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    env.pop("JOURNAL_STREAM", None)
    service = subprocess.Popen(command, env=env, cwd=volume, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline, checked = time.monotonic() + 120, None
        while time.monotonic() < deadline and service.poll() is None:
            checked = subprocess.run(["sh", "-c", probe], env=env, capture_output=True, text=True, timeout=30)
            if checked.returncode == 0:
                break
            time.sleep(1)
        assert service.poll() is None, service.stderr.read() if service.stderr else ""
        assert checked is not None and checked.returncode == 0, checked.stderr if checked else "no probe ran"
        assert (volume / "store.db").exists()
    finally:
        service.terminate()
        try:
            service.wait(timeout=15)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
        if service.stderr:
            service.stderr.close()
