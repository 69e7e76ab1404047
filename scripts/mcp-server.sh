#!/bin/sh
# Starts this repository's Redis MCP server over stdio (what .codex/config.toml runs), from any directory:
# - Node >= 22.18 through scripts/use-node.sh (its messages go to stderr: stdout is the MCP channel);
# - the Redis URL from REDIS_URL, else from the file `npm run servers` writes (reports/servers.env, or
#   RAK_SERVERS_ENV), else the server's own default, redis://127.0.0.1:6379;
# - the TypeScript sources directly (--conditions=source): no build needed.
# Arguments go to the server: scripts/mcp-server.sh --profile ops --read-only
set -eu
root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
. "$root/scripts/use-node.sh"
servers_env=${RAK_SERVERS_ENV:-$root/reports/servers.env}
if [ -z "${REDIS_URL:-}" ] && [ -f "$servers_env" ]; then
  REDIS_URL=$(sed -n 's/^REDIS_URL=//p' "$servers_env")
  REDIS_CLUSTER=${REDIS_CLUSTER:-$(sed -n 's/^REDIS_CLUSTER=//p' "$servers_env")}
  export REDIS_URL REDIS_CLUSTER
  echo "mcp-server.sh: REDIS_URL from $servers_env" >&2
fi
exec node --conditions=source "$root/packages/mcp-server/src/cli.ts" "$@"
