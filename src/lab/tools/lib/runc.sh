# Generates runc-like programs (domain-facts §3.1 version output per tag); used by lab-init and `make`.
# write_runc <path> <version> <commit-or-empty> <spec> <go-or-empty> <libseccomp-or-empty> <buildtags>
write_runc() {
  local p=$1 v=$2 c=$3 s=$4 g=$5 l=$6 t=$7
  {
    echo '#!/bin/bash'
    echo "# lab runc $v (generated; not a real binary)"
    echo "# buildtags: $t"
    echo 'LAB_TOOL=runc source /opt/lab/base/tools/lib/common.sh'
    echo "LAB_RUNC_VERSION=$v"
    echo 'source "$LAB_T/lib/runc-cli.sh"'
    echo 'case $1 in'
    echo '  --version|-v|-version) cat <<"V"'
    echo "runc version $v"
    [[ -n $c ]] && echo "commit: $c"
    echo "spec: $s"
    [[ -n $g ]] && echo "go: $g"
    [[ -n $l ]] && echo "libseccomp: $l"
    echo 'V'
    echo '  ;;'
    echo '  *) runc_cli "$@" ;;'
    echo 'esac'
  } >"$p"
  chmod 755 "$p"
}
# Release data by tag: version commit spec go-line-wanted(1/0)
runc_tag_info() {
  case $1 in
    v1.0.0-rc9) echo "1.0.0-rc9 d736ef14f0288d6993a1845745d6756cfc9ddd5a 1.0.1-dev 0" ;;
    v1.0.0-rc93) echo "1.0.0-rc93 12644e614e25b05da6fd08a38ffa0cfe1903fdec 1.0.2-dev 1" ;;
    v1.0.0-rc94) echo "1.0.0-rc94 2c7861bc5e1b3e756392236553ec14a78a09f8bf 1.0.2-dev 1" ;;
    v1.1.1) echo "1.1.1 v1.1.1-0-g52de29d7 1.0.2-dev 1" ;;
    *) return 1 ;;
  esac
}
