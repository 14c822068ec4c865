# cgroup v1 kmem accounting state (domain-facts §3.2/§3.3): a memory.kmem.slabinfo file holds the slabinfo
# header when kmem is active, or a marker the `cat` wrapper turns into EIO (a plain file cannot fail a read).
KMEM_OFF='# lab: kmem accounting inactive (read fails with EIO)'
kmem_write() { # dir active(1/0)
  [[ -d $1 ]] || mkdir -p "$1"
  if [[ $2 == 1 ]]; then
    printf 'slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n' >"$1/memory.kmem.slabinfo"
    echo 1064960 >"$1/memory.kmem.usage_in_bytes"
  else
    echo "$KMEM_OFF" >"$1/memory.kmem.slabinfo"
    echo 0 >"$1/memory.kmem.usage_in_bytes"
  fi
  echo 9223372036854771712 >"$1/memory.kmem.limit_in_bytes"
  [[ -e $1/memory.limit_in_bytes ]] || echo 9223372036854771712 >"$1/memory.limit_in_bytes"
  [[ -e $1/cgroup.procs ]] || : >"$1/cgroup.procs"
}
kmem_active() { [[ -r $1/memory.kmem.slabinfo ]] && ! grep -qx "$KMEM_OFF" "$1/memory.kmem.slabinfo"; }
# Build tags recorded in a generated runc/kubelet program (`# buildtags: ...`); empty if none.
buildtags_of() { [[ -r $1 ]] && sed -n 's/^# buildtags: *//p' "$1" | head -n 1; }
has_nokmem() { [[ " $(buildtags_of "$1") " == *" nokmem "* ]]; }
# The runc binary dockerd runs: docker-ce <=18.06 uses docker-runc, newer packagings runc (§3.4).
docker_runc_path() {
  local rt; rt=$(sed -n 's/^default_runtime=//p' /var/lib/lab/docker/config 2>/dev/null)
  case $rt in docker-runc) echo /usr/bin/docker-runc ;; *) echo /usr/bin/runc ;; esac
}
