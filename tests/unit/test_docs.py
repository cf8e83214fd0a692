"""The docs hold together: the README keeps the two commands, every relative link (and anchor)
lands on something that exists, and the one version source is what pyproject and the CHANGELOG use."""

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from emotion_core.version import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DOC_FILES = sorted(
    [README, REPO_ROOT / "CHANGELOG.md", REPO_ROOT / "bench" / "README.md", *(REPO_ROOT / "docs").rglob("*.md")]
)

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _prose(text: str) -> str:
    """The text without fenced code blocks: brackets inside code are not links."""
    return _FENCE.sub("", text)


def links(text: str) -> list[str]:
    prose = _CODE_SPAN.sub("", _prose(text))
    return _INLINE_LINK.findall(prose) + _REFERENCE_LINK.findall(prose)


def anchors(markdown: Path) -> set[str]:
    """Heading anchors as GitHub renders them: lower case, punctuation dropped, spaces to hyphens,
    repeated headings numbered."""
    seen: Counter[str] = Counter()
    found = set()
    for heading in _HEADING.findall(_prose(markdown.read_text(encoding="utf-8"))):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return found


def test_link_parsing_skips_code_and_reads_both_link_forms() -> None:
    text = "See [a](docs/a.md#x) and ![p](img.png \"title\").\n`[no](code.md)`\n```\n[no](block.md)\n```\n[r]: ref.md\n"
    assert links(text) == ["docs/a.md#x", "img.png", "ref.md"]


def test_anchors_follow_github_slugs(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Known limit of 1.0.0: batch-mates\n## `emotion_core` CLI\n## Notes\n## Notes\n```\n# not a heading\n```\n"
    )
    assert anchors(page) == {"known-limit-of-100-batch-mates", "emotion_core-cli", "notes", "notes-1"}


def test_readme_keeps_the_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "make serve" in readme
    assert "make test" in readme


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda path: path.relative_to(REPO_ROOT).as_posix())
def test_relative_links_point_to_existing_files(doc: Path) -> None:
    broken = []
    for target in links(doc.read_text(encoding="utf-8")):
        if _SCHEME.match(target):
            continue  # web and mail links are not checked offline
        path_part, _, fragment = target.partition("#")
        resolved = (doc.parent / path_part).resolve() if path_part else doc
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            broken.append(f"{target}: no heading with anchor #{fragment}")
    assert not broken, f"{doc.relative_to(REPO_ROOT)}: " + "; ".join(broken)


def test_pyproject_reads_the_one_version_source() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "emotion_core.version.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_changelog_latest_release_is_the_version() -> None:
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
                          re.MULTILINE)
    assert releases, "CHANGELOG.md has no release section"
    assert releases[0] == __version__
