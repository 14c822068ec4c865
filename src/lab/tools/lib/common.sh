# Sourced by every simulated node tool (NODE-STATE.md): logs the invocation to /.lab/invocations.log
# and honours the fault `hang=<tool>` (the tool then sleeps forever, like a wedged real command).
# Kept tiny because a benchmark runs thousands of tools; helpers needing more live in other lib files.
LAB_TOOL=${LAB_TOOL:-${0##*/}}
LAB_T=/opt/lab/base/tools
if [[ -z $LAB_NOLOG ]]; then
  _t=${EPOCHREALTIME/./}
  printf '%s %s%s\n' "${_t:0:${#_t}-3}" "$LAB_TOOL" "${*:+ $*}" >>/.lab/invocations.log 2>/dev/null
fi
if [[ -s /.lab/faults ]]; then
  while IFS= read -r _l || [[ -n $_l ]]; do
    [[ $_l == "hang=$LAB_TOOL" ]] && exec /usr/bin/sleep 2147483647
  done </.lab/faults
fi
read -r LAB_OS 2>/dev/null </.lab/personality || LAB_OS=el7

# Running kernel (uname -r) as the last boot wrote it.
lab_kver() { local k; read -r k 2>/dev/null </proc/sys/kernel/osrelease; printf '%s' "$k"; }
lab_mid() { local m; read -r m 2>/dev/null </etc/machine-id; printf '%s' "$m"; }
# Value of key in /.lab/variant (key=value lines), empty if absent.
lab_variant() {
  local l
  [[ -r /.lab/variant ]] || return 0
  while IFS= read -r l || [[ -n $l ]]; do [[ ${l%%=*} == "$1" ]] && { printf '%s' "${l#*=}"; return 0; }; done </.lab/variant
  return 0
}
lab_fault() {
  local l
  [[ -r /.lab/faults ]] || return 0
  while IFS= read -r l || [[ -n $l ]]; do [[ ${l%%=*} == "$1" ]] && { printf '%s' "${l#*=}"; return 0; }; done </.lab/faults
  return 0
}
lab_now_ms() { local t=${EPOCHREALTIME/./}; printf '%s' "${t:0:${#t}-3}"; }
# Appends a kernel message to the current boot's ring buffer with a monotonic-looking timestamp.
lab_kmsg() {
  local b now up
  read -r b 2>/dev/null </run/lab/boot-epoch || b=${EPOCHREALTIME%.*}
  now=${EPOCHREALTIME/./}; up=$(( ${now} - b * 1000000 ))
  (( up < 0 )) && up=0
  local msg
  for msg in "$@"; do printf '[%5d.%06d] %s\n' $((up / 1000000)) $((up % 1000000)) "$msg" >>/.lab/kmsg; done
}
lab_uuid() {
  local h
  h=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  printf '%s-%s-4%s-a%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
}
# The lab's local copy of a package URL (no network): /opt/lab/base/rpms/<os>/<file name>, known aliases mapped
# (ELRepo's short elrepo-release-9.el9.elrepo.noarch.rpm); nothing if the lab has no such package.
lab_url_file() {
  local f=${1##*/}
  case $f in elrepo-release-9.el9.elrepo.noarch.rpm) f=elrepo-release-9.1-1.el9.elrepo.noarch.rpm ;; esac
  [[ -n $f && -f /opt/lab/base/rpms/$LAB_OS/$f ]] && printf '%s' "/opt/lab/base/rpms/$LAB_OS/$f"
}
# LAB_ARGS = the arguments with each http/https/ftp URL of a lab package replaced by its local copy (yum/dnf fronts).
lab_local_urls() {
  local a l
  LAB_ARGS=()
  for a in "$@"; do
    case $a in http://*.rpm | https://*.rpm | ftp://*.rpm) l=$(lab_url_file "$a") && a=$l ;; esac
    LAB_ARGS+=("$a")
  done
}
