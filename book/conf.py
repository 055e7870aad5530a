"""Sphinx configuration of the paperlab book (`make book`; sources generated into build/book/src).

Nothing is executed (the notebooks were executed by `paperlab run`) and nothing is fetched at build or
view time: MathJax comes from the `django-static-mathjax` wheel in the book environment and is copied
into the site, widget JavaScript is not loaded, and the site works from file://.
"""

import shutil
from pathlib import Path

import mathjax  # the django-static-mathjax wheel: MathJax 3.2.2 as plain files

project = "paperlab"
author = "paperlab contributors"
copyright = "paperlab contributors"
extensions = ["myst_nb"]

nb_execution_mode = "off"
nb_ipywidgets_js = {}  # widget outputs are replaced by their last rendered output (paperlab.harness.book)
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

_CONF = Path(__file__).parent
_MATHJAX_SRC = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js"
_MATHJAX_STATIC = _CONF.parent / "build" / "book" / "mathjax"
(_MATHJAX_STATIC / "mathjax").mkdir(parents=True, exist_ok=True)
shutil.copy(_MATHJAX_SRC, _MATHJAX_STATIC / "mathjax" / "tex-svg-full.js")
# tex-svg-full: every TeX extension and the SVG font in one file, so nothing is loaded on demand.
mathjax_path = "mathjax/tex-svg-full.js"
mathjax3_config = {"options": {"enableMenu": False}}

html_theme = "sphinx_book_theme"
html_title = "paperlab"
html_static_path = [str(_CONF / "_static"), str(_MATHJAX_STATIC)]
html_css_files = ["paperlab.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}
html_context = {"default_mode": "light"}  # an unset mode makes the theme log a console error
