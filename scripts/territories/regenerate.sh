#!/usr/bin/env bash
# Regenerates domain/data/territoires.tsv from the npm package
# @etalab/decoupage-administratif (Licence Ouverte 2.0 / Etalab).
# Needs node and npm. Pass the package version for another year
# (6.0.0 = millésime 2026, 5.3.0 = 2025; see the package README).
# After a change of year, update TERRITORY_LIST_YEAR's doc in domain/src/territory/.
set -euo pipefail
version="${1:-6.0.0}"
year="${2:-2026}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../domain/data/territoires.tsv"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@etalab/decoupage-administratif@$version" >/dev/null && tar xzf ./*.tgz)
node "$here/extract.mjs" "$work/package" "$year" "$version" > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
