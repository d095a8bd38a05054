"""Checks docker-compose.yml, as `docker-compose config` resolved it, against the programs and
the files it names. Usage: compose_check.py <repo> <build dir> <resolved compose YAML>.
Prints one line per problem and exits 1 if there is any."""
import os
import re
import sys
from urllib.parse import urlparse

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_settings  # noqa: E402

root, build, resolved = sys.argv[1:4]
compose = yaml.safe_load(open(resolved))
services = compose["services"]
stages, programs = deploy_settings.load(root, build)
problems = []


def problem(service, text):
    problems.append(f"docker-compose.yml: {service}: {text}")


def mounts(service):
    """{container path: source} of a service's volumes (bind sources relative to the repo)."""
    found = {}
    for volume in services[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("/"):
            source = os.path.relpath(source, root)
        found[target] = source
    return found


def exposed(service):
    return {int(str(p).split("/")[0]) for p in services[service].get("expose", [])}


def published(service):
    """Container ports of a service's host port mappings."""
    return {int(p["target"]) if isinstance(p, dict) else int(p.split(":")[-1].split("/")[0])
            for p in services[service].get("ports", [])}


def endpoint(url):
    parsed = urlparse(url)
    return parsed.hostname, parsed.port


# Every service has a health check, and every start waits for a healthy or finished service.
for name, service in services.items():
    check = service.get("healthcheck")
    if not check or check.get("disable") or not check.get("test") or check["test"][0] == "NONE":
        problem(name, "has no health check")
    for dependency, condition in (service.get("depends_on") or {}).items():
        if dependency not in services:
            problem(name, f"depends on {dependency}, which is not a service")
        if condition.get("condition") not in ("service_healthy", "service_completed_successfully"):
            problem(name, f"starts before {dependency} is healthy ({condition})")
    for target, source in mounts(name).items():
        if not re.fullmatch(r"[a-z]+", source) and not os.path.exists(os.path.join(root, source)):
            problem(name, f"mounts {source}, which is not in the repository")

# Our programs: settings, command line, ports, addresses and health checks.
ports_of = {}
settings_of = {}
for name, service in services.items():
    target = (service.get("build") or {}).get("target")
    if not target:
        continue
    if target not in stages:
        problem(name, f"builds target {target}, which deploy/docker/Dockerfile lacks")
        continue
    program = programs[deploy_settings.entry_program(stages[target])]
    settings = dict(stages[target]["env"])
    settings.update({k: str(v) for k, v in (service.get("environment") or {}).items()})
    settings_of[name] = settings
    for key in sorted(set(service.get("environment") or {}) | set(stages[target]["env"])):
        if key not in program.env:
            problem(name, f"sets {key}, which {program.name} does not accept")
    for word in program.accepts_words(service.get("command") or []):
        problem(name, f"passes '{word}', which {program.name} --help does not know")
    ports = program.ports(settings)
    ports_of[name] = ports
    if program.name != "throng":
        if exposed(name) != ports:
            problem(name, f"exposes {sorted(exposed(name))}, but {program.name} listens on {sorted(ports)}")
        if service.get("ports") and name in ("router", "aggregator"):
            problem(name, "has host ports, so it cannot be scaled")
        for key in ("THRONG_LISTEN_ADDRESS", "THRONG_ADMIN_ADDRESS"):
            if key[7:].lower() in program.keys and settings.get(key) != "0.0.0.0":
                problem(name, f"{key} must be 0.0.0.0: other containers could not reach it")
        if "THRONG_BIND" in settings and not settings["THRONG_BIND"].startswith("tcp://0.0.0.0:"):
            problem(name, "THRONG_BIND must be tcp://0.0.0.0:<port>")
        urls = [w for w in services[name]["healthcheck"]["test"] if w.startswith("http")]
        if not urls or any(endpoint(u)[1] not in ports or urlparse(u).path not in ("/healthz", "/readyz")
                           for u in urls):
            problem(name, f"health check {urls} does not ask /healthz or /readyz on its ports {sorted(ports)}")
    for key, directory in settings.items():
        if key in ("THRONG_UPLOAD_DIR", "THRONG_DATA_DIR") and directory not in mounts(name):
            problem(name, f"{key}={directory} is not a volume: other containers would not see it")


def expect_service_port(name, url, what, ports):
    host, port = endpoint(url)
    if host not in services:
        problem(name, f"{what} names host {host}, which is not a service")
    elif port not in ports(host):
        problem(name, f"{what} uses port {port} of {host}, which listens on {sorted(ports(host))}")


own_ports = lambda host: ports_of.get(host, set())
for name, settings in settings_of.items():
    if "THRONG_OPERATOR_ENDPOINT" in settings:
        expect_service_port(name, settings["THRONG_OPERATOR_ENDPOINT"], "THRONG_OPERATOR_ENDPOINT", own_ports)
    if "THRONG_REDIS_URL" in settings:
        expect_service_port(name, settings["THRONG_REDIS_URL"], "THRONG_REDIS_URL", lambda h: {6379})
    if "THRONG_PG_DSN" in settings:
        expect_service_port(name, settings["THRONG_PG_DSN"], "THRONG_PG_DSN", lambda h: {5432})

# Routers serve the run frontends the CLI writes: the same volume at the same path.
data_dir = settings_of["cli"]["THRONG_DATA_DIR"]
if mounts("router").get(data_dir) != mounts("cli").get(data_dir):
    problem("router", f"does not mount the cli's THRONG_DATA_DIR volume at {data_dir}")

# HAProxy: the shipped config, routed to the routers' HTTP and admin ports.
haproxy_cfg = "deploy/haproxy/haproxy.cfg"
if mounts("lb").get("/usr/local/etc/haproxy/haproxy.cfg") != haproxy_cfg:
    problem("lb", f"does not mount {haproxy_cfg} where HAProxy reads it")
cfg = open(os.path.join(root, haproxy_cfg)).read()
template = re.search(r"^\s*server-template \S+ \d+ (\S+):(\d+) check port (\d+)", cfg, re.M)
if not template or template.group(1) not in services or \
        {int(template.group(2)), int(template.group(3))} != ports_of.get(template.group(1)):
    problem("lb", f"{haproxy_cfg}'s server-template does not name the router's HTTP and admin ports")
binds = {int(p) for p in re.findall(r"^\s*bind \S*:(\d+)", cfg, re.M)}
if not published("lb") <= binds:
    problem("lb", f"publishes {sorted(published('lb'))}, but {haproxy_cfg} binds {sorted(binds)}")

# Prometheus: our compose config and rules, the aggregator replicas, the Alertmanager.
config_file = next(w.split("=", 1)[1] for w in services["prometheus"]["command"] if w.startswith("--config.file="))
prometheus_yml = mounts("prometheus").get(config_file)
if prometheus_yml != "deploy/prometheus/prometheus-compose.yml":
    problem("prometheus", f"--config.file {config_file} is not deploy/prometheus/prometheus-compose.yml")
else:
    prometheus = yaml.safe_load(open(os.path.join(root, prometheus_yml)))
    rules_dir = os.path.join(os.path.dirname(config_file), os.path.dirname(prometheus["rule_files"][0]))
    if mounts("prometheus").get(rules_dir) != "deploy/prometheus/rules":
        problem("prometheus", f"does not mount deploy/prometheus/rules at {rules_dir}")
    native = yaml.safe_load(open(os.path.join(root, "deploy/prometheus/prometheus.yml")))
    jobs = lambda c: sorted((j["job_name"], j.get("metrics_path")) for j in c["scrape_configs"])
    if jobs(prometheus) != jobs(native):
        problem("prometheus", f"{prometheus_yml} scrapes {jobs(prometheus)}, prometheus.yml {jobs(native)}")
    for job in prometheus["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            for host in sd["names"]:
                expect_service_port("prometheus", f"http://{host}:{sd['port']}", job["job_name"], own_ports)
    for manager in prometheus["alerting"]["alertmanagers"]:
        for target in manager["static_configs"][0]["targets"]:
            expect_service_port("prometheus", "http://" + target, "alerting", published)
am_config = next(w.split("=", 1)[1] for w in services["alertmanager"]["command"] if w.startswith("--config.file="))
if mounts("alertmanager").get(am_config) != "deploy/alertmanager/alertmanager.yml":
    problem("alertmanager", f"--config.file {am_config} is not deploy/alertmanager/alertmanager.yml")

# Grafana: provisioned from grafana/, the dashboards where the provider looks, our Prometheus.
grafana = mounts("grafana")
if grafana.get("/etc/grafana/provisioning") != "grafana/provisioning":
    problem("grafana", "does not mount grafana/provisioning at /etc/grafana/provisioning")
provider = yaml.safe_load(open(os.path.join(root, "grafana/provisioning/dashboards/throng.yml")))
for p in provider["providers"]:
    if grafana.get(p["options"]["path"]) != "grafana/dashboards":
        problem("grafana", f"does not mount grafana/dashboards at {p['options']['path']}")
datasources = open(os.path.join(root, "grafana/provisioning/datasources/prometheus.yml")).read()
for variable in re.findall(r"\$\{(\w+)\}", datasources):
    value = (services["grafana"].get("environment") or {}).get(variable)
    if not value:
        problem("grafana", f"does not set {variable}, which its datasource reads")
    else:
        expect_service_port("grafana", value, variable, published)

deploy_settings.finish(problems)
