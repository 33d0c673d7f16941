#!/usr/bin/python3
"""Checks packaging/k8s/*.yaml and packaging/Containerfile (docs/fleet.md).

Manifests: every document is checked against the Kubernetes API's own schema as Debian's
python3-kubernetes carries it (the official client's models, generated from the Kubernetes
OpenAPI spec: each type's fields, their types and which are required). A field the type does
not have is an error, as the API server's strict field validation makes it. Then what the fleet
needs: an Indexed Job whose completions, parallelism and SIPLINE_SHARDS agree, the Prometheus
scrape annotations naming a container port, resources, the ConfigMap it mounts holding a
sipline.toml that `sipline check --shard I/N` accepts for every I.

Containerfile: its stages and instructions parse, the build stage's packages are ones
scripts/install-deps.sh installs, and the runtime stage installs the Debian package of every
shared library the built binary links (ldd + dpkg -S).

--self-test: broken copies of the manifests (an unknown field, a wrong type, a missing required
field, shards that disagree, no scrape annotation, a bad config) must each be refused.
"""
import argparse
import copy
import functools
import os
import re
import subprocess
import sys
import tempfile

import yaml
import kubernetes.client as k8s

# Kinds the manifests use: (apiVersion, kind) -> the client's model class.
MODELS = {
    ("batch/v1", "Job"): k8s.V1Job,
    ("v1", "ConfigMap"): k8s.V1ConfigMap,
    ("v1", "Secret"): k8s.V1Secret,
}
SCALARS = {"str": str, "bool": bool, "int": int, "float": (int, float)}


def check_value(value, type_name, path, errors):
    """`value` against the client's type string ('V1JobSpec', 'list[V1Container]', ...)."""
    if value is None:
        return
    containers = ((r"list\[(.+)\]", list, "a list", enumerate, "{}[{}]"),
                  (r"dict\(str, (.+)\)", dict, "a map", dict.items, "{}.{}"))
    for pattern, kind, name, entries, item_path in containers:
        m = re.fullmatch(pattern, type_name)
        if not m:
            continue
        if not isinstance(value, kind):
            errors.append(f"{path}: expected {name} ({type_name}), got {type(value).__name__}")
            return
        for k, item in entries(value):
            check_value(item, m.group(1), item_path.format(path, k), errors)
        return
    if type_name in SCALARS:
        ok = isinstance(value, SCALARS[type_name]) and not (
            type_name != "bool" and isinstance(value, bool))
        if not ok:
            errors.append(f"{path}: expected {type_name}, got {type(value).__name__} {value!r}")
        return
    if type_name in ("object", "datetime", "date"):
        return  # int-or-string (ports, quantities), free-form and time fields
    model = getattr(k8s, type_name, None)
    if model is None:
        errors.append(f"{path}: unknown type {type_name}")
        return
    check_object(value, model, path, errors)


def check_object(value, model, path, errors):
    if not isinstance(value, dict):
        errors.append(f"{path}: expected an object ({model.__name__}), got {type(value).__name__}")
        return
    by_json = {json: attr for attr, json in model.attribute_map.items()}
    for key, item in value.items():
        if key not in by_json:
            errors.append(f"{path}.{key}: unknown field of {model.__name__}")
            continue
        check_value(item, model.openapi_types[by_json[key]], f"{path}.{key}", errors)
    # Required fields: the model's constructor refuses None for them.
    config = k8s.Configuration()
    config.client_side_validation = True
    kwargs = {attr: (value.get(json) if isinstance(value.get(json), (str, int, bool)) else
                     (value.get(json) and "x")) for attr, json in model.attribute_map.items()}
    kwargs["local_vars_configuration"] = config
    try:
        model(**kwargs)
    except ValueError as e:
        errors.append(f"{path}: {e}")


def check_schema(doc, errors):
    key = (doc.get("apiVersion"), doc.get("kind"))
    model = MODELS.get(key)
    if model is None:
        errors.append(f"{key[1]}: apiVersion/kind {key} not among {sorted(MODELS)}")
        return
    check_object(doc, model, doc.get("kind", "?"), errors)


