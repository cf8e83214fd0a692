"""functions/Dockerfile without a container engine: its COPY steps laid out in a folder, with the
build context filtered by .dockerignore the way Docker filters it.

The dependencies (the RUN step) are not installed: the tests run with this virtualenv, which holds
the versions constraints.txt pins for the image."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO_ROOT / "functions" / "Dockerfile"


@dataclass
class Dockerfile:
    copies: list[tuple[str, str]] = field(default_factory=list)  # (source in the context, destination)
    env: dict[str, str] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=list)
    workdir: str = "/"


def parse_dockerfile(path: Path = DOCKERFILE) -> Dockerfile:
    parsed = Dockerfile()
    for line in path.read_text().replace("\\\n", " ").splitlines():
        parts = shlex.split(line, comments=True)
        if not parts:
            continue
        op, args = parts[0].upper(), parts[1:]
        if op == "COPY":
            *sources, dest = args
            if not dest.startswith("/"):
                dest = f"{parsed.workdir.rstrip('/')}/{dest.removeprefix('./')}"
            parsed.copies += [(src, dest) for src in sources]
        elif op == "ENV":
            parsed.env.update(arg.split("=", 1) for arg in args)  # type: ignore[misc]
        elif op == "WORKDIR":
            parsed.workdir = args[0]
        elif op == "CMD":
            parsed.cmd = json.loads(line.split(None, 1)[1])
    return parsed


def _pattern(glob: str) -> re.Pattern[str]:
    regex = ""
    for token in re.split(r"(\*\*/|\*\*|\*|\?)", glob.strip("/")):
        regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
    return re.compile(regex)


def dockerignore_rules(path: Path = REPO_ROOT / ".dockerignore") -> list[tuple[bool, re.Pattern[str]]]:
    """(is an exception "!...", pattern) in file order; the last rule that matches a path wins."""
    rules = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), _pattern(line.removeprefix("!"))))
    return rules


def in_context(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    # A rule on a folder applies to everything under it, as in Docker.
    prefixes = ["/".join(relative.split("/")[: i + 1]) for i in range(relative.count("/") + 1)]
    included = True
    for exception, pattern in rules:
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            included = exception
    return included


def lay_out_image(root: Path, model_dir: Path | None = None, dockerfile_path: Path = DOCKERFILE) -> Dockerfile:
    """Copy what the Dockerfile's COPY steps would put in the image under `root`. `model_dir`
    stands in for layers/model when the repository holds no released bundle."""
    dockerfile = parse_dockerfile(dockerfile_path)
    rules = dockerignore_rules()
    for src, dest in dockerfile.copies:
        source = REPO_ROOT / src
        if src.rstrip("/") == "layers/model" and model_dir is not None:
            source = model_dir
        files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for file in files:
            relative = file.relative_to(REPO_ROOT).as_posix() if file.is_relative_to(REPO_ROOT) else None
            if relative is not None and not in_context(relative, rules):
                continue
            if source.is_file():
                target = root / dest.lstrip("/") / file.name if dest.endswith("/") else root / dest.lstrip("/")
            else:
                target = root / dest.lstrip("/") / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
    return dockerfile
