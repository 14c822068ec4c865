// Pure: `npm run bench -- --hosts 1,10,100 --repeat 3 ...` -> options (errors name the flag and the fix).
export const ALL_TOOLS = ["remedy", "floor", "ansible-defaults", "ansible-tuned", "ansible-raw"];
/** ansible's command-module configurations take minutes per run beyond this many hosts */
export const SLOW_ANSIBLE_MAX_HOSTS = 100;

export const USAGE = `usage: npm run bench -- [--quick] [--hosts 10,100,300,500] [--repeat 3] [--tools ${ALL_TOOLS.join(",")}]
       [--os mix|el7|el9] [--out bench/results] [--no-apply] [--latency 20,50] [--latency-hosts 10] [--saturate]
       [--lab-dir /var/lib/remedy-lab-bench] [--start-index 5000]
  --quick     10 and 100 hosts, remedy + floor + ansible-raw, 1 repeat, apply, latency at 10 hosts (< 10 min on 2 cores)
  --hosts     lab sizes, comma-separated (10, 100, 300, 500 are the reference points; 1..1000)
  --repeat    timed runs per tool and size, interleaved (median, min, max)
  --tools     which tools/configurations to time (floor: bench/floor.mjs, one ssh2 connection and one exec per host)
  --os        node personalities: mix = half CentOS 7, half Rocky 9
  --no-apply  skip the full apply of playbooks/ethtool-offload.yml + playbooks/sysctl-revert.yml
  --latency   added round-trip times (ms) for the latency mode (nodes behind a delaying proxy); 0 = off
  --latency-hosts  lab sizes at which the latency mode runs (default: the smallest size)
  --saturate  also run remedy check + apply with every core kept busy by CPU-burning processes`;

export function parseArgs(argv) {
  const o = {
    hosts: [10, 100, 300, 500],
    repeat: 3,
    latency: [20, 50],
    latencyHosts: undefined,
    saturate: false,
    quick: false,
    tools: [...ALL_TOOLS],
    os: "mix",
    out: "bench/results",
    apply: true,
    labDir: "/var/lib/remedy-lab-bench",
    startIndex: 5000,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`bench: ${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (v, lo, hi) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`bench: ${flag} ${v}: expected an integer from ${lo} to ${hi}`);
      return n;
    };
    switch (flag) {
      case "--hosts":
        o.hosts = [...new Set(value().split(",").filter(Boolean).map((v) => int(v.trim(), 1, 1000)))].sort((a, b) => a - b);
        break;
      case "--repeat":
        o.repeat = int(value(), 1, 50);
        break;
      case "--tools": {
        o.tools = value().split(",").map((t) => t.trim()).filter(Boolean);
        const bad = o.tools.filter((t) => !ALL_TOOLS.includes(t));
        if (bad.length) throw new Error(`bench: --tools ${bad.join(",")}: unknown; choose from ${ALL_TOOLS.join(", ")}`);
        break;
      }
      case "--os": {
        const v = value();
        if (!["mix", "el7", "el9"].includes(v)) throw new Error(`bench: --os ${v}: expected mix, el7 or el9`);
        o.os = v;
        break;
      }
      case "--out":
        o.out = value();
        break;
      case "--quick":
        o.quick = true;
        o.hosts = [10, 100];
        o.repeat = 1;
        o.tools = ["remedy", "floor", "ansible-raw"];
        break;
      case "--latency": {
        const v = value();
        o.latency = v === "0" ? [] : [...new Set(v.split(",").filter(Boolean).map((x) => int(x.trim(), 1, 2000)))];
        break;
      }
      case "--latency-hosts":
        o.latencyHosts = [...new Set(value().split(",").filter(Boolean).map((v) => int(v.trim(), 1, 1000)))];
        break;
      case "--saturate":
        o.saturate = true;
        break;
      case "--no-apply":
        o.apply = false;
        break;
      case "--lab-dir":
        o.labDir = value();
        break;
      case "--start-index":
        o.startIndex = int(value(), 1, 60000);
        break;
      case "-h":
      case "--help":
        o.help = true;
        break;
      default:
        throw new Error(`bench: unknown argument ${a}\n${USAGE}`);
    }
  }
  if (o.hosts.length === 0) throw new Error("bench: --hosts needs at least one size");
  o.latencyHosts ??= [o.hosts[0]];
  return o;
}

/** Node personalities for a lab of n nodes. */
export function osSplit(n, os) {
  if (os === "el7") return { el7: n, el9: 0 };
  if (os === "el9") return { el7: 0, el9: n };
  return { el7: Math.ceil(n / 2), el9: Math.floor(n / 2) };
}

/** Tool order for repeat r: rotated, so no tool always runs first (cold caches) or last. */
export function interleave(tools, r) {
  const k = r % Math.max(tools.length, 1);
  return [...tools.slice(k), ...tools.slice(0, k)];
}