CHECKED = {}  # (toml, shard) -> (exit code, output): the self-test's copies share the config


def sipline_check(sipline, toml, shard, errors):
    if (toml, shard) not in CHECKED:
        CHECKED[(toml, shard)] = run_sipline_check(sipline, toml, shard)
    code, out = CHECKED[(toml, shard)]
    if code != 0:
        errors.append(f"sipline check --shard {shard} of the ConfigMap's sipline.toml: "
                      f"exit {code}\n{out}")
    return out


def run_sipline_check(sipline, toml, shard):
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
        f.write(toml)
        f.flush()
        env = {k: v for k, v in os.environ.items()
               if k not in ("JOB_COMPLETION_INDEX", "SIPLINE_SHARDS")}
        r = subprocess.run([sipline, "check", "--shard", shard, "-c", f.name], env=env,
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr


def check_fleet(docs, sipline, errors):
    jobs = [d for d in docs if d.get("kind") == "Job"]
    maps = {d.get("metadata", {}).get("name"): d for d in docs if d.get("kind") == "ConfigMap"}
    if len(jobs) != 1:
        errors.append(f"expected one Job, found {len(jobs)}")
        return
    job = jobs[0]
    spec = job.get("spec") or {}
    if spec.get("completionMode") != "Indexed":
        errors.append(f"Job.spec.completionMode is {spec.get('completionMode')!r}, not Indexed")
    n = spec.get("completions")
    if not isinstance(n, int) or n < 1 or spec.get("parallelism") != n:
        errors.append(f"Job.spec: completions ({n!r}) and parallelism "
                      f"({spec.get('parallelism')!r}) must be the same N >= 1")
    template = spec.get("template") or {}
    pod = template.get("spec") or {}
    containers = pod.get("containers") or []
    if len(containers) != 1:
        errors.append(f"the pod template has {len(containers)} containers, expected 1")
        return
    c = containers[0]
    env = {e.get("name"): e.get("value") for e in c.get("env") or []}
    if env.get("SIPLINE_SHARDS") != str(n):
        errors.append(f"env SIPLINE_SHARDS is {env.get('SIPLINE_SHARDS')!r}, the Job's "
                      f"completions {n!r}: every pod must know N")
    notes = (template.get("metadata") or {}).get("annotations") or {}
    ports = {str(p.get("containerPort")) for p in c.get("ports") or []}
    if notes.get("prometheus.io/scrape") != "true":
        errors.append("pod template: annotation prometheus.io/scrape is not \"true\"")
    if notes.get("prometheus.io/port") not in ports:
        errors.append(f"pod template: prometheus.io/port {notes.get('prometheus.io/port')!r} "
                      f"is not a container port {sorted(ports)}")
    if notes.get("prometheus.io/path") != "/metrics":
        errors.append("pod template: prometheus.io/path is not /metrics")
    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        for what in ("cpu", "memory"):
            if what not in (res.get(part) or {}):
                errors.append(f"container resources.{part}.{what} is missing (docs/fleet.md)")
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    mounted = None
    for m in c.get("volumeMounts") or []:
        if m.get("mountPath") == "/etc/sipline/sipline.toml":
            cm = (volumes.get(m.get("name")) or {}).get("configMap") or {}
            mounted = cm.get("name")
    if mounted not in maps:
        errors.append(f"the container's /etc/sipline/sipline.toml comes from ConfigMap "
                      f"{mounted!r}, not one of the manifests {sorted(k for k in maps if k)}")
        return
    toml = (maps[mounted].get("data") or {}).get("sipline.toml")
    if not toml:
        errors.append(f"ConfigMap {mounted} has no sipline.toml")
        return
    if sipline and isinstance(n, int) and n >= 1:
        for i in range(n):
            out = sipline_check(sipline, toml, f"{i}/{n}", errors)
            if out is not None and f"shard {i}/{n}: accounts " not in out:
                errors.append(f"shard {i}/{n} of the ConfigMap's fleet has no accounts:\n{out}")


def check_manifests(docs, sipline):
    errors = []
    for d in docs:
        check_schema(d, errors)
    check_fleet(docs, sipline, errors)
    return errors


def load_manifests(source):
    folder = os.path.join(source, "packaging", "k8s")
    docs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name)) as f:
                docs += [d for d in yaml.safe_load_all(f) if d]
    return docs


