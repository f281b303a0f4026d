"""Project configuration: the default layout list and mistakes in it."""

from __future__ import annotations

from conftest import MINIMAL, TmpProject


def test_configured_layouts_are_the_default(minimal: TmpProject) -> None:
    minimal.write("careleaf.toml", 'layouts = ["epub"]\n')
    result = minimal.run("build")
    assert result.exit_code == 0
    assert "1 built" in result.stdout
    assert not minimal.output("en", "minimal", "minimal-a4.pdf").exists()


def test_pyproject_tool_section_is_read(minimal: TmpProject) -> None:
    (minimal.root / "careleaf.toml").unlink()
    minimal.write("pyproject.toml",
                  '[project]\nname = "x"\n\n[tool.careleaf]\nlayouts = ["epub"]\n')
    assert "1 built" in minimal.run("build").stdout


def test_without_configuration_every_layout_with_a_format_is_built(minimal: TmpProject) -> None:
    (minimal.root / "careleaf.toml").unlink()
    result = minimal.run("build", "--no-proofs")
    assert result.exit_code == 0
    # a4, letter, large-print, booklet-a5, trifold-a4, trifold-letter, epub
    assert "7 built" in result.stdout


def test_unknown_setting_and_bad_layout_list_are_errors(minimal: TmpProject) -> None:
    path = minimal.write("careleaf.toml", 'layout = ["a4"]\nlayouts = "a4"\n')
    result = minimal.run("build")
    assert result.exit_code == 1
    assert f"{path}: error: unknown careleaf setting 'layout' (did you mean 'layouts'?)" in (
        result.stderr)
    assert f"{path}: error: 'layouts' must be a list of layout names" in result.stderr


def test_configured_layout_that_does_not_exist_is_an_error(minimal: TmpProject) -> None:
    minimal.write("careleaf.toml", 'layouts = ["a4", "a3"]\n')
    result = minimal.run("build")
    assert result.exit_code == 1
    assert "no buildable layout 'a3'" in result.stderr


def test_broken_toml_is_an_error_not_a_traceback(minimal: TmpProject) -> None:
    minimal.write("careleaf.toml", "layouts = [\n")
    result = minimal.run("build")
    assert result.exit_code == 1
    assert "careleaf.toml: error: cannot read configuration:" in result.stderr


def test_a_leaflet_can_narrow_its_layouts(minimal: TmpProject) -> None:
    minimal.write("source/en/minimal.md",
                  MINIMAL.replace("keywords:", "layouts: [epub]\nkeywords:"))
    result = minimal.run("build")
    assert result.exit_code == 0, result.output
    assert "1 built, 0 up to date" in result.stdout
    assert not minimal.output("en", "minimal", "minimal-a4.pdf").exists()
    assert "0 built, 1 up to date" in minimal.run("build").stdout
    assert minimal.run("check", "--strict").exit_code == 0
    assert "0 built, 0 up to date" in minimal.run("build", "--layout", "a4").stdout


def test_a_leaflet_naming_an_unknown_layout_is_an_error_at_its_line(minimal: TmpProject) -> None:
    path = minimal.write("source/en/minimal.md",
                         MINIMAL.replace("keywords:", "layouts: [a4, a3]\nkeywords:"))
    result = minimal.run("build")
    assert result.exit_code == 1
    line = MINIMAL.splitlines().index("keywords:") + 1
    assert (f"{path}:{line}: error: 'layouts' names 'a3', which is not a buildable layout "
            "(available: a4, booklet-a5, epub, large-print, letter, trifold-a4, trifold-letter)"
            ) in result.stderr
    assert "0 built, 0 up to date, 2 failed" in result.stdout
