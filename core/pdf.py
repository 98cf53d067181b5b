"""The font of every PDF the app writes (grade sheets, students' login sheets).

PT Sans (ParaType, OFL-1.1) from the PyPI package ``fontpkg-pt-sans`` (found through ``fontpkg``):
static Regular and Bold TTFs covering Russian and all Kazakh letters (ә ғ қ ң ө ұ ү һ і), embedded
by fpdf2 as a subset so the text stays extractable. reportlab ships no Cyrillic TTF, and the Noto
Sans package on PyPI is a variable font only. Nothing is downloaded at run time; if the package is
missing, Debian's ``fonts-dejavu-core`` (DejaVu Sans) is used when installed.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEJAVU_FALLBACK = Path("/usr/share/fonts/truetype/dejavu")


def font_paths() -> tuple[Path, Path]:
    """Regular and bold TTFs with Cyrillic and Kazakh letters."""
    try:
        import fontpkg

        return Path(fontpkg.path("PT Sans")), Path(fontpkg.path("PT Sans", weight=700))
    except Exception:  # noqa: BLE001 — the package is missing or broken: try the fallback
        regular, bold = DEJAVU_FALLBACK / "DejaVuSans.ttf", DEJAVU_FALLBACK / "DejaVuSans-Bold.ttf"
        if regular.exists():
            return regular, bold if bold.exists() else regular
    raise ImproperlyConfigured("Install fontpkg-pt-sans (requirements.txt) to render PDF files.")
