#!/usr/bin/env bash
# Install the local BigQuery and GCS emulators the contract tests start (tests/storage/contract).
#
# They live in their own environment under build/emulators, never in the project's lock:
# bqemulator pins duckdb 1.5.x while nbaprops needs duckdb >= 2.  bqemulator loads DuckDB's
# `spatial` extension at start and would download it (which fails offline), so the extension
# comes from its PyPI package and is INSTALLed from the bundled file once.
# Idempotent: a second run with the environment in place does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_DIR="${NBAPROPS_EMULATORS:-build/emulators}"
UV=./scripts/uv
if [[ -x "$ENV_DIR/bin/bqemulator" && -x "$ENV_DIR/bin/gcp-storage-emulator" && -f "$ENV_DIR/.ready" ]]; then
  exit 0
fi
$UV venv --quiet --allow-existing --python 3.11 "$ENV_DIR"
VIRTUAL_ENV="$ENV_DIR" $UV pip install --quiet \
  "bqemulator==1.4.0" "duckdb==1.5.5" "duckdb-extension-spatial==1.5.5" numpy \
  "gcp-storage-emulator==2026.7.19"
"$ENV_DIR/bin/python" - <<'PY'
import glob
import pathlib

import duckdb
import duckdb_extension_spatial

root = pathlib.Path(duckdb_extension_spatial.__file__).parent
(ext,) = glob.glob(str(root / "extensions" / "*" / "spatial.duckdb_extension"))
duckdb.sql(f"INSTALL '{ext}'")
duckdb.sql("LOAD spatial")
PY
touch "$ENV_DIR/.ready"
echo "emulators ready in $ENV_DIR"
