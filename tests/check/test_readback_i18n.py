"""The completeness check reads Arabic and Chinese back from every output.

The fixture leaflets are ``minimal.md`` translated, with the same ids: an Arabic one
(right to left, joined letter forms, lam-alef ligatures) and a Simplified Chinese one
(no spaces between words, lines break between any two characters). They are built
with the real layouts and read back with the real readers: the check must pass in
every layout, read each paragraph in the order it was written, and still catch an
item that is missing or words that are out of order.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_check import add_fixture_layout, rewrite_epub

from careleaf.check.readback import Readback, page_texts, read_pdf, words
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.formats.panels import panel_regions
from careleaf.i18n.bidi import levels, logical_order, reading_order, reorder
from careleaf.project import Project
from conftest import COMPLETENESS_ONLY, FIXTURES, REPO, TmpProject

SOURCES = FIXTURES / "readback" / "source"
LAYOUTS = ("a4", "letter", "large-print", "booklet-a5", "trifold-a4", "trifold-letter", "epub")
PDF_LAYOUTS = [name for name in LAYOUTS if name != "epub"]


@dataclass(frozen=True)
class Sample:
    """What the tests know about one fixture leaflet."""

    lang: str
    rtl: bool
    #: The outline: the title, then each section and its items, in order.
    outline: tuple[str, ...]
    #: The text of the treatment 'warmth', which the broken outputs lose.
    warmth: tuple[str, ...]
    #: A paragraph, its words as the check compares them, and the paragraph with two
    #: of its words swapped.
    paragraph: str
    tokens: tuple[str, ...]
    swapped: str

    @property
    def text(self) -> str:
        return (SOURCES / self.lang / "minimal.md").read_text(encoding="utf-8")

    def output(self, project: TmpProject, layout: str) -> Path:
        name = "minimal.epub" if layout == "epub" else f"minimal-{layout}.pdf"
        return project.output(self.lang, "minimal", name)


ARABIC = Sample(
    "ar", True,
    ("تشنج الساق", "الأسباب", "العضلات المتعبة", "الجفاف", "العلاج", "التمدد", "الدفء",
     "متى تراجع الطبيب"),
    ("الحمام الدافئ يساعد العضلة على الاسترخاء.", "جرب واحدا قبل النوم."),
    # pypdf read this line with the number glued to the wrong side of the last word.
    "حافظ على التمدد لمدة 30 ثانية.", ("حافظ", "على", "التمدد", "لمدة", "30", "ثانية"),
    "حافظ على التمدد لمدة ثانية 30.")
CHINESE = Sample(
    "zh-Hans", False,
    ("腿抽筋", "原因", "肌肉疲劳", "脱水", "治疗", "拉伸", "温暖", "何时就医"),
    ("洗个热水澡可以帮助肌肉放松。", "睡前试一次。"),
    "轻轻拉伸肌肉\uff0c直到抽筋缓解。",
    ("轻", "轻", "拉", "伸", "肌", "肉", "直", "到", "抽", "筋", "缓", "解"),
    "轻轻拉伸肌肉\uff0c直到缓解抽筋。")
SAMPLES = {sample.lang: sample for sample in (ARABIC, CHINESE)}


def make_project(root: Path, sample: Sample, text: str | None = None) -> TmpProject:
    """A project with the real layouts, every layout on, and the sample's leaflet.

    The tests build it with ``--no-site``: the download site is not what they test."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    names = ", ".join(f'"{name}"' for name in LAYOUTS)
    (root / "careleaf.toml").write_text(f"layouts = [{names}]\n", encoding="utf-8")
    project = TmpProject(root)
    project.write(f"source/{sample.lang}/minimal.md", text or sample.text)
    return project


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def built(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TmpProject, Sample]]:
    """The sample leaflet built in every layout (once per language for this module)."""
    sample = SAMPLES[request.param]
    project = make_project(tmp_path_factory.mktemp(sample.lang), sample)
    result = project.run("build")
    assert result.exit_code == 0, result.output
    yield project, sample


def copy_of(project: TmpProject, tmp_path: Path) -> TmpProject:
    """A copy to break (file times kept, so the outputs stay fresh)."""
    shutil.copytree(project.root, tmp_path / "copy")
    return TmpProject(tmp_path / "copy")


