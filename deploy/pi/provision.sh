#!/usr/bin/env bash
# Sets up a Raspberry Pi (or any Debian machine with a monitor-capable radio) as an airfleet
# agent. Idempotent: running it again changes only what differs.
#
#   provision.sh [options] HOST|local
#     --deb FILE       airfleet-agent_<version>_<arch>.deb to install (skipped if that version
#                      is already installed)
#     --config FILE    agent configuration (deploy/agent/agent.yaml documents it); iface, phy
#                      and channels are read from it
#     --certs DIR      a PKI directory (airfleetctl pki init/issue --dir DIR): DIR/ca.pem and the
#                      agent's DIR/NAME.pem and DIR/NAME.key, placed as /etc/airfleet/ca.pem,
#                      agent.pem and agent.key
#     --name NAME      the agent's certificate name in --certs (default: agent)
#     --ssh USER@      ssh user for HOST (default: pi)
#     --dry-run        print every command instead of running it
#     --root DIR       place files under DIR instead of /, and only print the commands that
#                      change the system (package, interface, service); used by the tests
#
# HOST: copies the script, package, configuration and certificates to HOST and runs itself
# there as `sudo provision.sh ... local`. local: does the work on this machine:
#   1. installs the package (creates the airfleet user, /etc/airfleet, /var/lib/airfleet)
#   2. places the configuration and certificates (root:airfleet, keys 0640)
#   3. writes a drop-in for airfleet-agent.service that creates the monitor interface with
#      `iw phy PHY interface add IFACE type monitor` and sets the first channel of the plan
#      before every start (a monitor interface does not survive a reboot); the agent hops
#      through the rest of the plan itself
#   4. creates the interface now, and enables and (re)starts the service
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 1; }
die() { echo "provision: $*" >&2; exit 1; }

deb="" config="" certs="" name="agent" ssh_user="pi" dry_run=0 root="" target=""
while (($#)); do
  case "$1" in
    --deb) deb=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --certs) certs=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --ssh) ssh_user=${2%@}; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --root) root=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$target" ] || die "one HOST or 'local' only"; target=$1; shift ;;
  esac
done
[ -n "$target" ] || usage
[ -z "$config" ] || [ -r "$config" ] || die "cannot read --config $config"
[ -z "$deb" ] || [ -r "$deb" ] || die "cannot read --deb $deb"
if [ -n "$certs" ]; then
  for f in ca.pem "$name.pem" "$name.key"; do
    [ -r "$certs/$f" ] || die "--certs $certs lacks $f"
  done
fi

