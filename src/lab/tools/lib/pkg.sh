# Package helpers of the lab. Package management itself is real (issue 15): Debian's rpm 4.18 on the node's own rpm
# database /var/lib/rpm (sqlite; %_dbpath from /etc/rpm/macros.lab), dnf 4.14 over file:// repos under /opt/lab/base/repos.
# What is left here: the files a package's payload holds, for the packages lab-init records in the database without
# unpacking them (the template rpmdb, `rpm -i --justdb`), and the boot-loader part of the kernel scriptlets
# (new-kernel-pkg / kernel-install call boot_entry_add).
# Program links that appear with a package: $LAB_T/data/pkgfiles, lines `name node-path tool` (the packages ship them).

# Version of an installed package (the newest line rpm prints), or nothing and status 1.
pkg_version() { local v; v=$(/opt/lab/base/bin/rpm -q --qf '%{VERSION}\n' "$1" 2>/dev/null) || return 1; printf '%s' "${v##*$'\n'}"; }
pkg_is_installed() { /opt/lab/base/bin/rpm -q --quiet "$1" 2>/dev/null; }
lab_link_tool() { [[ -d ${1%/*} ]] || mkdir -p "${1%/*}"; ln -sfn "$LAB_T/$2" "$1"; }

# The files of an installed package, as its payload has them (lab-init: packages of the template rpmdb).
pkg_files() { # name ver rel arch
  local n=$1 k="$2-$3.$4" pn path tool
  while read -r pn path tool; do [[ $pn == "$n" ]] && lab_link_tool "$path" "$tool"; done <"$LAB_T/data/pkgfiles"
  case $n in
    kernel | kernel-ml | kernel-lt) [[ $LAB_OS == el7 ]] && kernel_files_install "$k" ;;
    kernel-core | kernel-ml-core | kernel-lt-core) kernel_files_install "$k"; printf 'lab kernel %s\n' "$k" >"/usr/lib/modules/$k/vmlinuz" ;;
    kernel-devel | kernel-ml-devel | kernel-lt-devel)
      mkdir -p "/usr/src/kernels/$k"; echo "# lab kernel tree $k" >"/usr/src/kernels/$k/Makefile"
      mkdir -p "/usr/lib/modules/$k"; ln -sfn "/usr/src/kernels/$k" "/usr/lib/modules/$k/build" ;;
    kernel-debuginfo | kernel-ml-debuginfo | kernel-lt-debuginfo)
      mkdir -p "/usr/lib/debug/lib/modules/$k"
      printf 'lab vmlinux\nLinux version %s (mockbuild@lab) (gcc version 4.8.5) #1 SMP\n' "$k" >"/usr/lib/debug/lib/modules/$k/vmlinux" ;;
    elrepo-release)
      cp "$LAB_T/data/elrepo.repo.$LAB_OS" /etc/yum.repos.d/elrepo.repo
      mkdir -p /etc/pki/rpm-gpg; cp "/opt/lab/base/rpms/$LAB_OS/RPM-GPG-KEY-elrepo.org" /etc/pki/rpm-gpg/ ;;
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
kernel_files_install() { # kver
  local k=$1
  printf 'lab kernel %s\n' "$k" >"/boot/vmlinuz-$k"
  printf 'lab initramfs %s\n' "$k" >"/boot/initramfs-$k.img"
  printf 'lab System.map %s\n' "$k" >"/boot/System.map-$k"
  [[ -d /usr/lib/modules/$k ]] || mkdir -p "/usr/lib/modules/$k"
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
