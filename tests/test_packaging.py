"""OCA packaging of the addons (no database): README.rst and static/description/index.html
generated from readme/ and up to date, an icon, a whool pyproject.toml.

A stale README means: run ``python3 scripts/gen_addon_readme.py`` and commit the result.
"""

import importlib.util
import os
import re
import shutil
import tomllib

import pytest
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = ("connector_base", "marketplace_kaufland", "marketplace_amazon", "shop_ccv", "shop_mijnwebwinkel")
# OCA's order of the README's top-level sections (those present in an addon).
SECTIONS = (
    "Use Cases / Context",
    "Installation",
    "Configuration",
    "Usage",
    "Development",
    "Known issues / Roadmap",
    "Changelog",
    "Bug Tracker",
    "Credits",
)


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_addon_readme", os.path.join(ROOT, "scripts", "gen_addon_readme.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _sections(readme):
    """Top-level section titles (underlined with '=', not the overlined title)."""
    lines = readme.splitlines()
    return [
        lines[i - 1]
        for i in range(1, len(lines))
        if re.fullmatch(r"=+", lines[i])
        and len(lines[i]) == len(lines[i - 1])
        and (i < 2 or lines[i - 2] != lines[i])
    ]


def test_generator_finds_every_addon():
    assert set(ADDONS) <= set(gen.find_addons())


def test_generated_files_are_up_to_date():
    stale = gen.stale_files([os.path.join(ROOT, addon) for addon in ADDONS])
    assert not stale, "out of date, run python3 scripts/gen_addon_readme.py: %s" % ", ".join(
        os.path.relpath(p, ROOT) for p in stale
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_readme_has_oca_layout(addon):
    with open(os.path.join(ROOT, addon, "README.rst"), encoding="utf-8") as f:
        readme = f.read()
    name = gen.read_manifest(os.path.join(ROOT, addon))["name"]
    assert readme.startswith(f"{'=' * len(name)}\n{name}\n{'=' * len(name)}\n")
    assert "|badge1| |badge2| |badge3|" in readme
    assert "maturity-Beta" in readme and "license-LGPL--3" in readme
    assert "**Table of contents**\n\n.. contents::\n   :local:\n" in readme
    sections = _sections(readme)
    assert sections == [s for s in SECTIONS if s in sections], sections
    assert {"Configuration", "Usage", "Bug Tracker", "Credits"} <= set(sections)
    credits = readme[readme.index("\nCredits\n=======\n") :]
    assert (
        credits.index("Authors\n---") < credits.index("Contributors\n---") < credits.index("Maintainers\n---")
    )
    # The Markdown is converted: no Markdown heading, table rule or link is left.
    assert not re.search(r"(?m)^#{1,6} |^\|[-: |]+\|$|\]\(https?://", readme)
    with open(os.path.join(ROOT, addon, "static", "description", "index.html"), "rb") as f:
        html = f.read()
    assert f"<title>{name}</title>".encode() in html
    assert b"Docutils" in html and b"<?xml" not in html


@pytest.mark.parametrize("addon", ADDONS)
def test_icon_and_pyproject(addon):
    with Image.open(os.path.join(ROOT, addon, "static", "description", "icon.png")) as icon:
        assert icon.format == "PNG" and icon.size == (128, 128)
    with open(os.path.join(ROOT, addon, "pyproject.toml"), "rb") as f:
        build_system = tomllib.load(f)["build-system"]
    assert build_system == {"requires": ["whool"], "build-backend": "whool.buildapi"}


def test_check_reports_a_changed_fragment_and_a_hand_edit(tmp_path):
    """The staleness check sees a fragment changed after generation, and a README edited by hand."""
    addon_dir = tmp_path / "shop_ccv"
    for part in ("readme", os.path.join("static", "description")):
        shutil.copytree(os.path.join(ROOT, "shop_ccv", part), addon_dir / part)
    for name in ("__manifest__.py", "README.rst"):
        shutil.copy(os.path.join(ROOT, "shop_ccv", name), addon_dir)
    readme, index = addon_dir / "README.rst", addon_dir / "static" / "description" / "index.html"
    assert gen.stale_files([str(addon_dir)]) == []

    usage = addon_dir / "readme" / "USAGE.md"
    usage.write_text(usage.read_text() + "\n## A new section\n\nWith a [link](https://example.com).\n")
    assert gen.stale_files([str(addon_dir)]) == [str(readme), str(index)]
    assert gen.main(["--check", str(addon_dir)]) == 1
    assert gen.main([str(addon_dir)]) == 0
    text = readme.read_text()
    assert "A new section\n-------------\n\nWith a `link <https://example.com>`__." in text

    # A manifest change the README does not show (data files, version in the series) keeps it.
    manifest = addon_dir / "__manifest__.py"
    manifest.write_text(
        manifest.read_text()
        .replace('"version": "19.0.1.0.0"', '"version": "19.0.1.0.1"')
        .replace('"data": [', '"data": [\n        "views/extra_views.xml",')
    )
    assert "extra_views" in manifest.read_text() and "19.0.1.0.1" in manifest.read_text()
    assert gen.stale_files([str(addon_dir)]) == []

    readme.write_text(text.replace("A new section", "Edited by hand"))
    assert gen.stale_files([str(addon_dir)]) == [str(readme)]