# Commands that change the system: printed with --dry-run or --root, run otherwise.
system() {
  if ((dry_run)) || [ -n "$root" ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}

# ---- remote: ship everything and run locally there -------------------------------------------
if [ "$target" != local ]; then
  remote="$ssh_user@$target"
  stage=/tmp/airfleet-provision
  args=(local)
  files=("$0")
  [ -z "$deb" ] || { files+=("$deb"); args+=(--deb "$stage/$(basename "$deb")"); }
  [ -z "$config" ] || { files+=("$config"); args+=(--config "$stage/agent.yaml.new"); }
  if [ -n "$certs" ]; then
    files+=("$certs/ca.pem" "$certs/$name.pem" "$certs/$name.key")
    args+=(--certs "$stage" --name "$name")
  fi
  ((dry_run)) && args+=(--dry-run)
  run_remote() { if ((dry_run)); then printf '+ %s\n' "$*"; else "$@"; fi; }
  run_remote ssh "$remote" "install -d -m 0700 $stage"
  run_remote scp -q "${files[@]}" "$remote:$stage/"
  [ -z "$config" ] || run_remote ssh "$remote" "mv $stage/$(basename "$config") $stage/agent.yaml.new"
  run_remote ssh "$remote" "sudo bash $stage/$(basename "$0") ${args[*]} && rm -rf $stage"
  exit 0
fi

# ---- local --------------------------------------------------------------------------------------
etc="$root/etc/airfleet"
changed=0

# place SRC DEST MODE: copies only when the content differs; says what it did.
place() {
  local src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    echo "unchanged $dest"
    return
  fi
  if ((dry_run)); then
    printf '+ install -m %s %s %s\n' "$mode" "$src" "$dest"
    changed=1
    return
  fi
  install -D -m "$mode" "$src" "$dest"
  # The group exists once the package is installed; a test root has no airfleet group.
  if [ -z "$root" ] && getent group airfleet >/dev/null; then chgrp airfleet "$dest"; fi
  echo "placed $dest"
  changed=1
}

# 1. The package.
if [ -n "$deb" ]; then
  want=$(dpkg-deb -f "$deb" Version)
  have=$(dpkg-query -W -f='${Version}' airfleet-agent 2>/dev/null || true)
  if [ -z "$root" ] && [ "$want" = "$have" ]; then
    echo "unchanged airfleet-agent $have"
  else
    system env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "$(realpath "$deb")" iw
  fi
fi

# 2. Configuration and certificates. A configuration the agent rejects never replaces one it
# accepts (the package's agent, or AIRFLEET_AGENT, checks it; before the package is installed
# there may be none, then the service's ExecStartPre check catches it).
agent_bin=${AIRFLEET_AGENT:-$(command -v airfleet-agent || true)}
if [ -n "$agent_bin" ] && [ -n "$config" ]; then
  "$agent_bin" config check "$config" || die "fix $config first"
fi
[ -n "$config" ] && place "$config" "$etc/agent.yaml" 0640
if [ -n "$certs" ]; then
  place "$certs/ca.pem" "$etc/ca.pem" 0644
  place "$certs/$name.pem" "$etc/agent.pem" 0644
  place "$certs/$name.key" "$etc/agent.key" 0640
fi
active_config="$etc/agent.yaml"
[ -f "$active_config" ] || active_config=$config
if [ -z "$active_config" ] || [ ! -f "$active_config" ]; then
  die "no configuration: give --config FILE"
fi
if [ -n "$agent_bin" ] && [ -z "$config" ]; then
  "$agent_bin" config check "$active_config" || die "fix $active_config first"
fi

# The three settings provisioning needs, from the documented layout of the capture section
# (the agent itself has already checked the whole file above).
capture_value() {
  awk -v key="$1" '
    /^[^ #]/ { in_capture = ($0 ~ /^capture:/) }
    in_capture && $1 == key ":" { sub(/^[^:]*:[ ]*/, ""); sub(/[ ]*#.*/, ""); gsub(/"/, ""); print; exit }
  ' "$active_config"
}
iface=$(capture_value iface)
phy=$(capture_value phy)
channels=$(capture_value channels | tr -d '[],')
first_channel=${channels%% *}
first_channel=${first_channel#*:}

# 3. Monitor interface before every start of the agent.
if [ -n "$iface" ] && [ -n "$phy" ]; then
  dropin=$(mktemp)
  trap 'rm -f "$dropin"' EXIT
  {
    echo "# Written by deploy/pi/provision.sh from $etc/agent.yaml: the monitor interface"
    echo "# does not survive a reboot, so it is (re)created before every start. '+' runs these"
    echo "# with full privileges; '-' ignores 'already exists'."
    echo "[Service]"
    echo "ExecStartPre=-+/usr/sbin/iw phy $phy interface add $iface type monitor"
    echo "ExecStartPre=+/usr/sbin/ip link set $iface up"
    [ -z "$first_channel" ] || echo "ExecStartPre=-+/usr/sbin/iw dev $iface set channel $first_channel"
  } >"$dropin"
  place "$dropin" "$root/etc/systemd/system/airfleet-agent.service.d/monitor.conf" 0644
  # 4. Now as well, so the first start does not wait for a reboot.
  if ! iw dev "$iface" info >/dev/null 2>&1 || [ -n "$root" ] || ((dry_run)); then
    system iw phy "$phy" interface add "$iface" type monitor
  fi
  system ip link set "$iface" up
  [ -z "$first_channel" ] || system iw dev "$iface" set channel "$first_channel"
else
  echo "capture.iface or capture.phy not set: no monitor interface created"
fi

system systemctl daemon-reload
system systemctl enable airfleet-agent.service
if ((changed)); then
  system systemctl restart airfleet-agent.service
else
  system systemctl start airfleet-agent.service
fi
echo "provisioned (${iface:-no interface} on ${phy:-?}, channels ${channels:-unchanged})"
