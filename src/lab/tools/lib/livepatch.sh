# Livepatch transitions (kernel livepatch ABI, /sys/kernel/livepatch/<mod>/{enabled,transition}).
# A real transition ends when every task has switched to the patched functions; here it lasts as long as the
# node's variant `kpatch_transition=<seconds>|never` says (default 0: complete at once). The deadline lives in
# /run/lab/livepatch/<mod> (`<until-epoch-ms|never>`), which a boot wipes with the loaded modules.
# Reversing a transition (enabled written 0 while transition is 1) completes at once: the stalled tasks are the
# ones still running the old code, which is the reversal's target [I].
LP_SYSFS=/sys/kernel/livepatch
LP_RUN=/run/lab/livepatch

# Starts a transition of <mod> towards <enabled 1|0>.
lp_start() { # mod enabled
  local m=$1 e=$2 t now
  mkdir -p "$LP_SYSFS/$m" "$LP_RUN"
  echo "$e" >"$LP_SYSFS/$m/enabled"
  t=$(lab_variant kpatch_transition)
  if [[ $e == 1 && ( $t == never || $t =~ ^[0-9]+$ && $t -gt 0 ) ]]; then
    echo 1 >"$LP_SYSFS/$m/transition"
    if [[ $t == never ]]; then echo never >"$LP_RUN/$m"; else now=$(lab_now_ms); echo $((now + t * 1000)) >"$LP_RUN/$m"; fi
    lab_kmsg "livepatch: '$m': starting patching transition"
  else
    echo 0 >"$LP_SYSFS/$m/transition"; rm -f "$LP_RUN/$m"
    if [[ $e == 1 ]]; then lab_kmsg "livepatch: '$m': starting patching transition" "livepatch: '$m': patching complete"
    else lab_kmsg "livepatch: '$m': starting unpatching transition" "livepatch: '$m': unpatching complete"; fi
  fi
}
# Brings every module's transition file up to date (called by whatever reads it).
lp_settle() {
  local d m u now=""
  for d in "$LP_RUN"/*; do
    [[ -f $d ]] || continue
    m=${d##*/}; read -r u <"$d"
    [[ -d $LP_SYSFS/$m ]] || { rm -f "$d"; continue; }
    [[ $u == never ]] && continue
    [[ -n $now ]] || now=$(lab_now_ms)
    if ((now >= u)); then echo 0 >"$LP_SYSFS/$m/transition"; rm -f "$d"; lab_kmsg "livepatch: '$m': patching complete"; fi
  done
}
lp_in_transition() { local t; lp_settle; read -r t 2>/dev/null <"$LP_SYSFS/$1/transition"; [[ $t == 1 ]]; }