def read_from(back: Readback, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The words read back from the first occurrence of ``wanted``'s first word on."""
    flat = [word for page in back.pages for word in page]
    assert wanted[0] in flat, f"{wanted[0]!r} is not in the text read back"
    start = flat.index(wanted[0])
    return tuple(flat[start:start + len(wanted)])


def errors_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


def warmth_missing(project: TmpProject, sample: Sample, layout: str) -> list[str]:
    """The errors for the treatment 'warmth' gone from ``layout``'s output."""
    output = sample.output(project, layout)
    kind, toc = ("EPUB", "EPUB navigation") if layout == "epub" else ("PDF", "PDF outline")
    line = next(n for n, text in enumerate(sample.text.splitlines(), 1) if "{#warmth}" in text)
    where = f"{project.root}/source/{sample.lang}/minimal.md:{line}: error: treatment 'warmth'"
    return [f"{where} is missing from the {toc} under '{sample.outline[4]}' in {output}",
            f"{where} has no element with id 'warmth' in the {kind} {output}",
            f"{where}: its heading is missing in the {kind} text of {output}",
            *(f"{where}: its text '{text}' is missing in the {kind} text of {output}"
              for text in sample.warmth)]


def test_check_passes_in_every_layout(built: tuple[TmpProject, Sample]) -> None:
    project, _sample = built
    result = project.run("check", "--strict", *COMPLETENESS_ONLY)
    assert result.exit_code == 0, result.output
    assert "checked 1 leaflet(s) and 7 output(s)" in result.stdout


@pytest.mark.parametrize("layout", PDF_LAYOUTS)
def test_pdf_paragraph_reads_back_as_written(built: tuple[TmpProject, Sample],
                                             layout: str) -> None:
    project, sample = built
    back = read_pdf(sample.output(project, layout))
    assert back.visual_rtl is sample.rtl
    assert words(sample.paragraph) == back.source_words(sample.paragraph) == list(sample.tokens)
    assert read_from(back, sample.tokens) == sample.tokens


@pytest.mark.parametrize("layout", ["a4", "trifold-letter"])
def test_pdf_outline_and_anchors_match_the_source(built: tuple[TmpProject, Sample],
                                                  layout: str) -> None:
    project, sample = built
    back = read_pdf(sample.output(project, layout))
    titles = tuple(entry.title for top in back.toc for entry in top.walk())
    assert titles[:len(sample.outline)] == sample.outline  # a trifold adds "About this leaflet"
    assert {"causes", "tired", "dehydration", "treatment", "stretching", "warmth"} <= (
        back.anchors)


def remove(pattern: bytes) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        data, count = re.subn(pattern, b"", data, flags=re.S)
        assert count == 1
        return data
    return change


def test_epub_with_one_item_removed_fails(built: tuple[TmpProject, Sample],
                                          tmp_path: Path) -> None:
    project, sample = copy_of(built[0], tmp_path), built[1]
    epub = sample.output(project, "epub")
    rewrite_epub(epub, "EPUB/leaflet.xhtml",
                 remove(rb'<section class="item" id="warmth">.*?</section>'))
    rewrite_epub(epub, "EPUB/nav.xhtml", remove(rb'<li>\s*<a href="leaflet.xhtml#warmth">.*?</li>'))
    result = project.run("check", "--layout", "epub")
    assert result.exit_code == 1
    assert errors_of(result.stderr) == warmth_missing(project, sample, "epub")


def test_pdf_from_a_layout_that_drops_an_item_fails(built: tuple[TmpProject, Sample],
                                                     tmp_path: Path) -> None:
    project, sample = copy_of(built[0], tmp_path), built[1]
    add_fixture_layout(project, "drops-item")
    assert project.run("build", "--layout", "drops-item").exit_code == 0
    result = project.run("check", "--layout", "drops-item")
    assert result.exit_code == 1
    text = "".join(page_texts(sample.output(project, "drops-item"), sample.rtl))
    # The outline ends 'stretching', 'warmth', then the section on when to see a doctor.
    assert sample.outline[-2] not in text and sample.outline[-3] in text
    assert errors_of(result.stderr) == warmth_missing(project, sample, "drops-item")


def test_words_out_of_order_are_caught(built: tuple[TmpProject, Sample],
                                       tmp_path: Path) -> None:
    project, sample = copy_of(built[0], tmp_path), built[1]
    project.write(f"source/{sample.lang}/minimal.md",
                  sample.text.replace(sample.paragraph, sample.swapped))
    result = project.run("check", "--layout", "a4", "--layout", "trifold-a4", "--layout", "epub")
    outputs = [sample.output(project, layout) for layout in ("a4", "trifold-a4", "epub")]
    assert [error.rsplit(": ", 1)[1] for error in errors_of(result.stderr)] == [
        f"its text '{sample.swapped}' is missing in the {kind} text of {output}"
        for kind, output in zip(("PDF", "PDF", "EPUB"), outputs, strict=True)]


#: Arabic lines that mix directions, digits, marks and tatweel; and their words.
MIXED = {
    "اتصل بـ NHS 111 إذا احتجت إلى مساعدة عاجلة.":
        ("اتصل", "ب", "nhs", "111", "إذا", "احتجت", "إلى", "مساعدة", "عاجلة"),
    "رقم الهاتف 01632 960 000 متاح دائما.":
        ("رقم", "الهاتف", "01632", "960", "000", "متاح", "دائما"),
    "زوروا Riverside Community Clinic في الصباح.":
        ("زوروا", "riverside", "community", "clinic", "في", "الصباح"),
    "مُدَّ العضلةَ بلطفٍ ثم استرحْ قليلاً.":
        ("مد", "العضلة", "بلطف", "ثم", "استرح", "قليلا"),
    "اشرب الـمـاء (مثل كوب كبير) قبل النوم.":
        ("اشرب", "الماء", "مثل", "كوب", "كبير", "قبل", "النوم"),
    "النسبة 50% تتحسن خلال 3-5 أيام، أو ٣٠ يوما.":
        ("النسبة", "50", "تتحسن", "خلال", "3", "5", "أيام", "أو", "٣٠", "يوما"),
    # '500 mg' and 'mg 500' look the same inside Arabic: both read back as 'mg 500'.
    "خذ 500 mg مرتين يوميا.": ("خذ", "mg", "500", "مرتين", "يوميا"),
}


@pytest.mark.parametrize("layout", ["a4", "trifold-a4"])
def test_arabic_lines_of_mixed_direction_read_back_in_order(tmp_path: Path,
                                                            layout: str) -> None:
    wrapped = " ".join(["جملة طويلة تملأ السطر وتلتف إلى السطر التالي."] * 12)
    overview = "تشنج الساق هو انقباض مفاجئ ومؤلم في العضلة."
    text = ARABIC.text.replace(overview, "\n\n".join([overview, *MIXED, wrapped]))
    project = make_project(tmp_path, ARABIC, text)
    assert project.run("build", "--layout", layout).exit_code == 0
    # A tri-fold sheet is read panel by panel, as the completeness check reads it.
    regions = (panel_regions(load_layouts(Project(project.root), Report())[layout], "rtl")
               if layout.startswith("trifold") else ())
    back = read_pdf(ARABIC.output(project, layout), regions)
    for paragraph, tokens in MIXED.items():
        assert back.source_words(paragraph) == list(tokens)
        assert read_from(back, tokens) == tokens
    assert read_from(back, tuple(words(wrapped))) == tuple(words(wrapped))
    result = project.run("check", "--layout", layout, "--strict", *COMPLETENESS_ONLY)
    assert result.exit_code == 0, result.output


def test_chinese_breaks_lines_and_pages_inside_words(tmp_path: Path) -> None:
    sentence = "这是一个很长的句子\uff0c它会填满一行并换到下一行\uff0c这样我们就能看到换行的位置。"
    overview = "腿抽筋是肌肉突然、疼痛地收紧。"
    paragraph = sentence * 80 + "最后一句在下一页。"
    project = make_project(tmp_path, CHINESE, CHINESE.text.replace(overview, paragraph))
    assert project.run("build", "--layout", "a4").exit_code == 0
    texts = page_texts(CHINESE.output(project, "a4"), rtl=False)
    breaks = re.findall("([\u4e00-\u9fff])\n([\u4e00-\u9fff])", texts[0])
    assert any(first + second in sentence for first, second in breaks)
    assert "最后一句" not in texts[0].replace("\n", "") and "最后一句" in texts[1]
    assert project.run("check", "--layout", "a4", "--strict",
                       *COMPLETENESS_ONLY).exit_code == 0
    shortened = paragraph.replace("看到换行", "看换行", 40)
    project.write("source/zh-Hans/minimal.md", CHINESE.text.replace(overview, shortened))
    result = project.run("check", "--layout", "a4")
    assert "minimal.md:2: error: overview: its text" in result.stderr  # at the title
    assert "is missing in the PDF text" in result.stderr


def test_words_split_chinese_into_characters_and_drop_arabic_marks() -> None:
    assert words("腿抽筋是肌肉\n突然、疼痛地收紧。") == list("腿抽筋是肌肉突然疼痛地收紧")
    full_width = "\uff19\uff19\uff19\uff01"  # 999!
    assert words(f"请拨打NHS 111或者{full_width}") == [*"请拨打", "nhs", "111", *"或者", "999"]
    # A lam-alef ligature and letter forms (as some PDFs map them), tatweel, harakat.
    assert words("\ufefb\ufe97\ufe8e\ufe98\ufe8e \u0627\u0644\u0640\u0645\u064e\u0627\u0621") == [
        "لاتاتا", "الماء"]


def test_visual_order_is_read_back_as_written() -> None:
    written = "رقم الهاتف 01632 960 000 ثم NHS 111 الآن."
    shown = ".نآلا NHS 111 مث 000 960 01632 فتاهلا مقر"  # left to right, as on the page
    assert "".join(reorder(list(written), levels(list(written), rtl=True))) == shown
    assert "".join(logical_order(list(shown), rtl=True)) == written
    assert reading_order(written, rtl=True) == written
    # Inside Arabic, '500 mg' is shown as 'mg 500' is: one order stands for both.
    assert reading_order("خذ 500 mg الآن", rtl=True) == reading_order("خذ mg 500 الآن", rtl=True)
    assert reading_order("Take 500 mg now", rtl=False) == "Take 500 mg now"
