# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generate each addon's README.rst and static/description/index.html from readme/.

The layout is the one of OCA's ``oca-gen-addon-readme`` (OCA/maintainer-tools): title
between ``=`` lines, a "generated, do not edit" comment with the sources' digest, the
badges (maturity, license, repository), the DESCRIPTION fragment, ``**Table of
contents**`` and ``.. contents::``, then the fragments in OCA's order (Use Cases /
Context, Installation, Configuration, Usage, Development, Known issues / Roadmap,
Changelog), Bug Tracker and Credits (Authors, Contributors, Other credits, Maintainers).
index.html is README.rst rendered by docutils' html4css1 writer, as OCA publishes it.

Why a script of our own: OCA's generator (distribution ``oca-maintainers-tools``) is not
on this project's package index (OCA installs it from git), and its code is AGPL-3, so it
is not copied into this LGPL-3 suite. This script only reproduces the published layout.
The Markdown fragments are converted the way OCA converts them, by pandoc (GitHub
Flavored Markdown without raw HTML nor automatic heading ids, headings shifted to the
section's level), here through ``pypandoc-binary`` pinned in requirements-dev.txt: the
pinned pandoc keeps the output reproducible, so ``--check`` can compare byte for byte.

    python3 scripts/gen_addon_readme.py [addon ...]          write README.rst and index.html
    python3 scripts/gen_addon_readme.py --check [addon ...]  exit 1 if one is out of date

Without addons: every addon of the repository with a readme/DESCRIPTION fragment.
"""

import argparse
import ast
import hashlib
import json
import os
import re
import sys
from urllib.parse import urljoin

import pypandoc  # pypandoc-binary: the pandoc binary comes with it
from docutils.core import publish_string

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAGMENTS_DIR = "readme"
# Fragment name -> (section title, heading level of the section: 2 = under the title).
FRAGMENTS = {
    "DESCRIPTION": (None, 2),
    "CONTEXT": ("Use Cases / Context", 2),
    "INSTALL": ("Installation", 2),
    "CONFIGURE": ("Configuration", 2),
    "USAGE": ("Usage", 2),
    "DEVELOP": ("Development", 2),
    "ROADMAP": ("Known issues / Roadmap", 2),
    "HISTORY": ("Changelog", 2),
    "CONTRIBUTORS": ("Contributors", 3),
    "CREDITS": ("Other credits", 3),
}
# The manifest values the README shows (version: only its Odoo series, the branch).
README_MANIFEST_KEYS = (
    "name",
    "version",
    "license",
    "author",
    "website",
    "development_status",
    "maintainers",
)
BODY_SECTIONS = ("CONTEXT", "INSTALL", "CONFIGURE", "USAGE", "DEVELOP", "ROADMAP", "HISTORY")
# pandoc's reader: GitHub Flavored Markdown, no raw HTML, no generated heading targets
# (unreferenced targets are rst noise).
MARKDOWN_FORMAT = "gfm-raw_html-gfm_auto_identifiers"
MATURITY_BADGES = {
    "alpha": ("Alpha", "red"),
    "beta": ("Beta", "yellow"),
    "production/stable": ("Production%2FStable", "green"),
    "mature": ("Mature", "brightgreen"),
}
LICENSE_URLS = {
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "GPL-3": "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
# docutils settings of the HTML page (safe rendering, as for package indexes): no file
# inclusion nor raw HTML, any warning is an error, no XML declaration (Odoo warns on it).
HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "halt_level": 2,
    "report_level": 2,
    "math_output": "MathJax",
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
    "embed_stylesheet": True,
}


def find_addons(root=ROOT):
    """Names of the addons under ``root`` that have a DESCRIPTION fragment."""
    return sorted(
        name
        for name in os.listdir(root)
        if os.path.isfile(os.path.join(root, name, "__manifest__.py"))
        and fragment_path(os.path.join(root, name), "DESCRIPTION")
    )


def read_manifest(addon_dir):
    with open(os.path.join(addon_dir, "__manifest__.py"), encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def fragment_path(addon_dir, name):
    """The fragment's .md or .rst file (not both), or None."""
    found = [
        path
        for path in (os.path.join(addon_dir, FRAGMENTS_DIR, f"{name}{ext}") for ext in (".md", ".rst"))
        if os.path.isfile(path)
    ]
    if len(found) > 1:
        raise SystemExit(f"{found[0]} and {found[1]}: keep only one of the two")
    return found[0] if found else None


def source_digest(addon_dir, manifest):
    """sha256 over what the README is made of: the readme/ files (relative names and
    contents) and the manifest's values it shows. Unlike OCA's digest of the whole
    manifest file, a new data file or a version bump in the same series does not make
    the README stale (OCA offers --keep-source-digest for the same merge noise).
    """
    digest = hashlib.sha256()
    shown = {key: manifest.get(key) for key in README_MANIFEST_KEYS}
    shown["version"] = ".".join(manifest.get("version", "").split(".")[:2])
    digest.update(json.dumps(shown, sort_keys=True).encode())
    for dirpath, dirnames, filenames in os.walk(os.path.join(addon_dir, FRAGMENTS_DIR)):
        dirnames.sort()
        for name in sorted(n for n in filenames if not n.startswith(".")):
            path = os.path.join(dirpath, name)
            digest.update(os.path.relpath(path, addon_dir).encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    return "sha256:" + digest.hexdigest()


def repository(manifest, addon_name):
    """(organisation, repository, branch) from the manifest's GitHub website and version."""
    match = re.match(r"https://github\.com/([^/]+)/([^/#?]+)", manifest.get("website", ""))
    if not match:
        raise SystemExit(f"{addon_name}: the manifest's website is not a GitHub repository")
    branch = ".".join(manifest["version"].split(".")[:2])
    return match.group(1), match.group(2).removesuffix(".git"), branch


def markdown_to_rst(text, level):
    """pandoc's rst of a Markdown fragment; its ``#`` headings become level ``level``."""
    return pypandoc.convert_text(
        text,
        "rst",
        format=MARKDOWN_FORMAT,
        extra_args=[f"--shift-heading-level-by={level - 2}", "--wrap=auto", "--columns=72"],
        sandbox=True,
    )


def render_fragment(addon_dir, name, raw_base_url):
    path = fragment_path(addon_dir, name)
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.strip():
        return None
    if path.endswith(".md"):
        text = markdown_to_rst(text, FRAGMENTS[name][1])

    # Images relative to the addon (or to readme/, as GitHub shows the fragment) point to
    # the raw files of the repository, as the README is also read outside the addon.
    def absolute(match):
        target = match.group("path")
        if re.match(r"[a-z]+://", target):
            return match.group(0)
        return match.group("directive") + urljoin(raw_base_url, target.replace("../", ""))

    text = re.sub(
        r"(?m)^(?P<directive>\s*\.\. (?:\|[^|]+\| )?(?:image|figure)::\s+)(?P<path>\S+)\s*$",
        absolute,
        text,
    )
    return text.strip("\n") + "\n"


def heading(title, char, overline=False):
    line = char * len(title)
    return f"{line}\n{title}\n{line}\n" if overline else f"{title}\n{line}\n"


def badges(manifest, org, repo, branch, addon_name):
    status = manifest.get("development_status", "Beta").lower()
    result = []
    if status in MATURITY_BADGES:
        label, colour = MATURITY_BADGES[status]
        result.append(
            (
                f"https://img.shields.io/badge/maturity-{label}-{colour}.png",
                "https://odoo-community.org/page/development-status",
                label.replace("%2F", "/"),
            )
        )
    license_ = manifest.get("license")
    if license_ in LICENSE_URLS:
        result.append(
            (
                f"https://img.shields.io/badge/license-{license_.replace('-', '--')}-blue.png",
                LICENSE_URLS[license_],
                f"License: {license_}",
            )
        )
    result.append(
        (
            # shields.io splits its path on '-': a dash in a name is written '--'
            f"https://img.shields.io/badge/github-{org.replace('-', '--')}%2F{repo.replace('-', '--')}"
            "-lightgray.png?logo=github",
            f"https://github.com/{org}/{repo}/tree/{branch}/{addon_name}",
            f"{org}/{repo}",
        )
    )
    return status, result


def generate_readme(addon_dir):
    """The README.rst text of the addon."""
    addon_name = os.path.basename(os.path.abspath(addon_dir))
    manifest = read_manifest(addon_dir)
    org, repo, branch = repository(manifest, addon_name)
    raw_base_url = f"https://raw.githubusercontent.com/{org}/{repo}/{branch}/{addon_name}/"
    fragments = {}
    for name in FRAGMENTS:
        text = render_fragment(addon_dir, name, raw_base_url)
        if text:
            fragments[name] = text
    status, badge_list = badges(manifest, org, repo, branch, addon_name)
    # Subsections of Credits: '~' under rst fragments, '-' under Markdown ones (pandoc's
    # second level), as OCA does so the fragments' own headings nest below.
    markdown = any((fragment_path(addon_dir, n) or "").endswith(".md") for n in FRAGMENTS)
    sub = "-" if markdown else "~"

    out = [heading(manifest["name"], "=", overline=True), "\n"]
    out.append(
        "..\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        "   !! This file is generated by scripts/gen_addon_readme.py !!\n"
        "   !! from readme/ and the manifest; edits are overwritten. !!\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        f"   !! source digest: {source_digest(addon_dir, manifest)}\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n"
    )
    for index, (image, target, alt) in enumerate(badge_list, 1):
        out.append(f".. |badge{index}| image:: {image}\n    :target: {target}\n    :alt: {alt}\n")
    out.append("\n" + " ".join(f"|badge{i}|" for i in range(1, len(badge_list) + 1)) + "\n\n")
    if "DESCRIPTION" in fragments:
        out.append(fragments["DESCRIPTION"] + "\n")
    if status == "alpha":
        out.append(
            ".. IMPORTANT::\n"
            "   This is an alpha version, the data model and design can change at any time without\n"
            "   warning. Only for development or testing purpose, do not use in production.\n"
            "   `More details on development status <https://odoo-community.org/page/development-status>`_\n\n"
        )
    out.append("**Table of contents**\n\n.. contents::\n   :local:\n\n")
    for name in BODY_SECTIONS:
        if name in fragments:
            out.append(heading(FRAGMENTS[name][0], "=") + "\n" + fragments[name] + "\n")

    issues = f"https://github.com/{org}/{repo}/issues"
    out.append(
        heading("Bug Tracker", "=") + "\n"
        f"Bugs are tracked on `GitHub Issues <{issues}>`_.\n"
        "In case of trouble, please check there if your issue has already been reported.\n"
        "If you spotted it first, help us to smash it by providing a detailed and welcomed\n"
        f"`feedback <{issues}/new?body=module:%20{addon_name}%0Aversion:%20{branch}"
        "%0A%0A**Steps%20to%20reproduce**%0A-%20...%0A%0A**Current%20behavior**"
        "%0A%0A**Expected%20behavior**>`_.\n\n"
        "Do not contact contributors directly about support or help with technical issues.\n\n"
    )
    out.append(heading("Credits", "=") + "\n")
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        out.append(heading("Authors", sub) + "\n" + "".join(f"* {a}\n" for a in authors) + "\n")
    for name in ("CONTRIBUTORS", "CREDITS"):
        if name in fragments:
            out.append(heading(FRAGMENTS[name][0], sub) + "\n" + fragments[name] + "\n")
    out.append(heading("Maintainers", sub) + "\n")
    maintainers = manifest.get("maintainers") or []
    if maintainers:
        for login in maintainers:
            out.append(
                f".. |maintainer-{login}| image:: https://github.com/{login}.png?size=40px\n"
                f"    :target: https://github.com/{login}\n    :alt: {login}\n"
            )
        plural = "s" if len(maintainers) > 1 else ""
        out.append(f"\nCurrent maintainer{plural}:\n\n")
        out.append(" ".join(f"|maintainer-{login}|" for login in maintainers) + "\n\n")
    out.append(
        f"This module is part of the `{org}/{repo} <https://github.com/{org}/{repo}/tree/{branch}/"
        f"{addon_name}>`_ project on GitHub.\n\nYou are welcome to contribute.\n"
    )
    return "".join(out)


def render_html(readme_text, source_name="README.rst"):
    """index.html bytes of a README.rst text; raises on any docutils warning."""
    html = publish_string(
        readme_text,
        source_path=source_name,
        writer_name="html4css1",
        settings_overrides=HTML_SETTINGS,
    )
    # Without the docutils version, a docutils upgrade alone does not change the page.
    return re.sub(rb"(<meta[^>]*generator[^>]*Docutils)\s*[\d.]+", rb"\1", html)


def expected_files(addon_dir, gen_html=True):
    """{path: bytes} of the files generated for the addon."""
    readme = generate_readme(addon_dir).encode("utf-8")
    files = {os.path.join(addon_dir, "README.rst"): readme}
    html = render_html(readme.decode("utf-8"), os.path.join(addon_dir, "README.rst"))
    if gen_html:
        files[os.path.join(addon_dir, "static", "description", "index.html")] = html
    return files


def stale_files(addon_dirs, gen_html=True):
    """Generated files whose content on disk differs from what the sources give."""
    stale = []
    for addon_dir in addon_dirs:
        for path, content in expected_files(addon_dir, gen_html).items():
            try:
                with open(path, "rb") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != content:
                stale.append(path)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("addons", nargs="*", help="addon directories (default: all of the repository)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    parser.add_argument("--no-gen-html", dest="gen_html", action="store_false", help="skip index.html")
    args = parser.parse_args(argv)
    addon_dirs = [os.path.abspath(a) for a in args.addons] or [os.path.join(ROOT, a) for a in find_addons()]
    if args.check:
        stale = stale_files(addon_dirs, args.gen_html)
        for path in stale:
            print(f"{os.path.relpath(path, ROOT)} is out of date: run python3 scripts/gen_addon_readme.py")
        return 1 if stale else 0
    for addon_dir in addon_dirs:
        for path, content in expected_files(addon_dir, args.gen_html).items():
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
            print(f"wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
