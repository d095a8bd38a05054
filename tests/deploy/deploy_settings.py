"""What each throng program accepts, read from the programs themselves, and the Dockerfile's
stages, for the deploy tests (compose_check.py, k8s_check.py).

A program accepts a setting when its --help lists the option or docs/config.md lists the key in
the program's section (some keys are documented there only); the environment name of key
`upload_dir` is THRONG_UPLOAD_DIR. libpq's own variables are accepted by every program that
opens PostgreSQL."""
import os
import re
import shlex
import subprocess

LIBPQ_ENV = {"PGPASSWORD", "PGPASSFILE", "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY",
             "PGCONNECT_TIMEOUT", "PGAPPNAME"}
PROGRAMS = ["throng-router", "throng-operator", "throng-aggregator", "throng"]


class Program:
    def __init__(self, root, build, name):
        self.name = name
        self.help = subprocess.run([os.path.join(build, "bin", name), "--help"], check=True,
                                   capture_output=True, text=True).stdout
        keys = {o.replace("-", "_") for o in re.findall(r"--([a-z][a-z0-9-]*)", self.help)}
        keys |= documented_keys(os.path.join(root, "docs", "config.md"), name)
        keys -= {"help", "version"}
        self.keys = keys
        self.env = {"THRONG_" + k.upper() for k in keys} | {"THRONG_CONFIG"}
        if name in ("throng-operator", "throng"):
            self.env |= LIBPQ_ENV
        # Defaults the help states, e.g. "(default 9310)".
        self.defaults = {}
        for option, text in re.findall(r"--([a-z-]+)=<[^>]+>\s+(.*?)(?=\n\s*-|\n\n|\Z)", self.help, re.S):
            found = re.search(r"\(default ([^)\s;,]+)", text)
            if found:
                self.defaults[option.replace("-", "_")] = found.group(1)

    def accepts_words(self, words):
        """The words of a command line this program would take: options it lists, and
        subcommands its usage names."""
        bad = []
        for word in words:
            if word.startswith("--"):
                if word[2:].split("=", 1)[0].replace("-", "_") not in self.keys:
                    bad.append(word)
            elif not re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", self.help):
                bad.append(word)
        return bad

    def ports(self, settings):
        """The TCP ports this program listens on with these settings (THRONG_* values)."""
        value = lambda key: settings.get("THRONG_" + key.upper(), self.defaults.get(key))
        ports = set()
        for key in ("port", "admin_port"):
            if key in self.keys and value(key):
                ports.add(int(value(key)))
        if "bind" in self.keys and value("bind"):
            ports.add(int(value("bind").rsplit(":", 1)[1]))
        return ports


def documented_keys(config_md, program):
    keys = set()
    section = None
    for line in open(config_md, encoding="utf-8"):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if section == program and line.startswith("| ") and not line.startswith("| key") \
                and not line.startswith("|---"):
            for key in re.split(r"[/,]", line.split("|")[1]):
                key = key.strip().strip("`")
                if re.fullmatch(r"[a-z][a-z0-9_]*", key):
                    keys.add(key)
    return keys


def programs(root, build):
    return {name: Program(root, build, name) for name in PROGRAMS}


def dockerfile_stages(path):
    """{stage: {"parent", "env", "expose", "entrypoint", "healthcheck", "user", "runs"}}, each
    stage with what it inherits from its parent stage."""
    text = re.sub(r"\\\n", " ", open(path, encoding="utf-8").read())
    stages, stage = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            base, _, name = rest.partition(" AS ")
            parent = stages.get(base.strip())
            stage = {"parent": base.strip(), "env": dict(parent["env"]) if parent else {},
                     "expose": set(parent["expose"]) if parent else set(),
                     "entrypoint": parent["entrypoint"] if parent else None,
                     "healthcheck": parent["healthcheck"] if parent else None,
                     "user": parent["user"] if parent else None, "runs": []}
            stages[name.strip()] = stage
        elif word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                stage["env"][key] = value
        elif word == "EXPOSE":
            stage["expose"] = {int(p.split("/")[0]) for p in rest.split()}
        elif word == "ENTRYPOINT":
            stage["entrypoint"] = rest
        elif word == "HEALTHCHECK":
            stage["healthcheck"] = rest
        elif word == "USER":
            stage["user"] = rest
        elif word == "RUN":
            stage["runs"].append(rest)
    return stages


def entry_program(stage):
    """The program an image stage runs: the first word of its ENTRYPOINT."""
    import json
    return os.path.basename(json.loads(stage["entrypoint"])[0])


def load(root, build):
    """The Dockerfile's stages and the programs of a build."""
    return dockerfile_stages(os.path.join(root, "deploy/docker/Dockerfile")), programs(root, build)


def finish(problems):
    """Prints the problems found and exits: 1 if there is any."""
    import sys
    for line in problems:
        print("FAIL:", line)
    sys.exit(1 if problems else 0)
