"""A synthetic catalogue of realistic leaflets: for ``make bench`` and for tests.

``make_catalogue(root, n)`` writes a careleaf project at ``root``: the repository's
layouts, a ``careleaf.toml`` naming the layouts to build, and ``n`` approved leaflets,
about one in seven in Spanish, the rest in English. Each is about a condition (``Heel
pain``), often for an audience (``in older people``): its title. Its body is recombined
from the repository's own sources in its language (their overview sentences shuffled,
a few of their causes and treatments, their advice on seeing a doctor) and items
written here, so the text reads like a leaflet and the words vary from one to the next.
Its keywords are its condition's topics and its audience's, from a small set, so each
topic has several leaflets, as in a clinic's catalogue; a few leaflets also have a
keyword no other leaflet has (a typo like ``back pian``, or a narrow term), as a real
catalogue does. The same ``n`` and ``seed`` always write the same files.
"""

from __future__ import annotations

import random
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: One leaflet in this many is in Spanish.
SPANISH_EVERY = 7
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
_HEADING = re.compile(r"^(#{2,3}) (.*?)(?: \{#([a-z0-9-]+)\})?$")


@dataclass(frozen=True)
class Item:
    """A ``###`` item: its heading, id and paragraphs."""

    title: str
    id: str
    paragraphs: tuple[str, ...]


@dataclass
class Pool:
    """What a language's real sources offer: overview sentences, the items of each
    section by its id, and each section's introduction."""

    sentences: list[str] = field(default_factory=list)
    items: dict[str, list[Item]] = field(default_factory=dict)
    intros: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Language:
    """A language's conditions, audiences, extra items and phrasing."""

    tag: str
    #: Each condition's name and its topics (keywords).
    conditions: tuple[tuple[str, tuple[str, ...]], ...]
    #: Each audience's title suffix and its topic ("" and None: everyone).
    audiences: tuple[tuple[str, str | None], ...]
    extra: dict[str, tuple[Item, ...]]
    #: The section headings (``{name}`` is the condition), and the summary.
    causes: str
    treatment: str
    summary: str
    #: The first sentences of the overview (``{title}``; ``{activity}``, what the
    #: condition makes harder).
    opening: str
    activities: tuple[str, ...]
    #: Keywords one leaflet each has: typos and narrow terms.
    rare: tuple[str, ...]
    front: str


def _items(*triples: tuple[str, str, str]) -> tuple[Item, ...]:
    return tuple(Item(title, item_id, (text,)) for title, item_id, text in triples)


