# Two commands for a fresh machine: `make lab` shows the product working on
# its embedded defaults; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers for `make test`: most tests wait on sockets, databases
# and subprocesses (two workers kept two cores 30 % busy), so four workers on
# two cores take half the time (8 min -> 4.5 min here).
TEST_WORKERS ?= 4

.PHONY: lab test chaos unit functional pep8 genconfig bench docs clean

$(STAMP): pyproject.toml nexus_sim/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet -e './nexus_sim[test]' -e '.[services,test]'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/psvm-lab

test: $(STAMP)
	$(BIN)/ruff check psvm_listener nexus_sim tests bench
	$(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadscope --ignore=tests/functional/chaos tests nexus_sim/tests

# Faults through real processes (RabbitMQ restarts on a private node, nova's
# database behind a TCP proxy, stalled and refusing lab switches): apart from
# `make test`, a few minutes.
chaos: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider tests/functional/chaos

unit: $(STAMP)
	$(BIN)/pytest tests/unit nexus_sim/tests/unit

functional: $(STAMP)
	$(BIN)/pytest --ignore=tests/functional/chaos tests/functional nexus_sim/tests/functional

pep8: $(STAMP)
	$(BIN)/ruff check psvm_listener nexus_sim tests bench

genconfig: $(STAMP)
	$(BIN)/oslo-config-generator --config-file etc/psvm/psvm-config-generator.conf
	$(BIN)/oslopolicy-sample-generator --config-file etc/psvm/psvm-policy-generator.conf

docs: $(STAMP)
	$(BIN)/sphinx-build -W -E -b html doc/source doc/build/html
	$(BIN)/sphinx-build -W -E -b html releasenotes/source releasenotes/build/html

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tox .pytest_cache doc/build releasenotes/build .hypothesis .ruff_cache *.egg-info
