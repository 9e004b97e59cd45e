"""docker-compose.yml and the Dockerfile, checked by reading (no Docker engine here): every command a service
runs exists in the `fagui` CLI, every FAGUI_* variable is one the code reads, health checks hit real routes,
nothing is fetched at container start."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import yaml

from fagui.cli.commands import cli
from fagui.settings import load_settings
from portal import create_app

REPO = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def known_env_names() -> set[str]:
    code = "\n".join(p.read_text(encoding="utf-8") for d in ("fagui", "indexer", "portal", "crawlers")
                     for p in (REPO / d).rglob("*.py"))
    return set(re.findall(r"FAGUI_[A-Z_]+", code))


def fagui_commands(words: list[str]) -> None:
    """Resolve `fagui a b ...` through the click group; fails on a command that does not exist."""
    group, rest = cli, list(words)
    while rest and hasattr(group, "commands") and not rest[0].startswith("-"):
        name = rest.pop(0)
        assert name in group.commands, f"`fagui {' '.join(words)}`: no command {name!r}"
        group = group.commands[name]


def test_services_run_existing_commands_with_known_settings():
    services = compose()["services"]
    assert {"elasticsearch", "postgres", "setup", "web", "worker"} <= set(services)
    known = known_env_names()
    for name, service in services.items():
        for key in service.get("environment") or {}:
            if key.startswith("FAGUI_"):
                assert key in known, f"{name}: {key} is read nowhere in the code"
        if name in ("web", "worker"):
            fagui_commands(service["command"])
        entry = service.get("entrypoint")
        if entry:
            script = entry[-1] if isinstance(entry, list) else entry
            for part in re.split(r"&&|;|\bthen\b|\belse\b", script):
                words = shlex.split(part.strip())
                if words and words[0] == "fagui":
                    fagui_commands(words[1:])


def test_health_checks_use_routes_the_portal_has(tmp_path):
    services = compose()["services"]
    app = create_app(load_settings({"FAGUI_DATA_DIR": str(tmp_path)}))
    routes = {r.rule for r in app.url_map.iter_rules()}
    web = " ".join(services["web"]["healthcheck"]["test"])
    for path in re.findall(r"127\.0\.0\.1:8000(/[a-z]+)", web):
        assert path in routes
    assert "service_completed_successfully" in str(services["web"]["depends_on"])
    for name in ("elasticsearch", "postgres", "web", "worker"):
        assert services[name].get("healthcheck"), name
        assert services[name].get("restart") == "unless-stopped", name


def test_dockerfile_installs_everything_at_build_time():
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    run_lines = [ln for ln in text.splitlines() if ln.startswith(("CMD", "ENTRYPOINT"))]
    assert run_lines and not any(w in " ".join(run_lines) for w in ("pip", "curl", "wget", "apt"))
    assert 'ENTRYPOINT ["fagui"]' in text and 'CMD ["serve"]' in text
    # every package pyproject.toml installs (and the mappings) is copied into the image
    packages = [p.rstrip("*") for p in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]["include"]]
    assert "clearance" in packages
    for folder in (*packages, "es_mappings"):
        assert f"COPY {folder} {folder}" in text


def nginx_conf() -> str:
    return compose()["configs"]["nginx_conf"]["content"].replace("$$", "$")


def test_gunicorn_is_reached_only_through_a_buffering_nginx_with_client_timeouts():
    services = compose()["services"]
    web, proxy = services["web"], services["proxy"]
    assert "ports" not in web, "gunicorn must not be published: slow clients are nginx's to hold"
    assert web["command"][-1] == "8000" and web["environment"]["FAGUI_TRUSTED_PROXIES"] == "1"
    assert proxy["image"].startswith("nginx:") and proxy["ports"] == ["127.0.0.1:8000:80"]
    assert proxy["configs"][0]["source"] == "nginx_conf" and "service_healthy" in str(proxy["depends_on"])
    conf = nginx_conf()
    assert conf.count("{") == conf.count("}")
    directives = dict(re.findall(r"^\s*([a-z_]+)\s+([^;{]+?)\s*[;{]", conf, re.M))
    assert directives["server"] == "web:8000"
    for name in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert int(directives[name].rstrip("s")) <= 30, name
    assert directives["proxy_request_buffering"] == "on" and directives["proxy_buffering"] == "on"
    # an upload as large as the batch check accepts gets through; the forwarded address is the client's
    assert int(directives["client_max_body_size"].rstrip("m")) * 2**20 > load_settings({}).checklist_max_bytes
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf and "limit_conn per_address" in conf


def test_readme_and_compose_name_the_same_elasticsearch_test_commands_and_ports():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    section = readme[readme.index("## Elasticsearch"):]
    comments = "\n".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    start = "docker compose up -d --wait elasticsearch postgres"  # --wait: returns once both answer
    assert start in section and start in comments
    assert "docker compose up -d elasticsearch" not in readme + comments

    def pytest_sets(where: str) -> list[str]:
        return [" ".join(m.split()) for m in re.findall(r"pytest -q ([^\n#]+)", where)]

    assert pytest_sets(section) == pytest_sets(comments) != []
    # the PostgreSQL the tests are pointed at is the port compose publishes
    services = compose()["services"]
    (published,) = [p.split(":")[-2] for p in services["postgres"]["ports"]]
    (es_port,) = [p.split(":")[-2] for p in services["elasticsearch"]["ports"]]
    for where in (section, comments):
        assert f"FAGUI_TEST_PG_URL=postgresql+psycopg://fagui:fagui@127.0.0.1:{published}/fagui" in where
        assert f"FAGUI_ES_URL=http://127.0.0.1:{es_port}" in where
    env = services["web"]["environment"]
    assert env["FAGUI_ES_ALIAS"] == load_settings({}).es_alias
