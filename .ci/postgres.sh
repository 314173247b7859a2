# Installs (from Debian) and starts a local PostgreSQL, then exports ConnectionStrings__PostgreSql for the tests.
# The password is made fresh on each run and never written to the repository.
start_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  if ! pg_lsclusters -h | grep -q "^${version} main"; then
    pg_createcluster "${version}" main >/dev/null
  fi
  pg_ctlcluster "${version}" main start 2>/dev/null || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 1
  done
  local password
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '${password}'\"" >/dev/null
  export ConnectionStrings__PostgreSql="Host=127.0.0.1;Port=5432;Username=postgres;Password=${password};Database=postgres"
  echo "PostgreSQL ${version} running on 127.0.0.1:5432"
}
