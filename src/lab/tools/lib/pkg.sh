# Package state shared by rpm, yum/dnf, yum-builddep, debuginfo-install and lab-init.
# rpm db: /var/lib/rpm/lab-packages, lines `name version release arch repo`.
# Catalog of available packages: /var/lib/lab/catalog, lines `repo name version release arch [dep,dep...]`.
# Program links that appear with a package: $LAB_T/data/pkgfiles, lines `name node-path tool`.
PKG_DB=/var/lib/rpm/lab-packages
PKG_DB_TIMES=/var/lib/rpm/lab-installtime # `<nevra> <install epoch>` lines (rpm INSTALLTIME, -q --last)
PKG_CATALOG=/var/lib/lab/catalog

nevra() { printf '%s-%s-%s.%s' "$1" "$2" "$3" "$4"; }
# name-version-release.arch.rpm basename -> "name version release arch"
pkg_parse_file() {
  local b=${1##*/} n v r a
  b=${b%.rpm}; a=${b##*.}; b=${b%.*}; r=${b##*-}; b=${b%-*}; v=${b##*-}; n=${b%-*}
  [[ -n $n && -n $v && -n $r && -n $a && $n != "$b" ]] || return 1
  printf '%s %s %s %s' "$n" "$v" "$r" "$a"
}
# Does spec (name, name.arch, name-ver, name-ver-rel, name-ver-rel.arch, with globs) match the package?
pkg_spec_matches() { # spec name ver rel arch
  local s=$1 n=$2 v=$3 r=$4 a=$5
  # shellcheck disable=SC2053
  [[ $n == $s || "$n.$a" == $s || "$n-$v" == $s || "$n-$v-$r" == $s || "$n-$v-$r.$a" == $s ]]
}
# Installed packages matching spec, as db lines.
pkg_installed() {
  local n v r a repo
  [[ -r $PKG_DB ]] || return 0
  while read -r n v r a repo; do
    [[ -z $n ]] && continue
    if [[ -z $1 ]] || pkg_spec_matches "$1" "$n" "$v" "$r" "$a"; then echo "$n $v $r $a $repo"; fi
  done <"$PKG_DB"
}
pkg_is_installed() { [[ -n $(pkg_installed "$1") ]]; }
# Enabled repo ids after --enablerepo/--disablerepo options (globs, comma lists), in argument order.
repo_enabled() { # opts...
  local -A en=()
  local f id e o x
  for f in /etc/yum.repos.d/*.repo; do
    [[ -r $f ]] || continue
    while read -r id e; do [[ -n $id ]] && en[$id]=$e; done <<<"$(awk -F= '
      /^\[/ { if (id != "") print id, e; id = substr($0, 2, index($0, "]") - 2); e = 1; next }
      $1 ~ /^enabled[ \t]*$/ { v = $2; gsub(/[ \t]/, "", v); e = (v == "1") ? 1 : 0 }
      END { if (id != "") print id, e }' "$f")"
  done
  for o in "$@"; do
    case $o in
      --enablerepo=*) for x in ${o#*=}; do :; done
        IFS=, read -ra xs <<<"${o#*=}"; for x in "${xs[@]}"; do for id in "${!en[@]}"; do [[ $id == $x ]] && en[$id]=1; done; done ;;
      --disablerepo=*) IFS=, read -ra xs <<<"${o#*=}"; for x in "${xs[@]}"; do for id in "${!en[@]}"; do [[ $id == $x ]] && en[$id]=0; done; done ;;
    esac
  done
  for id in "${!en[@]}"; do [[ ${en[$id]} == 1 ]] && echo "$id"; done
  return 0
}
# Newest available catalog line for spec within the given repos (space separated list in $2).
pkg_available() { # spec "repos"
  local repo n v r a deps best="" bv=""
  [[ -r $PKG_CATALOG ]] || return 1
  while read -r repo n v r a deps; do
    [[ -z $repo || $repo == \#* ]] && continue
    [[ " $2 " == *" $repo "* ]] || continue
    pkg_spec_matches "$1" "$n" "$v" "$r" "$a" || continue
    if [[ -z $bv ]] || [[ $(printf '%s\n%s\n' "$bv" "$v-$r" | sort -V | tail -n 1) == "$v-$r" ]]; then
      best="$repo $n $v $r $a $deps"; bv="$v-$r"
    fi
  done <"$PKG_CATALOG"
  [[ -n $best ]] && echo "$best"
}
pkg_all_available() { # spec "repos" -> every matching line
  local repo n v r a deps
  [[ -r $PKG_CATALOG ]] || return 0
  while read -r repo n v r a deps; do
    [[ -z $repo || $repo == \#* ]] && continue
    [[ " $2 " == *" $repo "* ]] || continue
    if [[ -z $1 ]] || pkg_spec_matches "$1" "$n" "$v" "$r" "$a"; then echo "$repo $n $v $r $a"; fi
  done <"$PKG_CATALOG"
}
lab_link_tool() { [[ -d ${1%/*} ]] || mkdir -p "${1%/*}"; ln -sfn "$LAB_T/$2" "$1"; }
is_kernel_pkg() { [[ $1 =~ ^kernel(-ml|-lt)?(-core)?$ ]]; }

# Records the package and performs what its files/scriptlets would do on the node.
pkg_install() { # name ver rel arch repo
  local n=$1 v=$2 r=$3 a=$4 repo=${5:-@System} k="$2-$3.$4" pn path tool
  [[ -d ${PKG_DB%/*} ]] || mkdir -p "${PKG_DB%/*}"
  echo "$n $v $r $a $repo" >>"$PKG_DB"
  echo "$n-$k ${EPOCHSECONDS}" >>"$PKG_DB_TIMES"
  while read -r pn path tool; do [[ $pn == "$n" ]] && lab_link_tool "$path" "$tool"; done <"$LAB_T/data/pkgfiles"
  case $n in
    kernel | kernel-ml | kernel-lt) [[ $LAB_OS == el7 ]] && kernel_files_install "$n" "$k" ;;
    kernel-core | kernel-ml-core | kernel-lt-core) kernel_files_install "${n%-core}" "$k" ;; # EL9 split packages
    kernel-devel | kernel-ml-devel | kernel-lt-devel)
      mkdir -p "/usr/src/kernels/$k"; echo "# lab kernel tree $k" >"/usr/src/kernels/$k/Makefile"
      mkdir -p "/usr/lib/modules/$k"; ln -sfn "/usr/src/kernels/$k" "/usr/lib/modules/$k/build" ;;
    kernel-debuginfo | kernel-ml-debuginfo | kernel-lt-debuginfo)
      mkdir -p "/usr/lib/debug/lib/modules/$k"
      printf 'lab vmlinux\nLinux version %s (mockbuild@lab) (gcc version 4.8.5) #1 SMP\n' "$k" >"/usr/lib/debug/lib/modules/$k/vmlinux" ;;
    elrepo-release)
      cp "$LAB_T/data/elrepo.repo.$LAB_OS" /etc/yum.repos.d/elrepo.repo ;;
    netconsole-service)
      mkdir -p /usr/lib/systemd/system
      cp "$LAB_T/data/netconsole.service" /usr/lib/systemd/system/netconsole.service
      [[ -e /etc/sysconfig/netconsole ]] || cp "$LAB_T/data/sysconfig-netconsole" /etc/sysconfig/netconsole ;;
    kpatch)
      mkdir -p /usr/lib/systemd/system
      sed 's#PREFIX#/usr#' "$LAB_T/data/kpatch.service" >/usr/lib/systemd/system/kpatch.service ;;
  esac
  return 0
}
kernel_files_install() { # pkgname kver
  local n=$1 k=$2 d u
  printf 'lab kernel %s\n' "$k" >"/boot/vmlinuz-$k"
  printf 'lab initramfs %s\n' "$k" >"/boot/initramfs-$k.img"
  printf 'lab System.map %s\n' "$k" >"/boot/System.map-$k"
  [[ -d /usr/lib/modules/$k ]] || mkdir -p "/usr/lib/modules/$k"
  [[ ${LAB_NO_BOOTENTRY:-} == 1 ]] && return 0
  boot_entry_add "$n" "$k"
}
# What new-kernel-pkg --install (EL7) / kernel-install add (EL9) do to the boot loader for package n, kver k.
boot_entry_add() {
  local n=$1 k=$2 d u
  if [[ $LAB_OS == el9 ]]; then bls_add_entry "$k"; else el7_add_entry "$k"; fi
  # new-kernel-pkg / kernel-install: --make-default only if UPDATEDEFAULT=yes and DEFAULTKERNEL is this package.
  u=$(sed -n 's/^UPDATEDEFAULT=//p' /etc/sysconfig/kernel 2>/dev/null)
  d=$(sed -n 's/^DEFAULTKERNEL=//p' /etc/sysconfig/kernel 2>/dev/null)
  if [[ $u == yes && ( $d == "$n" || $d == "$n-core" ) ]]; then
    if [[ $LAB_OS == el9 ]]; then grubenv_set "saved_entry=$(lab_mid)-$k"; else grubenv_set "saved_entry=$(el7_title_for "$k")"; fi
  fi
}
pkg_remove() { # name ver rel arch
  local n=$1 k="$2-$3.$4" pn path tool
  grep -v -x "$1 $2 $3 $4 .*" "$PKG_DB" >"$PKG_DB.new"; mv "$PKG_DB.new" "$PKG_DB"
  while read -r pn path tool; do [[ $pn == "$n" ]] && rm -f "$path"; done <"$LAB_T/data/pkgfiles"
  if is_kernel_pkg "$n"; then
    rm -f "/boot/vmlinuz-$k" "/boot/initramfs-$k.img" "/boot/System.map-$k"
    if [[ $LAB_OS == el9 ]]; then rm -f "$BLS_DIR/$(lab_mid)-$k.conf"; else el7_remove_entry "$k"; fi
  fi
  return 0
}
