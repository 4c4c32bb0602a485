# Sourced by deploy/images/build and deploy/smoke-podman: installs podman (Debian's package) when missing and
# sets what it needs here. Idempotent. Heavy commands are run through $nice (lowest CPU and I/O priority), since
# the machine is shared with latency benchmarks.
podman_conf_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CONTAINERS_CONF="$podman_conf_dir/containers.conf"
nice="nice -n 19 ionice -c3"
# crun fails on this machine's cgroups; runc works. Every podman command runs at the lowest priority.
podman_() { $nice podman --runtime runc "$@"; }

ensure_podman() {
  local need=()
  command -v podman >/dev/null || need+=(podman)
  command -v runc >/dev/null || need+=(runc)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  if [[ ${#need[@]} -gt 0 ]]; then
    local sudo_=""; [[ $(id -u) -eq 0 ]] || sudo_=sudo
    echo "installing ${need[*]} (Debian packages)"
    $sudo_ apt-get update -qq
    $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}