ENGLISH = Language(
    "en",
    conditions=(
        ("Low back pain", ("back pain", "exercise", "pain relief")),
        ("Sciatica", ("back pain", "pain relief")), ("Neck pain", ("joint pain", "stretching")),
        ("Heel pain", ("joint pain", "exercise")), ("Knee pain", ("joint pain", "exercise")),
        ("Osteoarthritis", ("joint pain", "exercise", "pain relief")),
        ("Gout", ("joint pain", "diet", "medicines")), ("Leg cramps", ("cramp", "stretching")),
        ("Muscle spasms", ("muscle spasm", "stretching")), ("Restless legs", ("sleep", "cramp")),
        ("Poor sleep", ("sleep", "mental health")), ("Type 2 diabetes", ("diabetes", "diet")),
        ("Low blood sugar", ("diabetes", "diet")),
        ("High blood pressure", ("heart health", "diet", "medicines")),
        ("Asthma", ("breathing", "medicines", "allergy")), ("COPD", ("breathing", "exercise")),
        ("Eczema", ("skin care", "allergy")), ("Hay fever", ("allergy", "medicines")),
        ("Urine infections", ("infection", "medicines")),
        ("Chest infections", ("infection", "breathing")), ("Anxiety", ("mental health", "sleep")),
        ("Low mood", ("mental health", "exercise")), ("Constipation", ("diet",)),
        ("Heartburn", ("diet", "medicines")), ("Headaches", ("pain relief", "medicines")),
        ("Migraine", ("pain relief", "medicines")), ("Tennis elbow", ("joint pain", "exercise")),
        ("Shoulder pain", ("joint pain", "stretching")),
        ("Sprained ankle", ("joint pain", "pain relief")), ("Falls", ("exercise",)),
    ),
    audiences=(("", None), (" in children", "children"), (" in older people", "older people"),
               (" in pregnancy", "pregnancy"), (" after surgery", "recovery"),
               (" at work", "work"), (" in sport", "exercise")),
    extra={"causes": _items(
        ("Dehydration", "dehydration", "Not drinking enough fluid upsets the balance of salts "
         "in your body. Hot weather, heavy sweating and being sick make this more likely."),
        ("Some medicines", "medicines", "Some medicines, such as water tablets and statins, "
         "can cause it. Do not stop a medicine without talking to your doctor first."),
        ("Being overweight", "weight", "Extra weight puts strain on your joints and your "
         "heart. Losing even a little can ease your symptoms."),
        ("Smoking", "smoking", "Smoking narrows your blood vessels and damages your lungs. "
         "Your GP can help you stop, and it is never too late."),
        ("An infection", "infection", "Bacteria or a virus can cause it. You may also have a "
         "high temperature and feel generally unwell."),
        ("Stress", "stress", "Worry and stress make your muscles tense and your sleep worse. "
         "Talking to someone you trust often helps."),
        ("Poor posture", "posture", "Sitting or standing the same way for hours strains your "
         "back and neck. Set up your desk so the screen is at eye level."),
        ("Family history", "family-history", "It can run in families. Tell your doctor if "
         "a parent, brother or sister has had it."),
        ("Age", "age", "It becomes more common as you get older, as joints, muscles and nerves "
         "change."),
    ), "treatment": _items(
        ("Drink enough fluid", "fluids", "Drink water regularly through the day, and more when "
         "it is hot. Pale yellow urine is a good sign that you drink enough."),
        ("Gentle exercise", "gentle-exercise", "Regular gentle exercise, such as walking or "
         "swimming, keeps you strong. Warm up before you start."),
        ("Pain relief", "pain-relief", "A pharmacist can advise you on pain relief you can "
         "buy. Always follow the instructions on the packet."),
        ("Check your shoes", "footwear", "Shoes that fit well and support your feet ease the "
         "strain on your legs and back. Avoid high heels for long periods."),
        ("Eat well", "diet", "Eat plenty of fruit, vegetables and wholegrain foods. Cut down "
         "on salt, sugar and fatty foods."),
        ("Keep a diary", "diary", "Write down when it happens and what you were doing. Bring "
         "the diary to your next appointment."),
        ("Use your inhaler", "inhaler", "Take your preventer inhaler every day, even when you "
         "feel well. Ask your nurse to check how you use it."),
        ("Sleep well", "sleep", "Go to bed and get up at the same times each day. Keep your "
         "bedroom dark, quiet and cool."),
        ("Ask for support", "support", "Your GP can refer you to a physiotherapist, a "
         "dietitian or a talking therapy. Many services also take self-referrals."),
    )},
    causes="What can cause {name}?", treatment="How to ease and prevent {name}",
    summary="What can cause {name}, and simple ways to ease it and stop it coming back.",
    opening="{title} is common, and there is a lot you can do to help yourself. It can "
            "make {activity} harder.",
    activities=("walking", "work", "sleep", "looking after children", "sport", "housework"),
    rare=("back pian", "plantar fasciitis", "night-time cough", "sciatic nerve"),
    front="sources:\n  - title: \"NHS health A to Z (web pages)\"\nauthors:\n"
          "  - careleaf editorial team\n",
)
SPANISH = Language(
    "es",
    conditions=(
        ("Dolor lumbar", ("dolor de espalda", "ejercicio")),
        ("Ciática", ("dolor de espalda", "analgésicos")),
        ("Dolor de rodilla", ("dolor articular", "ejercicio")),
        ("Calambres en las piernas", ("calambre", "estiramientos")),
        ("Espasmos musculares", ("espasmo muscular", "estiramientos")),
        ("Diabetes tipo 2", ("diabetes", "alimentación")),
        ("Tensión arterial alta", ("corazón", "alimentación", "medicamentos")),
        ("Asma", ("respiración", "medicamentos")), ("Ansiedad", ("salud mental", "sueño")),
        ("Estreñimiento", ("alimentación",)), ("Migraña", ("analgésicos", "medicamentos")),
    ),
    audiences=(("", None), (" en niños", "niños"), (" en personas mayores", "personas mayores"),
               (" en el embarazo", "embarazo")),
    extra={"causes": _items(
        ("Deshidratación", "dehydration", "No beber suficiente líquido altera el equilibrio de "
         "sales del cuerpo. El calor y el sudor abundante lo hacen más probable."),
        ("Algunos medicamentos", "medicines", "Algunos medicamentos pueden causarlo. No deje "
         "ningún medicamento sin hablar antes con su médico."),
        ("El estrés", "stress", "La preocupación y el estrés tensan los músculos y empeoran "
         "el sueño. Hablar con alguien de confianza suele ayudar."),
    ), "treatment": _items(
        ("Beba suficiente líquido", "fluids", "Beba agua a lo largo del día, y más cuando "
         "haga calor."),
        ("Ejercicio suave", "gentle-exercise", "Caminar o nadar con regularidad le mantiene "
         "fuerte. Caliente antes de empezar."),
        ("Coma bien", "diet", "Coma mucha fruta, verdura y cereales integrales. Reduzca la sal "
         "y el azúcar."),
    )},
    causes="¿Qué puede causar {name}?", treatment="Cómo aliviar y prevenir {name}",
    summary="Qué puede causar {name} y formas sencillas de aliviarlo y evitar que vuelva.",
    opening="{title} es frecuente, y hay mucho que puede hacer para ayudarse. Puede "
            "dificultar {activity}.",
    activities=("caminar", "trabajar", "dormir", "cuidar de los niños", "hacer deporte"),
    rare=("lumbalgia crónica",),
    front="sources:\n  - title: \"Guías de salud para pacientes (páginas web)\"\nauthors:\n"
          "  - equipo editorial de careleaf\n",
)