# --- Containerfile ---------------------------------------------------------------------------
INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
                "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK",
                "SHELL"}


def containerfile_stages(text):
    """[(stage name or None, [(instruction, arguments)])], continuation lines joined."""
    logical, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        raise ValueError("the file ends inside a continued line")
    stages = []
    for line in logical:
        word, _, args = line.partition(" ")
        if word.upper() not in INSTRUCTIONS or word != word.upper():
            raise ValueError(f"unknown instruction {word!r}")
        if word == "FROM":
            m = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.IGNORECASE)
            if not m:
                raise ValueError(f"bad FROM {args!r}")
            stages.append((m.group(2), []))
        elif not stages:
            raise ValueError(f"{word} before the first FROM")
        else:
            stages[-1][1].append((word, args.strip()))
    return stages


def apt_packages(run_args):
    m = re.search(r"apt-get install ((?:-\S+\s+)*)(.*?)(?:&&|$)", run_args)
    return set(m.group(2).split()) if m else set()


def install_deps_packages(source):
    text = open(os.path.join(source, "scripts", "install-deps.sh")).read()
    block = text[text.index("PKGS=(") + 6:text.index("\n)")]
    return {w for line in block.splitlines() for w in line.split("#")[0].split()}


@functools.lru_cache(maxsize=None)
def linked_packages(binary):
    """{soname: Debian package} of the libraries the binary names itself (ELF NEEDED); the
    ones those pull in come with their packages' dependencies."""
    dyn = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", dyn)
    # A sanitizer build's runtimes (SIPLINE_SANITIZE): the image builds without them.
    needed = [n for n in needed if not re.match(r"lib(a|ub|l|t|hwa)san\.so", n)]
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    where = dict(re.findall(r"^\s*(\S+)\s+=>\s+(/\S+)", ldd, re.MULTILINE))
    packages = {}
    for soname in needed:
        owner = None
        path = where.get(soname)
        if path:
            for candidate in (path, os.path.realpath(path)):
                r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if r.returncode == 0:
                    owner = r.stdout.split(":")[0].split(",")[0].strip()
                    break
        packages[soname] = owner
    return packages


def check_containerfile(text, source, binary):
    errors = []
    try:
        stages = containerfile_stages(text)
    except ValueError as e:
        return [f"Containerfile: {e}"]
    if len(stages) != 2:
        return [f"Containerfile: expected a build and a runtime stage, found {len(stages)}"]
    names = {s[0] for s in stages if s[0]}
    build, runtime = stages
    for word, args in runtime[1]:
        m = re.match(r"--from=(\S+)", args)
        if word == "COPY" and m and m.group(1) not in names:
            errors.append(f"Containerfile: COPY --from={m.group(1)}: no such stage")
    build_pkgs = set().union(*[apt_packages(a) for w, a in build[1] if w == "RUN"])
    runtime_pkgs = set().union(*[apt_packages(a) for w, a in runtime[1] if w == "RUN"])
    if not build_pkgs or not runtime_pkgs:
        errors.append("Containerfile: a stage installs no Debian packages (apt-get install)")
    unknown = build_pkgs - install_deps_packages(source)
    if unknown:
        errors.append(f"Containerfile: build packages not in scripts/install-deps.sh: "
                      f"{sorted(unknown)}")
    words = {w for w, _ in runtime[1]}
    for needed in ("USER", "EXPOSE", "ENTRYPOINT", "CMD"):
        if needed not in words:
            errors.append(f"Containerfile: the runtime stage has no {needed}")
    user = next((a for w, a in runtime[1] if w == "USER"), "")
    if user.split(":")[0] in ("", "root", "0"):
        errors.append(f"Containerfile: the runtime user is {user!r}, not an unprivileged one")
    cmd = " ".join(a for w, a in runtime[1] if w in ("ENTRYPOINT", "CMD"))
    if "/etc/sipline/sipline.toml" not in cmd or '"run"' not in cmd:
        errors.append(f"Containerfile: the command is not `sipline run -c "
                      f"/etc/sipline/sipline.toml`: {cmd}")
    if binary:
        base = {"libc6", "libgcc-s1"}  # in every Debian image (essential)
        linked = linked_packages(binary)
        for lib, owner in sorted(linked.items()):
            if owner is None:
                errors.append(f"Containerfile: no Debian package owns {lib}")
            elif owner not in runtime_pkgs | base:
                errors.append(f"Containerfile: the binary links {lib} of {owner}, which the "
                              f"runtime stage does not install")
        # Only the runtime libraries (and the CAs a TLS registrar's certificate is checked with).
        extra = runtime_pkgs - set(linked.values()) - {"ca-certificates"}
        if extra:
            errors.append(f"Containerfile: the runtime stage installs {sorted(extra)}, which the "
                          f"binary does not link")
    return errors


