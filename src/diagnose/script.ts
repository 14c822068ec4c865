// The one read-only shell script `remedy diagnose` runs per host (one exec round trip). POSIX sh; every command
// guarded so a missing tool prints its error as data and the script always reaches the `end` section.

/** Sections in print order; `runc:<path>` sections are added per runc binary found. */
export const SECTIONS = ["uname", "boot_id", "os", "kernel", "syslog", "kubelet", "docker", "cgroup", "kmem", "offload", "pipe", "kpatch", "netconsole", "end"] as const;
export type SectionName = (typeof SECTIONS)[number];

export const SECTION_MARK = "===REMEDY:";

/** grep -E alternation of every line worth shipping back (signatures + the rate-limit notices that count repeats). */
export const LOG_FILTER =
  "unregister_netdevice: waiting for|SLUB: Unable to allocate memory on node|kernel BUG at net/core/skbuff\\.c|skb_segment|PLEG is not healthy|callbacks suppressed";

/** Lines kept per log section: the most recent ones (counts above this are a lower bound). */
export const MAX_LOG_LINES = 5000;

export const RUNC_PATHS = ["/usr/bin/docker-runc", "/usr/bin/runc", "/usr/local/sbin/runc"] as const;

/** Where runc-nokmem.yml keeps its build on each node (`dest:` of its artifact); its check compares the runtime's
 *  binary with it byte for byte, and so does the collection script (`@@nokmem=<build>` in the runc section). */
export const NOKMEM_BUILDS = "/usr/local/lib/remedy/runc-nokmem-*";

export function collectScript(): string {
  const F = `'${LOG_FILTER}'`;
  return `S() { printf '\\n${SECTION_MARK}%s===\\n' "$1"; }
T=""; command -v timeout >/dev/null 2>&1 && T="timeout 20"
S uname; uname -r 2>&1 || true
S boot_id; cat /proc/sys/kernel/random/boot_id 2>&1 || true
S os; cat /etc/os-release 2>&1 || true
S kernel; { $T journalctl -k -b --no-pager -o short 2>/dev/null && echo '@@tool=journalctl' || { dmesg 2>/dev/null && echo '@@tool=dmesg'; }; } | tail -n 20000 | grep -E ${F}'|^@@tool=' | tail -n ${MAX_LOG_LINES + 1} || true
S syslog; ls -1tr /var/log/messages* 2>/dev/null | grep -v '[.]gz$' | while IFS= read -r f; do grep -h -E ${F} "$f" 2>/dev/null; done | tail -n ${MAX_LOG_LINES} || true
S kubelet; $T journalctl -u kubelet -b --no-pager -o short 2>/dev/null | tail -n 20000 | grep -E 'PLEG is not healthy' | tail -n ${MAX_LOG_LINES} || true
S docker; $T docker info 2>/dev/null | grep -E 'Server Version|Default Runtime|runc version' || true
for b in ${RUNC_PATHS.join(" ")}; do if [ -x "$b" ]; then S "runc:$b"; "$b" --version 2>&1 | head -n 10 || true; for a in ${NOKMEM_BUILDS}; do [ -f "$a" ] && cmp -s "$b" "$a" 2>/dev/null && echo "@@nokmem=$a"; done; fi; done
S cgroup; if [ -e /sys/fs/cgroup/cgroup.controllers ]; then echo 2; elif [ -d /sys/fs/cgroup/memory ]; then echo 1; else echo unknown; fi
S kmem; find /sys/fs/cgroup/memory/kubepods -name memory.kmem.slabinfo 2>/dev/null | head -n 8 | while IFS= read -r f; do echo "@@file=$f"; cat "$f" 2>&1 | head -n 1; done || true
S offload; IF=$(awk '$2=="00000000" && $8=="00000000" {print $1; exit}' /proc/net/route 2>/dev/null); echo "@@iface=$IF"; if [ -n "$IF" ]; then ethtool -k "$IF" 2>&1 | grep -E 'generic-(receive|segmentation)-offload|^Features|ethtool|Cannot|No such|not found' | head -n 20 || true; fi
S pipe; sysctl -n fs.pipe-user-pages-soft 2>&1 || cat /proc/sys/fs/pipe-user-pages-soft 2>&1 || true
S kpatch; if command -v kpatch >/dev/null 2>&1; then kpatch list 2>&1 | head -n 200 || true; else echo '@@absent'; fi
S netconsole; if command -v lsmod >/dev/null 2>&1; then echo '@@lsmod'; lsmod 2>&1 | grep -w netconsole || true; else echo '@@absent'; fi
S end
`;
}
