#!/usr/bin/env bash
# Installs the real CLI clients the e2e tests drive (Claude Code, Codex) at pinned versions, outside the
# project's package.json: ~770 MB of native binaries must not enter node_modules, the lockfile or the image.
# They go to a machine-wide cache (one npm prefix per CLI and version) that survives clean clones, so only the
# first run on a machine downloads anything; later runs check the versions and return in well under a second.
# Only the npm registry is contacted. Override the location with CLIENTS_DIR.
set -euo pipefail

CLIENTS_DIR=${CLIENTS_DIR:-/var/cache/policy-gateway/clients}
CLAUDE_CODE_VERSION=2.1.330
CODEX_VERSION=0.169.0

mkdir -p "$CLIENTS_DIR"
# Parallel test runs on one machine share the cache: one installer at a time.
exec 9>"$CLIENTS_DIR/.lock"
flock 9
# Leftovers of an interrupted install (never renamed into place).
rm -rf "$CLIENTS_DIR"/.stage-*

# Runs a CLI's --version the way the tests run it: empty environment, throwaway HOME, no stdin.
version_of() {
  local bin=$1 home
  home=$(mktemp -d)
  env -i PATH=/usr/bin:/bin HOME="$home" CODEX_HOME="$home" TERM=dumb DISABLE_AUTOUPDATER=1 \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 timeout 30 "$bin" --version </dev/null 2>/dev/null || true
  rm -rf "$home"
}

# install_cli <dir name> <package> <version> <bin path inside the prefix> <expected --version output>
install_cli() {
  local name=$1 pkg=$2 version=$3 bin=$4 expect=$5
  local prefix="$CLIENTS_DIR/$name-$version"
  if [ -x "$prefix/$bin" ] && [ "$(version_of "$prefix/$bin")" = "$expect" ]; then
    echo "[install-clients] $pkg@$version already in $prefix"
    return
  fi
  echo "[install-clients] installing $pkg@$version into $prefix"
  local t0=$SECONDS stage
  # Build in a staging prefix and rename at the end: an interrupted install never looks complete.
  stage=$(mktemp -d "$CLIENTS_DIR/.stage-$name-XXXXXX")
  chmod 755 "$stage" # mktemp makes it 0700; the cache is shared
  echo '{"name":"gateway-test-client","private":true}' >"$stage/package.json"
  # cd into the stage (outside the repo) so the project's .npmrc (omit=optional) is not read, and say
  # --include=optional anyway: Codex's native binary is an optional dependency. Scripts stay on because
  # Claude Code's postinstall puts its native binary over the bin placeholder (no network).
  (cd "$stage" && npm install "$pkg@$version" --prefix "$stage" --include=optional --ignore-scripts=false \
    --engine-strict=false --save-exact --no-audit --no-fund --loglevel=error)
  local got
  got=$(version_of "$stage/$bin")
  if [ "$got" != "$expect" ]; then
    rm -rf "$stage"
    echo "[install-clients] $pkg@$version installed but '$bin --version' printed '$got', expected '$expect'" >&2
    exit 1
  fi
  rm -rf "$prefix"
  mv "$stage" "$prefix"
  echo "[install-clients] $pkg@$version ready in $((SECONDS - t0)) s, $(du -sh "$prefix" | cut -f1)"
}

install_cli claude-code @anthropic-ai/claude-code "$CLAUDE_CODE_VERSION" \
  node_modules/@anthropic-ai/claude-code/bin/claude.exe "$CLAUDE_CODE_VERSION (Claude Code)"
install_cli codex @openai/codex "$CODEX_VERSION" \
  node_modules/.bin/codex "codex-cli $CODEX_VERSION"
