# Sourced by scripts/run and scripts/test (not run on its own): `ensure_venv [dev]` makes .venv hold
# scoreterm (editable) and, with `dev`, its dev tools, at the exact versions of constraints.txt.
#
# pip runs only when something it depends on changed: a stamp in .venv records a checksum of
# pyproject.toml, constraints.txt and the checkout's path, and which extra was installed. A new
# venv, an edited pyproject.toml, a regenerated lock or a moved checkout installs again; otherwise
# the venv is ready at once (source files need no reinstall: the install is editable).
# `rm .venv/.scoreterm-installed` forces a reinstall; `PYTHON=python3.12` picks the interpreter of a new venv.

ensure_venv() {
  local extra=${1:-}
  local stamp=.venv/.scoreterm-installed
  if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
  fi
  local want have="" have_extra=""
  want=$({ cat pyproject.toml constraints.txt; pwd; } | cksum | tr " " -)
  if [ -f "$stamp" ]; then
    read -r have have_extra <"$stamp" || true
  fi
  # A dev install covers a plain one.
  if [ "$have" = "$want" ] && { [ -z "$extra" ] || [ "$have_extra" = "$extra" ]; }; then
    return 0
  fi
  if [ -z "$extra" ] && [ "$have_extra" = dev ]; then
    extra=dev # a dev venv stays one: its tools follow the lock too
  fi
  echo "setting up .venv (pyproject.toml or constraints.txt changed, or a new venv)" >&2
  # Every dependency named in pyproject.toml must be pinned: pip would take any version of the others.
  .venv/bin/python - <<'PY'
import re, sys, tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
wanted = project["dependencies"] + [d for ds in project.get("optional-dependencies", {}).values() for d in ds]
names = {re.split(r"[\s<>=!~;\[(]", d, maxsplit=1)[0].lower().replace("_", "-") for d in wanted}
pinned = {line.split("==")[0].strip().lower() for line in open("constraints.txt") if "==" in line}
if missing := sorted(names - pinned):
    sys.exit(f"constraints.txt does not pin {', '.join(missing)}: run ./scripts/lock and commit it")
PY
  rm -f "$stamp"
  local target=.
  if [ -n "$extra" ]; then
    target=".[$extra]"
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$target"
  echo "$want $extra" >"$stamp"
}
