"""The benchmark's synthetic catalogue: N two-page leaflets in a temporary project.

Each leaflet is varied deterministically (by ``seed``) from the repository's
``source/en/chronic-muscle-spasms.md``: its title, the order of its sentences, and
which causes and treatments it lists, so no two lay out alike, yet each is no longer
than the sample. The project gets the repository's layouts and its layout list.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "source" / "en" / "chronic-muscle-spasms.md"
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

QUALIFIERS = ("Chronic", "Recurring", "Night-time", "Persistent", "Exercise-related")
PARTS = ("muscle spasms", "leg cramps", "back spasms", "neck spasms", "calf cramps",
         "foot cramps", "hand cramps", "shoulder spasms")
AUDIENCES = ("", " in adults", " in older people", " in sport")
EXTRA_CAUSES = (
    ("Dehydration", "dehydration", "Not drinking enough fluid upsets the balance of salts "
     "in your muscles. Hot weather, heavy sweating and being sick make this more likely."),
    ("Low potassium or magnesium", "low-minerals", "Your muscles need potassium, magnesium "
     "and calcium to work properly. Low levels can lead to cramps."),
    ("Some medicines", "medicines", "Some medicines, such as water tablets and statins, can "
     "cause cramps. Do not stop a medicine without talking to your doctor first."),
    ("Pregnancy", "pregnancy", "Leg cramps are common in the later months of pregnancy. "
     "They usually stop after the baby is born."),
    ("A trapped nerve", "trapped-nerve", "A trapped nerve in your spine can cause cramping "
     "pain in your legs. It often gets worse the longer you walk."),
)
EXTRA_TREATMENTS = (
    ("Drink enough fluid", "fluids", "Drink water regularly through the day, and more when "
     "it is hot. Pale yellow urine is a good sign that you drink enough."),
    ("Gentle exercise", "gentle-exercise", "Regular gentle exercise, such as walking or "
     "swimming, keeps your muscles strong. Warm up before you start."),
    ("Pain relief", "pain-relief", "A pharmacist can advise you on pain relief you can buy. "
     "Always follow the instructions on the packet."),
    ("Check your shoes", "footwear", "Shoes that fit well and support your feet ease the "
     "strain on your leg muscles. Avoid high heels for long periods."),
    ("Stretch before bed", "bedtime-stretch", "If spasms wake you at night, stretch your "
     "calves gently before bed. Hold each stretch for about 30 seconds."),
)



@dataclass
class Block:
    """A ``##`` or ``###`` heading line and the paragraphs under it."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[Block] = field(default_factory=list)


def parse_sample(text: str) -> tuple[list[str], list[Block]]:
    """The sample's overview paragraphs and its sections (each with its items)."""
    body = text.split("\n---\n", 1)[1]
    overview: list[str] = []
    sections: list[Block] = []
    for line in filter(str.strip, body.splitlines()):
        if line.startswith("## "):
            sections.append(Block(line))
        elif line.startswith("### "):
            sections[-1].items.append(Block(line))
        elif not sections:
            overview.append(line)
        else:
            (sections[-1].items or [sections[-1]])[-1].paragraphs.append(line)
    return overview, sections


def shuffle_sentences(paragraph: str, rng: random.Random) -> str:
    """The paragraph with its first sentence kept and the others in a random order."""
    first, *rest = SENTENCE_RE.split(paragraph)
    rng.shuffle(rest)
    return " ".join([first, *rest])


def vary_items(items: list[Block], extras: tuple[tuple[str, str, str], ...],
               rng: random.Random) -> list[Block]:
    """Drop one or two items, add one from ``extras``: new content, no longer than the sample."""
    kept = rng.sample(items, len(items) - rng.randint(1, 2))
    added = [Block(f"### {title} {{#{item_id}}}", [text])
             for title, item_id, text in rng.sample(extras, 1)]
    varied = [Block(item.heading, [shuffle_sentences(p, rng) for p in item.paragraphs])
              for item in kept] + added
    rng.shuffle(varied)
    return varied