def read_pool(lang: str) -> Pool:
    """The sentences, items and section introductions of the repository's sources in
    ``lang``."""
    pool = Pool()
    for path in sorted((REPO / "source" / lang).glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        section, item = "", None
        for line in filter(str.strip, body.splitlines()):
            if (match := _HEADING.match(line)) is not None:
                section, item = _heading(pool, match, section)
            elif item is not None:
                pool.items[section][-1] = Item(item.title, item.id, (*item.paragraphs, line))
                item = pool.items[section][-1]
            elif section:
                pool.intros.setdefault(section, []).append(line)
            else:
                pool.sentences += _SENTENCE.split(line)
    return pool


def _heading(pool: Pool, match: re.Match[str], section: str) -> tuple[str, Item | None]:
    """A ``##`` starts a section (by its id), a ``###`` an item of the current one."""
    level, title, anchor = match.groups()
    if level == "##":
        return anchor or title, None
    item = Item(title, anchor or _slug(title), ())
    pool.items.setdefault(section, []).append(item)
    return section, item


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _name(title: str) -> str:
    """The title inside a sentence: ``heel pain``, but ``COPD`` as it is."""
    return title if title[1:2].isupper() else title[0].lower() + title[1:]


@dataclass(frozen=True)
class Plan:
    """One leaflet to write."""

    language: Language
    title: str
    keywords: tuple[str, ...]


def plans(n: int, rng: random.Random) -> list[Plan]:
    """``n`` leaflets: every ``SPANISH_EVERY``-th in Spanish; a title once per language;
    the rare keywords each on one leaflet."""
    combos = {lang.tag: [(name, topics, suffix, audience)
                         for suffix, audience in lang.audiences
                         for name, topics in lang.conditions] for lang in (ENGLISH, SPANISH)}
    for options in combos.values():
        rng.shuffle(options)
    found = []
    for index in range(n):
        lang = SPANISH if index % SPANISH_EVERY == SPANISH_EVERY - 1 else ENGLISH
        if not combos[lang.tag]:
            raise ValueError(f"at most {len(lang.conditions) * len(lang.audiences)} leaflets "
                             f"in '{lang.tag}'")
        name, topics, suffix, audience = combos[lang.tag].pop()
        keywords = [*topics, *([audience] if audience else [])]
        found.append(Plan(lang, name + suffix, tuple(dict.fromkeys(keywords))))
    for lang in (ENGLISH, SPANISH):
        mine = [index for index, plan in enumerate(found) if plan.language is lang]
        for word, index in zip(lang.rare, mine[::max(1, len(mine) // 4)], strict=False):
            found[index] = Plan(lang, found[index].title, (*found[index].keywords, word))
    return found


def leaflet_text(plan: Plan, pool: Pool, rng: random.Random) -> str:
    """The whole source of ``plan``'s leaflet: its front matter, overview and sections."""
    lang, name = plan.language, _name(plan.title)
    opening = lang.opening.format(title=plan.title, activity=rng.choice(lang.activities))
    overview = [opening, *rng.sample(pool.sentences, min(4, len(pool.sentences)))]
    parts = [_front_matter(plan, rng), " ".join(overview[:3]), " ".join(overview[3:])]
    for section in ("causes", "treatment"):
        heading = getattr(lang, section).format(name=name)
        parts += [f"## {heading} {{#{section}}}", *pool.intros.get(section, [])[:1]]
        items = pool.items.get(section, []) + list(lang.extra[section])
        for item in rng.sample(items, rng.randint(3, 5)):
            sentences = [s for p in item.paragraphs for s in _SENTENCE.split(p)]
            parts += [f"### {item.title} {{#{item.id}}}", " ".join(
                sentences[:1] + rng.sample(sentences[1:], len(sentences) - 1))]
    for section, paragraphs in pool.intros.items():
        if section not in ("causes", "treatment"):  # when to see a doctor, as written
            parts += [f"## {_section_title(section, lang)} {{#{section}}}", *paragraphs]
    return "\n\n".join(parts) + "\n"


def _section_title(section: str, lang: Language) -> str:
    titles = {"en": {"see-a-doctor": "When to see a doctor"},
              "es": {"see-a-doctor": "Cuándo ir al médico"}}
    return titles[lang.tag].get(section, section.replace("-", " ").capitalize())


def _front_matter(plan: Plan, rng: random.Random) -> str:
    lang = plan.language
    reviewed = date(2026, 1, 5) + timedelta(days=rng.randrange(320))
    summary = lang.summary.format(name=_name(plan.title))
    return "\n".join([
        "---", f'title: "{plan.title}"', f'summary: "{summary}"',
        f'version: "1.{rng.randrange(6)}"', f"reviewed: {reviewed.isoformat()}",
        f"next_review: {(reviewed + timedelta(days=365)).isoformat()}",
        "status: approved", "owner: Patient information team",
        'approved_by: "Dr Sam Okafor, clinical lead"', f"approved_on: {reviewed.isoformat()}",
        lang.front.rstrip("\n"), "keywords:",
        *(f'  - "{word}"' for word in plan.keywords), "---"])


def make_catalogue(root: Path, n: int = 200, *, seed: int = 2026,
                   layouts: tuple[str, ...] = ("epub",)) -> list[Path]:
    """A project at ``root`` with ``n`` synthetic leaflets, built in ``layouts``; its
    sources, sorted."""
    rng = random.Random(seed)
    shutil.copytree(REPO / "layouts", root / "layouts")
    names = ", ".join(f'"{name}"' for name in layouts)
    (root / "careleaf.toml").write_text(f"layouts = [{names}]\n", encoding="utf-8")
    pools = {lang.tag: read_pool(lang.tag) for lang in (ENGLISH, SPANISH)}
    paths = []
    for plan in plans(n, rng):
        path = root / "source" / plan.language.tag / f"{_slug(plan.title)}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(leaflet_text(plan, pools[plan.language.tag], rng), encoding="utf-8")
        paths.append(path)
    return sorted(paths)
