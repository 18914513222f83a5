"""The deploy kit (deploy/): every setting named in .env.example, a hardened systemd unit, and the
container image built and run with a passing healthcheck where a Docker daemon answers."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid

import pytest

from bot.settings import NAMES
from tests.conftest import REPO

DEPLOY = REPO / "deploy"


def test_env_example_names_every_setting():
    named = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", (DEPLOY / ".env.example").read_text(encoding="utf-8"), re.MULTILINE))
    assert set(NAMES) - named == set()
    assert named - set(NAMES) == set()


def test_the_systemd_unit_is_hardened_and_takes_secrets_as_credentials():
    unit = (DEPLOY / "faktabot.service").read_text(encoding="utf-8")
    for line in ("DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=faktabot",
                 "LoadCredential=slack_bot_token:", "SLACK_BOT_TOKEN_FILE=%d/slack_bot_token"):
        assert line in unit, line


def test_the_dockerfile_runs_as_a_user_with_a_volume_and_a_healthcheck():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER faktabot$", dockerfile, re.MULTILINE) and "VOLUME" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "-slim" in dockerfile


def _docker_answers() -> str | None:
    """None when a Docker daemon answers, else why not."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    return None if info.returncode == 0 else f"no Docker daemon answers `docker info`: {info.stderr.strip()[:120]}"


@pytest.mark.skipif(_docker_answers() is not None, reason=str(_docker_answers()))
def test_the_image_builds_and_runs_with_a_passing_healthcheck():
    tag, name = f"faktabot-test:{uuid.uuid4().hex[:8]}", f"faktabot-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "build", "-f", str(DEPLOY / "Dockerfile"), "-t", tag, str(REPO)], check=True,
                   timeout=1800)
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
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
