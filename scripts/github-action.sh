#!/usr/bin/env bash
# The run step of action.yml: install the action's own guardlint, lint, and record the exit code.
#
# Environment (set by action.yml from the action's inputs):
#   GUARDLINT_ACTION_PATH   the action's checkout (installed with pip unless GUARDLINT_SKIP_INSTALL=1)
#   GUARDLINT_PATHS         files or folders, separated by whitespace (default: .)
#   GUARDLINT_ARGS          more `guardlint check` options, separated by whitespace
#   GUARDLINT_ANNOTATIONS   true: GitHub annotations on standard output; false: the text report
#   GUARDLINT_SARIF_FILE    when set, also write a SARIF report there (same run)
#   GUARDLINT_DIFF_BASE     when set, pull-request mode: --diff-base with this revision
#   GUARDLINT_PYTHON        the Python to use (default: python)
#   GITHUB_OUTPUT           the file step outputs are appended to (exit-code, sarif-file)
# The script itself exits 0 once guardlint has run, so that the SARIF upload can follow; the action's last
# step exits with the recorded code. It exits non-zero itself only when guardlint could not be installed.
set -euo pipefail

python="${GUARDLINT_PYTHON:-python}"
# The working folder is the repository being linted, which a pull request controls, and `python -m X` (or -c)
# puts the working folder first on the module path: a pull request's top-level `pip/`, `guardlint/` or `yaml.py`
# would run in place of the real ones. So Python never starts here with -m or -c: pip runs from an empty
# folder, and guardlint through a launcher file in that folder (a script's own folder is what goes on the path).
launcher_dir="$(mktemp -d)"
trap 'rm -rf "$launcher_dir"' EXIT
printf 'from guardlint.cli import entry\nentry()\n' > "$launcher_dir/guardlint_action.py"
if [[ "${GUARDLINT_SKIP_INSTALL:-0}" != "1" ]]; then
  action_path="$(cd "${GUARDLINT_ACTION_PATH:?}" && pwd)"
  (cd "$launcher_dir" && "$python" -m pip install --disable-pip-version-check --quiet "$action_path")
fi

# Split on any whitespace, line breaks included: a workflow often gives a list as a block scalar
# (`paths: |` and one folder a line), and `read` without -d '' stops at the first line break. read -d ''
# returns 1 at the end of its input, which is expected here.
read -r -d '' -a paths <<< "${GUARDLINT_PATHS:-.}" || true
read -r -d '' -a extra <<< "${GUARDLINT_ARGS:-}" || true
# Every expansion of an array that may be empty is guarded (${a[@]+"${a[@]}"}): macOS runners run Apple's bash
# 3.2, where "${a[@]}" of an empty array is an "unbound variable" error under set -u (bash 4.4 and later expand it
# to nothing), and `args` is empty by default.
if [[ -z "${paths[*]+set}" ]]; then
  paths=(.)
fi
command=("$python" "$launcher_dir/guardlint_action.py" check)
if [[ "${GUARDLINT_ANNOTATIONS:-true}" == "true" ]]; then
  command+=(--format github)
fi
if [[ -n "${GUARDLINT_SARIF_FILE:-}" ]]; then
  command+=(--output-file "sarif:${GUARDLINT_SARIF_FILE}")
fi
if [[ -n "${GUARDLINT_DIFF_BASE:-}" ]]; then
  command+=("--diff-base=${GUARDLINT_DIFF_BASE}")
fi
command+=(${extra[@]+"${extra[@]}"} -- "${paths[@]}")

# A report the repository itself holds at that path (committed, or left there by a run that stopped before
# writing one, such as on a configuration error) is not guardlint's: only a file written from here on is
# declared for the upload.
started="$launcher_dir/started"
: > "$started"
set +e
"${command[@]}"
code=$?
set -e

output="${GITHUB_OUTPUT:-/dev/null}"
echo "exit-code=${code}" >> "$output"
if [[ -n "${GUARDLINT_SARIF_FILE:-}" && -f "${GUARDLINT_SARIF_FILE}" && ! "${GUARDLINT_SARIF_FILE}" -ot "$started" ]]; then
  echo "sarif-file=${GUARDLINT_SARIF_FILE}" >> "$output"
fi
echo "guardlint exited with ${code}"