# --- self-test: each broken copy must be refused ---------------------------------------------
def broken_manifests(docs):
    def job(d):
        return next(x for x in d if x.get("kind") == "Job")

    def container(d):
        return job(d)["spec"]["template"]["spec"]["containers"][0]

    def cm(d):
        return next(x for x in d if x.get("kind") == "ConfigMap")

    cases = {
        "an unknown field": lambda d: container(d).__setitem__("imagePullPolcy", "Always"),
        "a string where an integer goes": lambda d: job(d)["spec"].__setitem__(
            "completions", "four"),
        "a missing required field": lambda d: container(d).pop("name"),
        "a list where an object goes": lambda d: job(d)["spec"]["template"].__setitem__(
            "spec", []),
        "completions and parallelism apart": lambda d: job(d)["spec"].__setitem__(
            "parallelism", job(d)["spec"]["completions"] + 1),
        "SIPLINE_SHARDS apart from completions": lambda d: container(d)["env"][0].__setitem__(
            "value", "3"),
        "not Indexed": lambda d: job(d)["spec"].__setitem__("completionMode", "NonIndexed"),
        "no scrape annotation": lambda d: job(d)["spec"]["template"]["metadata"][
            "annotations"].pop("prometheus.io/scrape"),
        "no memory limit": lambda d: container(d)["resources"]["limits"].pop("memory"),
        "a config sipline refuses": lambda d: cm(d)["data"].__setitem__(
            "sipline.toml", cm(d)["data"]["sipline.toml"].replace("count =", "cuont =")),
    }
    for what, breaks in cases.items():
        d = copy.deepcopy(docs)
        breaks(d)
        yield what, d


def broken_containerfiles(text):
    yield "an unknown instruction", text.replace("WORKDIR /src", "WORKDIRR /src")
    yield "no runtime library of spdlog", text.replace("      libspdlog1.10 \\\n", "")
    yield "a library the binary does not link", text.replace(
        "      libfmt9 \\\n", "      libfmt9 \\\n      libspandsp2 \\\n")
    yield "a root user", text.replace("USER sipline:sipline", "USER root")
    yield "a COPY from no stage", text.replace("--from=build", "--from=builder")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, help="the repository's root")
    ap.add_argument("--sipline", help="the built sipline (runs `check` on the ConfigMap)")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    docs = load_manifests(a.source)
    containerfile = open(os.path.join(a.source, "packaging", "Containerfile")).read()
    errors = check_manifests(docs, a.sipline) + check_containerfile(containerfile, a.source,
                                                                    a.sipline)
    for e in errors:
        print("FAIL:", e)
    if not errors:
        print(f"ok: {len(docs)} manifests and the Containerfile")
    failed = bool(errors)
    if a.self_test:
        for what, d in broken_manifests(docs):
            found = check_manifests(d, a.sipline)
            print(f"{'ok' if found else 'FAIL'}: a manifest with {what} is refused"
                  + (f": {found[0].splitlines()[0]}" if found else ""))
            failed = failed or not found
        for what, text in broken_containerfiles(containerfile):
            found = check_containerfile(text, a.source, a.sipline)
            print(f"{'ok' if found else 'FAIL'}: a Containerfile with {what} is refused"
                  + (f": {found[0]}" if found else ""))
            failed = failed or not found
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
