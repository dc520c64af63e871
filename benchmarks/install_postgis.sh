#!/usr/bin/env bash
# PostGIS for `make bench`: installs the Debian/Ubuntu package matching the local PostgreSQL server's major
# version, where apt-get can (as root, or with sudo that asks for no password). Never fails the run: without
# PostGIS, benchmarks/web/bench_postgis.py prints "PostGIS: not available" and measures the rest.
set -u
url="${HIA_BENCH_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
url="${url/+psycopg/}"

if ! command -v psql >/dev/null || ! version=$(psql "$url" -Atqc "SHOW server_version_num" 2>/dev/null); then
  echo "PostGIS: no PostgreSQL server answers at $url (the PostGIS benchmark will say not available)"
  exit 0
fi
if [ "$(psql "$url" -Atqc "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")" = "1" ]; then
  exit 0
fi
package="postgresql-$((version / 10000))-postgis-3"
if [ "$(id -u)" = "0" ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "PostGIS: not installed, and installing $package needs root (the PostGIS benchmark will say not available)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "PostGIS: not installed; install your system's PostGIS package for PostgreSQL $((version / 10000))"
  exit 0
fi
echo "Installing $package for the PostGIS benchmark"
apt-cache show "$package" >/dev/null 2>&1 || "${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "$package" >/dev/null \
  || echo "PostGIS: $package could not be installed (the PostGIS benchmark will say not available)"
exit 0
