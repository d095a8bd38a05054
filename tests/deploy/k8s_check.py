"""Checks a rendered kustomize overlay (deploy/k8s/overlays/<name>) against the programs and
the shipped monitoring files. Usage: k8s_check.py <repo> <build dir> <overlay> <rendered YAML>.
Prints one line per problem and exits 1 if there is any."""
import glob
import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_settings  # noqa: E402

root, build, overlay, rendered = sys.argv[1:5]
objects = [o for o in yaml.safe_load_all(open(rendered)) if o]
stages, programs = deploy_settings.load(root, build)
problems = []


def problem(obj, text):
    problems.append(f"{overlay}: {obj['kind']}/{obj['metadata']['name']}: {text}")


def of_kind(kind):
    return [o for o in objects if o["kind"] == kind]


def named(kind, name):
    return next((o for o in of_kind(kind) if o["metadata"]["name"] == name), None)


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


for obj in objects:
    if obj["kind"] != "Namespace" and not obj["metadata"].get("namespace"):
        problem(obj, "has no namespace")

# Deployments: our images, settings they accept, ports, probes on the admin port, non-root.
ports_of = {}
for deployment in of_kind("Deployment"):
    pod = deployment["spec"]["template"]["spec"]
    if not (pod.get("securityContext") or {}).get("runAsNonRoot"):
        problem(deployment, "does not require a non-root user")
    for container in pod.get("initContainers", []) + pod["containers"]:
        image = container["image"].rsplit("/", 1)[-1].split(":")[0]
        stage = stages.get(image[len("throng-"):]) if image.startswith("throng-") else None
        if not stage:
            problem(deployment, f"{container['name']}: image {image} is not a deploy/docker/Dockerfile target")
            continue
        program = programs[deploy_settings.entry_program(stage)]
        settings = dict(stage["env"])
        names = set()
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef") or source.get("secretRef")
            kind = "ConfigMap" if "configMapRef" in source else "Secret"
            data = (named(kind, ref["name"]) or {}).get("data") or {}
            if kind == "ConfigMap":
                if not data:
                    problem(deployment, f"{container['name']}: ConfigMap {ref['name']} is not rendered")
                settings.update(data)
            names |= set(data)
        for variable in container.get("env", []):
            names.add(variable["name"])
            if "value" in variable:
                settings[variable["name"]] = variable["value"]
        for name in sorted(names - program.env):
            problem(deployment, f"{container['name']}: sets {name}, which {program.name} does not accept")
        for word in program.accepts_words(container.get("args", [])):
            problem(deployment, f"{container['name']}: passes '{word}', which {program.name} --help does not know")
        if container in pod.get("initContainers", []):
            continue
        declared = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        ports = program.ports(settings)
        ports_of[deployment["metadata"]["name"]] = (declared, settings)
        if set(declared.values()) != ports:
            problem(deployment, f"{container['name']}: declares ports {declared}, {program.name} listens on {sorted(ports)}")
        admin = int(settings.get("THRONG_ADMIN_PORT") or settings.get("THRONG_PORT"))
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = (container.get(probe) or {}).get("httpGet")
            port = get and (declared.get(get["port"]) if isinstance(get["port"], str) else get["port"])
            if not get or get["path"] != path or port != admin:
                problem(deployment, f"{container['name']}: {probe} is not {path} on the admin port {admin}")

# Routers reach the operator through its Service, on the port the operator binds.
router_settings = ports_of.get("throng-router", ({}, {}))[1]
host, port = re.fullmatch(r"tcp://([^:]+):(\d+)", router_settings.get("THRONG_OPERATOR_ENDPOINT", "tcp://:0")).groups()
service = named("Service", host)
operator_ports = ports_of.get("throng-operator", ({}, {}))[0]
if not service or not any(p["port"] == int(port) and operator_ports.get(p["targetPort"]) ==
                          int(port) for p in service["spec"]["ports"]):
    problems.append(f"{overlay}: the routers' THRONG_OPERATOR_ENDPOINT {host}:{port} is not the operator's Service and port")

# The router autoscaler: on open WebSockets per pod, which the PodMonitor and the adapter serve.
hpa = named("HorizontalPodAutoscaler", "throng-router")
router = named("Deployment", "throng-router")
if not hpa or not router:
    problems.append(f"{overlay}: no router Deployment and HorizontalPodAutoscaler")