def front_matter(title: str, rng: random.Random) -> str:
    reviewed = date(2026, 1, 5) + timedelta(days=rng.randrange(320))
    summary = (f"What can cause {title[0].lower()}{title[1:]} that keep coming back, "
               "and simple ways to ease and prevent them.")
    keywords = ["muscle spasm", "cramp", "stretching", title.lower()]
    return "\n".join([
        "---", f"title: {json.dumps(title)}", f"summary: {json.dumps(summary)}",
        f'version: "1.{rng.randrange(6)}"', f"reviewed: {reviewed.isoformat()}",
        f"next_review: {(reviewed + timedelta(days=365)).isoformat()}",
        "sources:", '  - title: "Chronic muscle spasms: causes and treatment (web article)"',
        "authors:", "  - careleaf editorial team", "keywords:",
        *(f"  - {json.dumps(word)}" for word in keywords), "---", ""])


def leaflet_text(title: str, sample: tuple[list[str], list[Block]], rng: random.Random) -> str:
    overview, sections = sample
    lines = [front_matter(title, rng), *(shuffle_sentences(p, rng) + "\n" for p in overview)]
    topic = title[0].lower() + title[1:]
    for section in sections:
        lines.append(section.heading.replace("chronic muscle spasms", topic) + "\n")
        lines.extend(shuffle_sentences(p, rng) + "\n" for p in section.paragraphs)
        items = section.items
        if "{#causes}" in section.heading:
            items = vary_items(items, EXTRA_CAUSES, rng)
        elif "{#treatment}" in section.heading:
            items = vary_items(items, EXTRA_TREATMENTS, rng)
        for item in items:
            lines.extend([item.heading + "\n", *(p + "\n" for p in item.paragraphs)])
    return "\n".join(lines)


def titles(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` (id, title) pairs. Ids stay short, like catalogue codes: the ebook URL in
    each printed leaflet's QR code has the id twice, and a long URL makes the code too fine."""
    combos = [(q, p, a) for a in AUDIENCES for q in QUALIFIERS for p in PARTS]
    rng.shuffle(combos)
    pairs = []
    for index in range(n):
        qualifier, part, audience = combos[index % len(combos)]
        repeat = f" ({index // len(combos) + 1})" if index >= len(combos) else ""
        pairs.append((f"{slug(part)}-{index + 1}", f"{qualifier} {part}{audience}{repeat}"))
    return pairs


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_project(root: Path, n: int, seed: int) -> list[Path]:
    """A project at ``root`` with the repository's layouts and layout list (its
    ``[tool.careleaf]``, as ``careleaf.toml``) and ``n`` synthetic sources."""
    rng = random.Random(seed)
    sample = parse_sample(SAMPLE.read_text(encoding="utf-8"))
    shutil.copytree(REPO / "layouts", root / "layouts")
    copy_config(root)
    (root / "source" / "en").mkdir(parents=True)
    paths = []
    for leaflet_id, title in titles(n, rng):
        path = root / "source" / "en" / f"{leaflet_id}.md"
        path.write_text(leaflet_text(title, sample, rng), encoding="utf-8")
        paths.append(path)
    return sorted(paths)


def copy_config(root: Path) -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    layouts = settings.get("tool", {}).get("careleaf", {}).get("layouts")
    if layouts:
        (root / "careleaf.toml").write_text(f"layouts = {json.dumps(layouts)}\n",
                                            encoding="utf-8")


def subset_project(root: Path, catalogue: Path, sources: list[Path]) -> None:
    """Another project at ``root`` with the catalogue's layouts and only ``sources``."""
    shutil.copytree(catalogue / "layouts", root / "layouts")
    if (catalogue / "careleaf.toml").is_file():
        shutil.copy2(catalogue / "careleaf.toml", root / "careleaf.toml")
    (root / "source" / "en").mkdir(parents=True)
    for path in sources:
        shutil.copy2(path, root / "source" / "en" / path.name)


def edit_one_sentence(path: Path, revision: int) -> None:
    """Change the first sentence of the overview (the first paragraph after the header)."""
    text = path.read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    sentence = SENTENCE_RE.split(body.lstrip("\n").split("\n", 1)[0])[0]
    changed = f"{sentence[:-1]}, as revision {revision} says{sentence[-1]}"
    path.write_text(header + "\n---\n" + body.replace(sentence, changed, 1), encoding="utf-8")