else:
    target = hpa["spec"]["scaleTargetRef"]
    if (target["kind"], target["name"]) != ("Deployment", "throng-router"):
        problem(hpa, f"scales {target}, not the router Deployment")
    if not 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]:
        problem(hpa, "minReplicas/maxReplicas out of order")
    metrics = [m["pods"] for m in hpa["spec"]["metrics"] if m["type"] == "Pods"]
    metric = metrics[0]["metric"]["name"] if metrics else None
    if metric != "throng_router_websocket_connections" or metrics[0]["target"]["type"] != "AverageValue":
        problem(hpa, f"does not target an average of throng_router_websocket_connections per pod ({metric})")
    sources = "".join(open(f).read() for f in glob.glob(os.path.join(root, "services/router/**/*.cpp"), recursive=True))
    if f'"{metric}"' not in sources:
        problem(hpa, f"{metric} is not a metric the router registers")
    adapter = yaml.safe_load(open(os.path.join(root, "deploy/k8s/prometheus-adapter-rules.yaml")))
    if not any(r["seriesQuery"].startswith(f"direct_{metric}{{") for r in adapter["rules"]["custom"]):
        problem(hpa, f"deploy/k8s/prometheus-adapter-rules.yaml does not serve direct_{metric} as {metric}")
    router_labels = router["spec"]["template"]["metadata"]["labels"]
    monitors = [m for m in of_kind("PodMonitor") if selects(m["spec"]["selector"], router_labels)]
    if not any(e["port"] in ports_of["throng-router"][0] and
               any(r.get("replacement") == "direct_$1" for r in e.get("metricRelabelings", []))
               for m in monitors for e in m["spec"]["podMetricsEndpoints"]):
        problems.append(f"{overlay}: no PodMonitor scrapes the routers' admin port as direct_* series")
    if not any(selects(p["spec"]["selector"], router_labels) for p in of_kind("PodDisruptionBudget")):
        problems.append(f"{overlay}: no PodDisruptionBudget covers the routers")

# The aggregators are scraped as the jobs of deploy/prometheus/prometheus.yml.
native = yaml.safe_load(open(os.path.join(root, "deploy/prometheus/prometheus.yml")))
jobs = sorted((j["job_name"], j["metrics_path"]) for j in native["scrape_configs"])
aggregator = named("Service", "throng-aggregator")
scraped = sorted((r["replacement"], e["path"]) for m in of_kind("ServiceMonitor")
                 if aggregator and selects(m["spec"]["selector"], aggregator["metadata"]["labels"])
                 for e in m["spec"]["endpoints"] for r in e.get("relabelings", [])
                 if r.get("targetLabel") == "job")
if scraped != jobs:
    problems.append(f"{overlay}: the ServiceMonitor scrapes {scraped}, prometheus.yml {jobs}")

# The rules and dashboards are the shipped files.
rules = {o["metadata"]["name"]: o["spec"] for o in of_kind("PrometheusRule")}
for path in sorted(glob.glob(os.path.join(root, "deploy/prometheus/rules/*.yml"))):
    name = "throng-" + os.path.basename(path)[:-4]
    if rules.pop(name, None) != yaml.safe_load(open(path)):
        problems.append(f"{overlay}: PrometheusRule {name} is not deploy/prometheus/rules/{name[7:]}.yml")
for name in rules:
    problems.append(f"{overlay}: PrometheusRule {name} has no rule file")
dashboards = {k: json.loads(v) for o in of_kind("ConfigMap")
              if (o["metadata"].get("labels") or {}).get("grafana_dashboard") == "1"
              for k, v in o["data"].items()}
for path in sorted(glob.glob(os.path.join(root, "grafana/dashboards/*.json"))):
    if dashboards.pop(os.path.basename(path), None) != json.load(open(path)):
        problems.append(f"{overlay}: no dashboard ConfigMap holds grafana/dashboards/{os.path.basename(path)}")
for name in dashboards:
    problems.append(f"{overlay}: dashboard ConfigMap {name} has no grafana/dashboards file")

deploy_settings.finish(problems)
